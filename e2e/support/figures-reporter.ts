// Collects the figures every spec measured (attachments named "figures",
// written by the `figure` fixture) into test-results/figures.json, and prints
// them as one table at the end of the run so they show in `make test` output.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FullConfig, FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

interface Row {
  spec: string;
  test: string;
  status: string;
  durationMs: number;
  figures: Record<string, number | string>;
}

export default class FiguresReporter implements Reporter {
  private rows: Row[] = [];
  private outFile = path.resolve(__dirname, '..', 'test-results', 'figures.json');

  onBegin(config: FullConfig) {
    const out = config.projects[0]?.outputDir;
    if (out) this.outFile = path.join(out, 'figures.json');
  }

  onTestEnd(test: TestCase, result: TestResult) {
    const figures: Record<string, number | string> = {};
    for (const a of result.attachments) {
      if (a.name !== 'figures' || !a.body) continue;
      Object.assign(figures, JSON.parse(a.body.toString('utf8')));
    }
    this.rows.push({
      spec: path.basename(test.location.file),
      test: test.titlePath().slice(3).join(' › '),
      status: result.status,
      durationMs: result.duration,
      figures,
    });
  }

  onEnd(_result: FullResult) {
    this.rows.sort((a, b) => a.spec.localeCompare(b.spec) || a.test.localeCompare(b.test));
    fs.mkdirSync(path.dirname(this.outFile), { recursive: true });
    fs.writeFileSync(this.outFile, JSON.stringify({ generated: new Date().toISOString(), tests: this.rows }, null, 2));
    const lines = ['', 'Measured figures (also in ' + path.relative(process.cwd(), this.outFile) + '):'];
    for (const r of this.rows) {
      lines.push(`  ${r.status.padEnd(8)} ${r.spec} › ${r.test} (${(r.durationMs / 1000).toFixed(1)} s)`);
      for (const [k, v] of Object.entries(r.figures)) lines.push(`             FIGURE ${k}=${v}`);
    }
    console.log(lines.join('\n'));
  }

  printsToStdio() {
    return false;
  }
}
