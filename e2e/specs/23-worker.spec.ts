// Scenario 23: the live socket in a dedicated Worker (docs/ARCHITECTURE.md,
// "The live socket in a Worker"). On each transport, with single-message
// floods (no batches on the wire):
// (a) the page is busy for a second in the middle of a flood: the Worker
//     holds the frames, and the page then takes them all, every id once,
//     nothing fetched again, and stays Live; Socket.IO with a 1 s
//     pingInterval, so the pings that came during the busy second were
//     answered through the Worker;
// (b) a slower flood (it fits the page's 500-signal store) with a Worker
//     queue of 50 frames: the Worker skips frames and says so, the page
//     asks REST `after`, and every id is stored in the end, still Live;
// and `liveWorker=off`, or a worker.js that does not load, leaves the page
// its own socket, Live.

import { test, expect, sleep } from '../support/fixtures';
import { firstSeries } from '../support/rest';
import type { Page } from '@playwright/test';

test.use({
  backendArgs: ['--speed', '0.001', '--history', '20000', '--sio-ping-interval-ms', '1000', '--sio-ping-timeout-ms', '2500'],
});

interface Live {
  liveSocket: string;
  liveGaps: number;
  liveSkipped: number;
  signalsAccepted: number;
  firstSignalId: number | null;
  lastSignalId: number | null;
  recovered: number;
  mode: string;
}

const live = (page: Page): Promise<Live> =>
  page.evaluate(() => {
    const r = (window as any).__regime;
    return {
      liveSocket: r.liveSocket,
      liveGaps: r.liveGaps,
      liveSkipped: r.liveSkipped,
      signalsAccepted: r.signalsAccepted,
      firstSignalId: r.firstSignalId,
      lastSignalId: r.lastSignalId,
      recovered: r.recovered,
      mode: r.mode,
    };
  });

/** The main thread does nothing else for `ms`. */
const busy = (page: Page, ms: number) =>
  page.evaluate((ms) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      /* busy */
    }
  }, ms);

for (const protocol of ['native', 'socketio'] as const) {
  for (const [queue, perSec] of [[undefined, 3000], [50, 400]] as const) {
    const what = queue ? `a queue of ${queue}: the gap is reported and recovered` : 'every frame held and delivered';
    test(`worker over ${protocol}, page busy 1 s in a flood, ${what}`, async ({ page, backend, dashboard, figure }) => {
      const { symbol, tf } = await firstSeries(backend.url);
      const d = await dashboard({ symbol, tf, protocol, ...(queue ? { liveQueue: queue } : {}) }, backend.url);
      await d.waitForMode('live', 10_000);
      await d.waitForData();
      const start = await live(page);
      expect(start.liveSocket, 'the Worker holds the socket').toBe('worker');
      const s0 = (await backend.control.state()).counters;
      const connections0 = s0.plainConnectionsTotal + s0.socketioConnectionsTotal;

      await backend.control.faults({ floodPerSec: perSec });
      await sleep(300);
      await busy(page, 1000);
      await sleep(300);
      await backend.control.faults({ floodPerSec: 0 });
      const s1 = (await backend.control.state()).counters;
      await d.waitForLastSignalId(s1.lastSignalId, 10_000);
      // Every id from the first held to the backend's last, exactly once.
      await page
        .waitForFunction(
          () => {
            const r = (window as any).__regime;
            return r.signalsAccepted === r.lastSignalId - r.firstSignalId + 1;
          },
          undefined,
          { timeout: 10_000, polling: 100 },
        )
        .catch(async (e) => {
          throw new Error(`not every id once: ${JSON.stringify(await live(page))} ${await d.diagnoses()}: ${e}`);
        });
      const end = await live(page);
      const events = s1.lastSignalId - s0.lastSignalId;
      figure(`${protocol}_${queue ?? 'default'}_flood_events`, events);
      figure(`${protocol}_${queue ?? 'default'}_skipped`, end.liveSkipped);
      expect(events, 'a real flood').toBeGreaterThan(perSec);
      expect(end.lastSignalId).toBe(s1.lastSignalId);
      expect(end.liveSocket).toBe('worker');
      if (queue) {
        expect(end.liveGaps, 'the Worker reported a gap').toBeGreaterThan(start.liveGaps);
        expect(end.liveSkipped, 'frames were skipped').toBeGreaterThan(0);
        expect(end.recovered - start.recovered, 'REST `after` brought them back').toBeGreaterThan(0);
        await expect(d.healthDiagnosis.filter({ hasText: 'fell behind a fast feed' })).toHaveCount(1);
      } else {
        expect(end.liveGaps, 'no gap').toBe(0);
        expect(end.liveSkipped, 'nothing skipped').toBe(0);
      }
      const s2 = (await backend.control.state()).counters;
      expect(s2.plainConnectionsTotal + s2.socketioConnectionsTotal, 'the session stayed up (pings answered)').toBe(connections0);
      expect(s2.plainLagged + s2.socketioDropped, 'the backend skipped nothing').toBe(s0.plainLagged + s0.socketioDropped);
      expect(await d.mode()).toBe('live');
      await expect(d.panicMessage).toHaveCount(0);
    });
  }
}

test('liveWorker=off keeps the page its own socket', async ({ page, backend, dashboard }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, protocol: 'socketio', liveWorker: 'off' }, backend.url);
  await d.waitForMode('live', 10_000);
  expect((await live(page)).liveSocket).toBe('page');
});

test('a worker.js that fails to load: the page opens the socket itself, Live at once', async ({ page, backend, dashboard }) => {
  let asked = 0;
  await page.context().route('**/worker.js*', (route) => {
    asked++;
    return route.fulfill({ status: 404, body: 'not here' });
  });
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, protocol: 'native' }, backend.url);
  await d.waitForMode('live', 10_000);
  const s = await live(page);
  expect(asked, 'the page asked for its Worker').toBeGreaterThan(0);
  expect(s.liveSocket).toBe('page');
  const c = (await backend.control.state()).counters;
  expect(c.plainConnectionsTotal, 'no failed attempt first: one connection').toBe(1);
});
