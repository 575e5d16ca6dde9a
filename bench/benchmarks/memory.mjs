// Memory: JS heap + wasm after 1 000 000 frames minus after 10 000.

import { startBackend } from '../backend.mjs';
import { record } from '../lib/figures.mjs';
import { DIST, MB, ROOT, RUNS, diag, log, openPage, settle, waitLive } from '../lib/harness.mjs';

export const section = 'memory';

export const method =
  '- **Memory**: the backend floods the page; after 10 000 frames and after 1 000 000 frames the flood pauses, `gc()` runs three times, and `performance.memory.usedJSHeapSize` + `window.__regime.wasmMemoryBytes()` are read; the figure is the difference.';

const MEMORY_DEADLINE_MS = 180_000;

async function heap(page) {
  return page.evaluate(async () => {
    for (let i = 0; i < 3; i++) {
      window.gc();
      await new Promise((r) => setTimeout(r, 50));
    }
    return { js: performance.memory.usedJSHeapSize, wasm: window.__regime.wasmMemoryBytes() };
  });
}

/**
 * The flood rate: 50 000/s, or the highest rate the page ingested whole (the
 * flood benchmark's result, when it ran) if that is lower, never below 10 000/s.
 */
function floodRate(best = {}) {
  const measured = Object.values(best).filter((v) => Number.isFinite(v));
  const fastest = measured.length ? Math.min(50_000, ...measured) : 50_000;
  return Math.max(10_000, Math.floor(fastest / 1000) * 1000);
}

export async function run(browser, earlier = {}) {
  const rate = floodRate(earlier.flood);
  const growth = [];
  let shortOf = 0;
  const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
  try {
    for (let run = 0; run < RUNS; run++) {
      const { context, page } = await openPage(browser, be.url);
      await waitLive(page);
      await be.faults({ floodPerSec: rate });
      const warm = await page
        .waitForFunction(() => window.__regime.framesTotal >= 10_000, undefined, { timeout: 120_000, polling: 250 })
        .then(() => true, () => false);
      await be.faults({ floodPerSec: 0 });
      if (!warm) {
        await settle(page);
        const n = (await diag(page)).framesTotal;
        log(`memory run ${run + 1}: the page counted only ${n} frames in 120 s of a ${rate}/s flood; no memory figure`);
        await context.close();
        record(`memory growth (not measured: warm-up reached ${n.toLocaleString('en-US')} of 10 000 frames in 120 s)`, [NaN], 'MB', '≤ 10 MB', () => false, 2);
        return;
      }
      await settle(page);
      const a = await heap(page);
      const t0 = Date.now();
      await be.faults({ floodPerSec: rate });
      const reached = await page
        .waitForFunction(() => window.__regime.framesTotal >= 1_000_000, undefined, { timeout: MEMORY_DEADLINE_MS, polling: 250 })
        .then(() => true, () => false);
      await be.faults({ floodPerSec: 0 });
      await settle(page);
      const b = await heap(page);
      const frames = (await diag(page)).framesTotal;
      const g = (b.js - a.js + (b.wasm - a.wasm)) / MB;
      log(
        `memory run ${run + 1}: ${frames} frames in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${rate}/s; JS heap ${(a.js / MB).toFixed(2)} → ${(b.js / MB).toFixed(2)} MB, ` +
          `wasm ${(a.wasm / MB).toFixed(2)} → ${(b.wasm / MB).toFixed(2)} MB, growth ${g.toFixed(2)} MB`,
      );
      if (!reached) {
        // A page this slow would take many minutes per run: one run, said so.
        shortOf = frames;
        growth.push(g);
        await context.close();
        break;
      }
      growth.push(g);
      await context.close();
    }
  } finally {
    await be.stop();
  }
  if (shortOf) {
    record(
      `memory growth, 10 000 → ${shortOf.toLocaleString('en-US')} frames (1 000 000 not reached in ${MEMORY_DEADLINE_MS / 1000} s)`,
      growth,
      'MB',
      '≤ 10 MB at 1 000 000',
      () => false,
      2,
    );
  } else {
    record('memory growth, 10 000 → 1 000 000 frames', growth, 'MB', '≤ 10 MB', (f) => f.max <= 10, 2);
  }
}
