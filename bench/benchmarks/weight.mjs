// Page weight: what index.html loads from dist/, compressed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { startBackend } from '../backend.mjs';
import { record } from '../lib/figures.mjs';
import { DIST, ROOT, log, openPage, waitLive } from '../lib/harness.mjs';

export const section = 'weight';

export const method =
  '- **Page weight**: every file under `dist/` that the page requests while loading (index.html, the JavaScript glue, the wasm, the CSS, the live socket\'s `worker.js`, anything else), compressed here with gzip level 9 and brotli quality 11; kB = 1000 bytes.';

/** Returns the weights by file, for the report's second table. */
export async function run(browser) {
  const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
  try {
    const loaded = new Set();
    const { context, page } = await openPage(browser, be.url, {}, {
      before: (p) => p.on('response', (r) => loaded.add(new URL(r.url()).pathname)),
    });
    await waitLive(page);
    await page.waitForLoadState('networkidle').catch(() => {});
    // The live socket's Worker script is the Worker's request, not the
    // page's: counted when the page runs it.
    if ((await page.evaluate(() => window.__regime.liveSocket)) === 'worker') loaded.add('/worker.js');
    await context.close();
    const files = [];
    for (const p of loaded) {
      if (/^\/(api|ws|socket\.io|control)(\/|$)/.test(p)) continue;
      const rel = p === '/' ? 'index.html' : decodeURIComponent(p.slice(1));
      const file = path.join(DIST, rel);
      if (!file.startsWith(DIST) || !fs.existsSync(file) || !fs.statSync(file).isFile()) continue;
      const raw = fs.readFileSync(file);
      files.push({
        file: rel,
        raw: raw.length,
        gzip: zlib.gzipSync(raw, { level: 9 }).length,
        brotli: zlib.brotliCompressSync(raw, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
        }).length,
      });
    }
    files.sort((a, b) => b.gzip - a.gzip);
    const total = (k) => files.reduce((s, f) => s + f[k], 0);
    const weights = { files, raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') };
    for (const f of files) log(`weight ${f.file}: ${f.raw} B raw, ${f.gzip} B gzip -9, ${f.brotli} B brotli`);
    // Deterministic: one measurement stands for every run.
    record('page weight, gzip -9', [weights.gzip / 1000], 'kB', '≤ 160 kB', (f) => f.max <= 160, 1);
    record('page weight, brotli', [weights.brotli / 1000], 'kB', '—', null, 1);
    record('page weight, uncompressed', [weights.raw / 1000], 'kB', '—', null, 1);
    return weights;
  } finally {
    await be.stop();
  }
}
