// The report: docs/BENCHMARKS.md from the figures of one run. `renderReport`
// only formats what it is given (no clock, no files), so the same numbers
// always give the same markdown; `writeReport` puts it on disk.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromiumPath } from './backend.mjs';
import { fmt } from './lib/figures.mjs';

/** The machine table: CPU, cores, RAM, OS, browser, Node and the commit measured. */
export function machine(root) {
  const cpus = os.cpus();
  let chromiumVersion = '';
  try {
    chromiumVersion = execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {}
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {}
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    ram: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    chromium: chromiumVersion,
    commit,
  };
}

/**
 * The markdown of the report.
 *
 * - `machine`: what `machine()` returns
 * - `figures`: the recorded figures, in the order they were measured
 * - `weights`: the page-weight benchmark's files and totals, or null when it did not run
 * - `bursts`: the burst benchmark's rounds (bench/benchmarks/burst.mjs), or null when it did not run
 * - `date`: when the run ended (a Date); `tookMs`: how long it took
 * - `methods`: one markdown bullet per benchmark, in the order the report explains them
 */
export function renderReport({ machine: m, figures, weights, bursts = null, date, tookMs, methods }) {
  const when = date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const lines = [
    '# Benchmarks',
    '',
    'Written by `make bench` (`node bench/run.mjs`); every run rewrites this file.',
    'Measured in headless Chromium against the demo backend, both on the same machine.',
    'Figures report; they are not pass/fail tests. The last column compares the median',
    '(or the maximum, where the budget says so) with the budget.',
    '',
    '| machine | |',
    '|---|---|',
    `| CPU | ${m.cpu} |`,
    `| cores | ${m.cores} |`,
    `| RAM | ${m.ram} |`,
    `| OS | ${m.os} |`,
    `| browser | ${m.chromium} |`,
    `| Node | ${m.node} |`,
    `| commit | ${m.commit} |`,
    `| date | ${when} (took ${(tookMs / 60000).toFixed(1)} min) |`,
    '',
    `| figure | median | min | max | runs | budget | |`,
    '|---|---:|---:|---:|---:|---|---|',
  ];
  for (const f of figures) {
    const mark = f.ok === null ? '' : f.ok ? 'within' : '**over**';
    lines.push(
      `| ${f.name} | ${fmt(f.median, f.digits)} ${f.unit} | ${fmt(f.min, f.digits)} | ${fmt(f.max, f.digits)} | ${f.runs} | ${f.budget} | ${mark} |`,
    );
  }
  if (weights) {
    lines.push('', '## Page weight by file', '', '| file | raw | gzip -9 | brotli |', '|---|---:|---:|---:|');
    for (const f of weights.files) lines.push(`| ${f.file} | ${fmt(f.raw)} B | ${fmt(f.gzip)} B | ${fmt(f.brotli)} B |`);
    lines.push(`| **total** | ${fmt(weights.raw)} B | ${fmt(weights.gzip)} B | ${fmt(weights.brotli)} B |`);
  }
  if (bursts) {
    // The goal holds in every round, not only in the median: each round on its own row.
    lines.push(
      '',
      `## Burst of ${fmt(bursts.count)} at ${fmt(bursts.perSec)}/s, round by round`,
      '',
      '| round | on screen, ours | on screen, React | ours ÷ React | last sent → on screen, ours | last sent → on screen, React | p95 frame, ours | p95 frame, React | longest frame, ours | longest frame, React | counted, ours | counted, React | server rate, ours | server rate, React |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    bursts.rounds.forEach((r, i) => {
      lines.push(
        `| ${i + 1} | ${fmt(r.ours.onScreen)} ms | ${fmt(r.react.onScreen)} ms | ${fmt(r.ratio, 2)} | ${fmt(r.ours.behind)} ms | ${fmt(r.react.behind)} ms | ` +
          `${fmt(r.ours.p95, 1)} ms | ${fmt(r.react.p95, 1)} ms | ` +
          `${fmt(r.ours.longest, 1)} ms | ${fmt(r.react.longest, 1)} ms | ${fmt(r.ours.counted)} | ${fmt(r.react.counted)} | ` +
          `${fmt(r.ours.rate)}/s | ${fmt(r.react.rate)}/s |`,
      );
    });
  }
  lines.push('', '## How each figure is measured', '', ...methods, '');
  return lines.join('\n');
}

/**
 * The hand-written sections at the end of the report, kept from one run to
 * the next: everything from the first heading named in `KEPT_SECTIONS` on
 * (what was tried for the page weight and for the main thread's time under
 * a flood, and what it measured, by hand).
 */
export const KEPT_SECTIONS = ['## Page weight: what was tried', '## Main-thread time: what was tried'];

export function keptSections(previous) {
  const starts = KEPT_SECTIONS.map((h) => previous.indexOf(`\n${h}\n`)).filter((i) => i >= 0);
  return starts.length ? previous.slice(Math.min(...starts) + 1) : '';
}

export function writeReport(out, root, report) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const previous = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  const kept = keptSections(previous);
  fs.writeFileSync(out, renderReport(report) + (kept ? `\n${kept}` : ''));
  console.log(`bench: wrote ${path.relative(root, out)}`);
}
