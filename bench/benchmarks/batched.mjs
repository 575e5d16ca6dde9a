// Batched flood: the flood again, with the backend sending batches
// (PROTOCOL.md "Batches"), which the page asks for: events per second with
// every event stored, and the p95 animation-frame interval.

import { startBackend } from '../backend.mjs';
import { median, record } from '../lib/figures.mjs';
import { DIST, ROOT, RUNS, log, openPage, sleep, waitLive } from '../lib/harness.mjs';
import { FLOOD_WINDOW_MS, floodStep } from './flood.mjs';

export const section = 'batched';

export const BATCHED_LADDER = [10_000, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000];
/** The backend's batch settings: at most this many events a frame, a batch waiting at most this long. */
export const BATCH = { batchMax: 1000, batchMs: 16 };

export const method = `- **Batched flood**: the flood ingest again, for each transport, with the backend batching (\`batchMax\` ${BATCH.batchMax}, \`batchMs\` ${BATCH.batchMs}: at most ${BATCH.batchMax} events a frame, a batch waiting at most ${BATCH.batchMs} ms), at each rate of the ladder ${BATCHED_LADDER.map((r) => r / 1000 + 'k').join(', ')} events per second for ${FLOOD_WINDOW_MS / 1000} s until a step fails. A step passes when the backend skipped nothing, the page counted every frame sent and at least one batch (\`window.__regime.batches\`), stored every new id, and the p95 of requestAnimationFrame intervals stayed ≤ 20 ms. The figures are the events per second the backend achieved at the highest passing step, that step's p95 frame interval, and (going up the ladder past slow frames) the highest rate at which every event was still stored.`;

/** A flood step, judged as a batched one: events (not frames) per second, and at least one batch taken. */
async function batchedStep(be, page, rate) {
  const r = await floodStep(be, page, rate);
  const whole = r.everyFrame && r.batches > 0;
  return { ...r, achieved: r.ids / r.secs, whole, ok: whole && r.p95 <= 20 };
}

export async function run(browser) {
  for (const protocol of ['socketio', 'native']) {
    const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
    const rates = [];
    const p95s = [];
    const wholes = [];
    try {
      await be.faults(BATCH);
      for (let run = 0; run < RUNS; run++) {
        const { context, page, errors } = await openPage(browser, be.url, { protocol }, { sampler: true });
        await waitLive(page);
        await sleep(500);
        let best = { achieved: 0, p95: NaN };
        let whole = 0;
        let smooth = true;
        for (const rate of BATCHED_LADDER) {
          const r = await batchedStep(be, page, rate);
          log(
            `batched ${protocol} run ${run + 1} at ${rate}/s: ${r.ids} events (${Math.round(r.achieved)}/s) in ${r.sent} frames, ` +
              `counted ${r.counted} (${r.batches} batches), skipped ${r.skipped}, stored ${r.accepted}, p95 frame ${r.p95.toFixed(1)} ms → ${r.ok ? 'ok' : 'FAIL'}`,
          );
          // Past the first step with a slow frame, go on only to find where
          // events stop being stored whole.
          if (!r.whole) break;
          whole = r.achieved;
          if (!r.ok) smooth = false;
          if (smooth) best = r;
          await sleep(500);
        }
        if (errors.length) log(`page errors during the batched flood: ${errors.slice(0, 3).join(' | ')}`);
        rates.push(best.achieved);
        p95s.push(best.p95);
        wholes.push(whole);
        await context.close();
      }
    } finally {
      await be.stop();
    }
    const name = protocol === 'socketio' ? 'Socket.IO' : 'plain WebSocket';
    record(`batched flood ingest, ${name}`, rates, 'events/s', '≥ 50 000 /s', (f) => f.median >= 50_000);
    record(`batched flood, ${name}: p95 frame interval at that rate`, p95s, 'ms', '≤ 20 ms', (f) => f.median <= 20, 1);
    record(`batched flood, ${name}: every event stored, any frame interval`, wholes, 'events/s', '—', null);
  }
  return {};
}
