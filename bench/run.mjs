// `make bench`: measures the dashboard in headless Chromium against demo
// backends that the benchmarks spawn, prints every figure, and rewrites
// docs/BENCHMARKS.md. Benchmarks report; they do not pass or fail.
//
//   node bench/run.mjs                 every benchmark, in the order below
//   node bench/run.mjs weight render   only these (names as in SECTIONS)
//   node bench/run.mjs batched         only the batched flood
//
// Figures (each the median of BENCH_RUNS runs, default 5, with min and max),
// one file each in bench/benchmarks/:
//   weight    gzip -9 and brotli sizes of everything index.html loads
//   load      navigation start → the regime widget shows REST data, → `● Live`;
//             reloads: → the stored view painted (REST slowed), the signals
//             list never blank while fresh data replaces it
//   ceiling   the flood ladder for a bare page whose onmessage only
//             JSON.parses and counts: what this browser and machine allow
//   flood     highest signal rate (Socket.IO, plain WS) with every frame
//             counted and the p95 animation-frame interval ≤ 20 ms
//   batched   the same with the backend sending batches: events/s with
//             every event stored, and that step's p95 frame interval
//   cost      main-thread time per frame vs a bare JSON.parse loop, and
//             vs the bare page's receive-and-parse
//   memory    JS heap + wasm after 1 000 000 frames minus after 10 000
//   recovery  live side returns → `● Live` with the gap filled
//   render    another symbol selected → its data drawn
//   burst     20 000 signals at 10 000/s from the official Node Socket.IO
//             server (bench/peer/server.mjs): → the last one on screen, and
//             the p95 frame interval meanwhile, for our page and for the
//             React 19 + socket.io-client peer in bench/peer/
// bench/lib/ holds what they share (the page helpers, the figures) and
// bench/report.mjs writes the report.
//
// Needs: dist/ (make dist), target/server/demo-server (make server), and the
// e2e and bench/peer npm packages (make bench installs them). Environment:
// BENCH_RUNS, DEMO_SERVER_BIN, DEMO_SERVER_PROFILE, DIST_DIR, CHROMIUM_PATH,
// BENCH_SECTIONS (comma list, when no names are given on the command line),
// BENCH_OUT (the report's path, default docs/BENCHMARKS.md),
// BENCH_SCREENSHOTS (a folder: the burst benchmark saves peer-ours.png and
// peer-react.png there, both pages after its last burst).

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as batched from './benchmarks/batched.mjs';
import * as burst from './benchmarks/burst.mjs';
import * as ceiling from './benchmarks/ceiling.mjs';
import * as cost from './benchmarks/cost.mjs';
import * as flood from './benchmarks/flood.mjs';
import * as load from './benchmarks/load.mjs';
import * as memory from './benchmarks/memory.mjs';
import * as recovery from './benchmarks/recovery.mjs';
import * as render from './benchmarks/render.mjs';
import * as weight from './benchmarks/weight.mjs';
import { figures, recordFailure } from './lib/figures.mjs';
import { DIST, ROOT, RUNS, launchBrowser, log } from './lib/harness.mjs';
import { machine, writeReport } from './report.mjs';

/** The order they run in: memory floods at the rate the flood benchmark found. */
const BENCHMARKS = [weight, load, ceiling, flood, batched, cost, memory, recovery, render, burst];
/** The order the report explains them in: the flood figure before the ceiling it is read against. */
const METHODS = [weight, load, flood, batched, ceiling, cost, memory, recovery, render, burst].map((b) => b.method);

const OUT = path.resolve(process.env.BENCH_OUT ?? path.join(ROOT, 'docs', 'BENCHMARKS.md'));

function chosenSections(argv) {
  const names = BENCHMARKS.map((b) => b.section);
  const asked = argv.length ? argv : (process.env.BENCH_SECTIONS ?? names.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((s) => !names.includes(s));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}: choose from ${names.join(', ')}`);
  return new Set(asked);
}

async function main() {
  const sections = chosenSections(process.argv.slice(2));
  const started = Date.now();
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error(`no ${DIST}/index.html: run \`make dist\` first`);
  const m = machine(ROOT);
  log(`${m.cpu}, ${m.cores} cores, ${m.ram}; ${m.chromium}; ${RUNS} runs per figure`);
  const browser = await launchBrowser();
  // What each benchmark returned, by name, for the ones after it.
  const earlier = {};
  try {
    for (const b of BENCHMARKS) {
      if (!sections.has(b.section)) continue;
      log(`---- ${b.section} ----`);
      try {
        earlier[b.section] = await b.run(browser, earlier);
      } catch (e) {
        console.error(`bench: ${b.section} failed: ${e.stack ?? e}`);
        recordFailure(b.section, e);
      }
    }
  } finally {
    await browser.close();
  }
  writeReport(OUT, ROOT, {
    machine: m,
    figures,
    weights: earlier.weight ?? null,
    bursts: earlier.burst ?? null,
    date: new Date(),
    tookMs: Date.now() - started,
    methods: METHODS,
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
