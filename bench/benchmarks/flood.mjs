// Flood ingest: the highest rate with every frame counted and smooth frames.

import { startBackend } from '../backend.mjs';
import { median, quantile, record } from '../lib/figures.mjs';
import { DIST, ROOT, RUNS, diag, log, openPage, settle, sleep, waitLive } from '../lib/harness.mjs';

export const section = 'flood';

export const LADDER = [1_000, 2_500, 5_000, 7_500, 10_000, 12_500, 15_000, 17_500, 20_000, 25_000, 35_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000];
export const FLOOD_WINDOW_MS = 3_000;

export const method = `- **Flood ingest**: for each transport, a fresh page; the backend floods signal frames for ${FLOOD_WINDOW_MS / 1000} s at each rate of the ladder ${LADDER.map((r) => r / 1000 + 'k').join(', ')} per second until a step fails. A step passes when the backend skipped nothing for a slow client, the page counted (\`window.__regime.framesTotal\`) every frame the backend sent (\`messagesSent\`), it stored every new id, and the 95th percentile of requestAnimationFrame intervals during the step stayed ≤ 20 ms. The figure is the rate the backend actually achieved at the highest passing step. Each run measures the default (the live socket in its Worker) and then \`liveWorker=off\` (the page\'s own socket).`;

/**
 * One step of a flood ladder: the backend floods at `rate` for the window,
 * and the step is measured as both flood benchmarks read it (the batched
 * one judges the same figures with its own rule).
 */
export async function floodStep(be, page, rate) {
  const s0 = (await be.state()).counters;
  const d0 = await diag(page);
  const b0 = await page.evaluate(() => window.__regime.batches);
  await page.evaluate(() => {
    window.__raf.d = [];
    window.__raf.on = true;
  });
  const t0 = Date.now();
  await be.faults({ floodPerSec: rate });
  await sleep(FLOOD_WINDOW_MS);
  await be.faults({ floodPerSec: 0 });
  const secs = (Date.now() - t0) / 1000;
  await settle(page);
  const raf = await page.evaluate(() => {
    window.__raf.on = false;
    return window.__raf.d;
  });
  const s1 = (await be.state()).counters;
  const d1 = await diag(page);
  const batches = (await page.evaluate(() => window.__regime.batches)) - b0;
  const sent = s1.messagesSent - s0.messagesSent;
  const skipped = s1.plainLagged - s0.plainLagged + (s1.socketioDropped - s0.socketioDropped);
  const counted = d1.framesTotal - d0.framesTotal;
  const ids = s1.lastSignalId - s0.lastSignalId;
  const accepted = d1.signalsAccepted - d0.signalsAccepted;
  const p95 = quantile(raf, 0.95);
  // Control frames (pings, pongs) reach the page without being hub messages: a few extra are fine.
  const everyFrame = skipped === 0 && counted >= sent && counted - sent <= 10 && accepted === ids && d1.lastSignalId === s1.lastSignalId;
  return { rate, secs, achieved: sent / secs, sent, counted, batches, skipped, ids, accepted, p95, everyFrame, ok: everyFrame && p95 <= 20 };
}

/** Returns the median highest rate per protocol, which the memory benchmark floods at. */
export async function run(browser) {
  const best = {};
  for (const protocol of ['socketio', 'native']) {
    const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
    const results = [];
    const own = [];
    try {
      // Each run measures the Worker path (the default) and then the page's
      // own socket, so that machine load weighs on both alike.
      for (let i = 0; i < RUNS * 2; i++) {
        const run = i >> 1;
        const inPage = i % 2 === 1;
        const settings = inPage ? { protocol, liveWorker: 'off' } : { protocol };
        const { context, page, errors } = await openPage(browser, be.url, settings, { sampler: true });
        await waitLive(page);
        await sleep(500);
        let highest = 0;
        for (const rate of LADDER) {
          const r = await floodStep(be, page, rate);
          log(
            `flood ${protocol}${inPage ? ' (liveWorker=off)' : ''} run ${run + 1} at ${rate}/s: sent ${r.sent} (${Math.round(r.achieved)}/s), counted ${r.counted}, ` +
              `skipped ${r.skipped}, ids ${r.ids}/${r.accepted}, p95 frame ${r.p95.toFixed(1)} ms → ${r.ok ? 'ok' : 'FAIL'}`,
          );
          if (!r.ok) break;
          highest = r.achieved;
          await sleep(500);
        }
        if (errors.length) log(`page errors during flood: ${errors.slice(0, 3).join(' | ')}`);
        (inPage ? own : results).push(highest);
        await context.close();
      }
    } finally {
      await be.stop();
    }
    best[protocol] = median(results);
    record(
      `flood ingest, ${protocol === 'socketio' ? 'Socket.IO' : 'plain WebSocket'}`,
      results,
      'frames/s',
      '≥ 50 000 /s',
      (f) => f.median >= 50_000,
    );
    record(
      `flood ingest, ${protocol === 'socketio' ? 'Socket.IO' : 'plain WebSocket'}: page's own socket (liveWorker=off)`,
      own,
      'frames/s',
      '—',
      null,
    );
  }
  return best;
}
