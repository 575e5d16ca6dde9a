// The browser's ceiling: the same ladder as the flood for a page that does
// nothing but receive, JSON.parse and count. No page of ours can beat it; it
// says what the flood figure can reach on this machine and browser.

import { startBackend } from '../backend.mjs';
import { openBare, openBareWorker } from '../lib/bare.mjs';
import { record } from '../lib/figures.mjs';
import { DIST, ROOT, RUNS, log, settle, sleep } from '../lib/harness.mjs';
import { FLOOD_WINDOW_MS, LADDER } from './flood.mjs';

export const section = 'ceiling';

export const method =
  '- **Browser ceiling**: the flood ladder again, for a blank page (`/api/health`) holding one raw socket of the transport whose `onmessage` only runs `JSON.parse` and counts. A step passes when the backend skipped nothing and the page counted every frame sent. No page can ingest more than this on the same machine and browser: the flood figure is read against it. The **bare Worker** is the same blank page whose socket lives in a dedicated Worker that only receives and counts (posting its count every 50 ms): the ceiling of the page\'s Worker path.';

async function bareStep(be, page, rate) {
  const s0 = (await be.state()).counters;
  const n0 = await page.evaluate(() => window.__bare.n);
  const t0 = Date.now();
  await be.faults({ floodPerSec: rate });
  await sleep(FLOOD_WINDOW_MS);
  await be.faults({ floodPerSec: 0 });
  const secs = (Date.now() - t0) / 1000;
  const last = await settle(page, () => window.__bare.n);
  const s1 = (await be.state()).counters;
  const sent = s1.messagesSent - s0.messagesSent;
  const skipped = s1.plainLagged - s0.plainLagged + (s1.socketioDropped - s0.socketioDropped);
  const counted = last - n0;
  return { rate, achieved: sent / secs, sent, counted, skipped, ok: skipped === 0 && counted >= sent && counted - sent <= 10 };
}

export async function run(browser) {
  for (const [protocol, inWorker] of [
    ['socketio', false],
    ['socketio', true],
    ['native', false],
    ['native', true],
  ]) {
    const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
    const results = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        const { context, page } = await (inWorker ? openBareWorker : openBare)(browser, be, protocol);
        let highest = 0;
        for (const rate of LADDER) {
          const r = await bareStep(be, page, rate);
          log(
            `ceiling ${protocol}${inWorker ? ' (bare Worker)' : ''} run ${run + 1} at ${rate}/s: sent ${r.sent} (${Math.round(r.achieved)}/s), counted ${r.counted}, ` +
              `skipped ${r.skipped} → ${r.ok ? 'ok' : 'FAIL'}`,
          );
          if (!r.ok) break;
          highest = r.achieved;
          await sleep(300);
        }
        results.push(highest);
        await context.close();
      }
    } finally {
      await be.stop();
    }
    record(
      `browser ceiling, ${protocol === 'socketio' ? 'Socket.IO' : 'plain WebSocket'}: ${
        inWorker ? 'bare Worker, receive + count only' : 'bare page, receive + JSON.parse only'
      }`,
      results,
      'frames/s',
      '—',
      null,
    );
  }
}
