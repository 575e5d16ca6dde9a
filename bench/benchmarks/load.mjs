// Cold load: first data and Live, from navigation start.

import { startBackend } from '../backend.mjs';
import { record } from '../lib/figures.mjs';
import { DIST, ROOT, RUNS, openPage, waitLive } from '../lib/harness.mjs';

export const section = 'load';

export const method =
  "- **Time to first data / to Live**: a fresh browser context per run; a MutationObserver installed before the page's scripts records, in `performance.now()` time (navigation start = 0), when the regime widget first shows a number and when the badge first says `live`. One unmeasured load comes first. The same loads with `liveWorker=off` (the page\'s own socket), interleaved run by run with the default (the Worker), so that machine load weighs on both alike.";

export async function run(browser) {
  const be = await startBackend(ROOT, DIST);
  const data = [];
  const live = [];
  const dataOwn = [];
  const liveOwn = [];
  try {
    // One unmeasured load warms the server's file cache and Chromium's code cache paths equally for every run.
    const warm = await openPage(browser, be.url);
    await waitLive(warm.page);
    await warm.context.close();
    for (let i = 0; i < RUNS * 2; i++) {
      const own = i % 2 === 1;
      const { context, page } = await openPage(browser, be.url, own ? { liveWorker: 'off' } : {});
      await waitLive(page);
      const r = await page.evaluate(() => ({
        data: window.__bench.firstData,
        live: window.__bench.modes.find((m) => m.mode === 'live').t,
      }));
      (own ? dataOwn : data).push(r.data);
      (own ? liveOwn : live).push(r.live);
      await context.close();
    }
  } finally {
    await be.stop();
  }
  record('time to first data', data, 'ms', '≤ 400 ms median', (f) => f.median <= 400);
  record('time to Live', live, 'ms', '≤ 600 ms median', (f) => f.median <= 600);
  record('time to first data, liveWorker=off', dataOwn, 'ms', '—', null);
  record('time to Live, liveWorker=off', liveOwn, 'ms', '—', null);
}
