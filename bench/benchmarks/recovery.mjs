// Recovery: the live side returns → `● Live` and every missed signal held.

import { startBackend } from '../backend.mjs';
import { record } from '../lib/figures.mjs';
import { DIST, ROOT, RUNS, log, openPage, sleep, waitLive } from '../lib/harness.mjs';

export const section = 'recovery';

export const method =
  "- **Recovery**: signals flow at 20/s; the live side is refused until the page leaves Live, 2 s more, then allowed again; the figure is the time until the badge says `live` and the page holds the backend's last signal id (all ids are contiguous, so the gap is filled).";

export async function run(browser) {
  const times = [];
  const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
  try {
    const { context, page } = await openPage(browser, be.url);
    await waitLive(page);
    await be.faults({ signalsPerSec: 20 });
    for (let run = 0; run < RUNS; run++) {
      await be.faults({ liveEnabled: false });
      await page.waitForFunction(() => window.__regime.mode !== 'live', undefined, { timeout: 15_000, polling: 20 });
      await sleep(2_000);
      const t0 = Date.now();
      await be.faults({ liveEnabled: true });
      // The gap is filled when the page holds every id up to what the backend
      // had stored (read first) when the page was seen Live.
      let ms = NaN;
      while (Date.now() - t0 < 30_000) {
        const last = (await be.state()).counters.lastSignalId;
        const r = await page.evaluate(() => {
          const g = window.__regime;
          const badge = document.querySelector('[data-testid="badge"]')?.getAttribute('data-mode');
          return { badge, signalsAccepted: g.signalsAccepted, firstSignalId: g.firstSignalId, lastSignalId: g.lastSignalId };
        });
        const contiguous = r.signalsAccepted === r.lastSignalId - r.firstSignalId + 1;
        if (r.badge === 'live' && r.lastSignalId >= last && contiguous) {
          ms = Date.now() - t0;
          break;
        }
        await sleep(20);
      }
      log(`recovery run ${run + 1}: ${ms} ms`);
      times.push(ms);
      await sleep(1_000);
    }
    await context.close();
  } finally {
    await be.stop();
  }
  record('recovery to Live, gap filled', times, 'ms', '≤ 3 000 ms median, ≤ 6 000 ms max', (f) => f.median <= 3000 && f.max <= 6000);
}
