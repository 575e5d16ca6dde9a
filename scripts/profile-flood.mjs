// Profiles the page under a signal flood: where the main thread's time goes.
//
//   node scripts/profile-flood.mjs [rate] [seconds] [protocol]
//
// Starts a demo backend (target/server/demo-server, --speed 0.001) serving
// DIST_DIR (default dist/), opens the page in headless Chromium, waits for
// `● Live`, then floods signal frames at `rate`/s (default 10 000) for
// `seconds` (default 5) over `protocol` (native or socketio, default native)
// while Chrome's sampling profiler runs. Prints the frames sent and counted,
// DevTools' time split (script, style, layout, task) per frame, and the 25
// functions (TOP= to change) with the most self time, then with the most
// time including their callees (wasm functions show as indices in the
// release build, which has no name section: `make profile-dist` keeps the
// names). `make profile` runs it.
//
// Experiments: HIDE='css selector' hides part of the page (HIDE=body: no
// rendering at all), EXTRA_ARGS='--flag …' adds Chromium flags.

import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, chromiumPath, startBackend } from '../bench/backend.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(process.env.DIST_DIR ?? path.join(ROOT, 'dist'));
const rate = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 5);
const protocol = process.argv[4] ?? 'native';
const { chromium } = createRequire(path.join(ROOT, 'e2e', 'package.json'))('@playwright/test');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
const browser = await chromium.launch({
  executablePath: chromiumPath(),
  args: [...CHROMIUM_ARGS, ...(process.env.EXTRA_ARGS ? process.env.EXTRA_ARGS.split(' ') : [])],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  page.on('pageerror', (e) => console.log('page error:', e.message));
  await page.goto(`${be.url}/?protocol=${protocol}`);
  await page.waitForFunction(() => window.__regime?.mode === 'live', undefined, { timeout: 15_000 });
  if (process.env.HIDE) await page.addStyleTag({ content: `${process.env.HIDE} { display: none !important; }` });
  await sleep(1_000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  const metrics = async () =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const s0 = (await be.state()).counters;
  const f0 = await page.evaluate(() => window.__regime.framesTotal);
  const m0 = await metrics();
  await cdp.send('Profiler.start');
  const t0 = Date.now();
  await be.faults({ floodPerSec: rate });
  await sleep(seconds * 1000);
  await be.faults({ floodPerSec: 0 });
  const secs = (Date.now() - t0) / 1000;
  const { profile } = await cdp.send('Profiler.stop');
  const m1 = await metrics();
  await sleep(1_000);
  const s1 = (await be.state()).counters;
  const f1 = await page.evaluate(() => window.__regime.framesTotal);
  const sent = s1.messagesSent - s0.messagesSent;
  const skipped = s1.plainLagged - s0.plainLagged + (s1.socketioDropped - s0.socketioDropped);
  const counted = f1 - f0;
  console.log(`${protocol} at ${rate}/s for ${secs.toFixed(1)} s: sent ${sent}, skipped ${skipped}, counted ${counted} (${Math.round(counted / secs)}/s)`);
  const us = (k) => (((m1[k] ?? 0) - (m0[k] ?? 0)) * 1e6) / Math.max(1, counted);
  for (const k of ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration']) {
    console.log(`  ${k.padEnd(20)} ${(((m1[k] ?? 0) - (m0[k] ?? 0))).toFixed(2)} s  ${us(k).toFixed(2)} µs/frame`);
  }
  // Self time per function from the sampled profile.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? path.basename(f.url) : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const top = (title, times) => {
    console.log(`  sampled ${(total / 1e6).toFixed(2)} s; top ${title}:`);
    [...times.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(process.env.TOP ?? 25))
      .forEach(([k, v]) => console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1e3).toFixed(0).padStart(6)} ms  ${k}`));
  };
  top('self time', self);
  // Total time: each function once per sample whose stack holds it (what
  // a caller costs with everything it calls).
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  profile.samples.forEach((id, i) => {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url ? path.basename(f.url) : ''}`.trim();
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + (dt[i] ?? 0));
    }
  });
  top('total time (callees included)', inclusive);
} finally {
  await browser.close();
  await be.stop();
}
