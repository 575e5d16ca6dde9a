// Cold load: first data and Live, from navigation start.

import { startBackend } from '../backend.mjs';
import { record } from '../lib/figures.mjs';
import { DIST, ROOT, RUNS, log, openPage, waitLive } from '../lib/harness.mjs';

export const section = 'load';

export const method =
  "- **Time to first data / to Live**: a fresh browser context per run; a MutationObserver installed before the page's scripts records, in `performance.now()` time (navigation start = 0), when the regime widget first shows a number and when the badge first says `live`. One unmeasured load comes first. The same loads with `liveWorker=off` (the page\'s own socket), interleaved run by run with the default (the Worker), so that machine load weighs on both alike.\n" +
  "- **First paint from storage**: one browser context loads the page to Live and leaves it (the page keeps its last view in `localStorage` on `pagehide`); the backend then answers every `/api/` request 3000 ms late, and the page is reloaded once per run. The same observer records when the regime widget shows a number and when the first signal row is drawn, from navigation start: the number must come while the stored view's note is up (from storage, not from REST: a run where it does not is not counted), the signal rows in the same frame as the widget, and, in as many reloads more with REST answering at once, the list must not go blank while the fresh data replaces the stored view (the time it has no row, summed).";

/** REST answers this late during the reloads: anything painted sooner came from storage. */
const STORED_LATENCY_MS = 3000;

/**
 * Times, from navigation start, when the widget's number first shows (and
 * whether the stored view's note was up then: the number came from
 * storage), when the first signal row is drawn, and how long the list was
 * blank again after that.
 */
function storedProbe() {
  const p = { data: null, fromStorage: false, signal: null, blankMs: 0, blankSince: null };
  window.__stored = p;
  new MutationObserver(() => {
    const now = performance.now();
    if (p.data === null) {
      const adx = document.querySelector('[data-testid="adx-value"]');
      if (adx && /\d/.test(adx.textContent || '')) {
        p.data = now;
        p.fromStorage = !!document.querySelector('[data-testid="restored-note"]');
      }
    }
    const rows = document.querySelector('[data-testid="signal-row"]') !== null;
    if (p.signal === null && rows) p.signal = now;
    if (p.signal !== null && !rows && p.blankSince === null) p.blankSince = now;
    if (rows && p.blankSince !== null) {
      p.blankMs += now - p.blankSince;
      p.blankSince = null;
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

/** Waits until the backend answers no `/api/regime` request (twice, 300 ms apart). */
async function idle(be, maxMs = 20_000) {
  const end = Date.now() + maxMs;
  let quiet = 0;
  while (Date.now() < end && quiet < 2) {
    quiet = (await be.state()).counters.regimeInFlight === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Reloads a page whose view is in storage, REST slowed: the stored paint, timed. */
export async function storedReloads(browser) {
  const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
  const data = [];
  const signals = [];
  const blank = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(storedProbe);
    await page.goto(`${be.url}/`, { waitUntil: 'commit' });
    await page.waitForFunction(() => document.querySelector('[data-testid="badge"]')?.getAttribute('data-mode') === 'live', undefined, {
      timeout: 15_000,
      polling: 50,
    });
    await page.waitForSelector('[data-testid="signal-row"]', { timeout: 15_000 });
    await be.faults({ restLatencyMs: STORED_LATENCY_MS });
    for (let i = 0; i < RUNS; i++) {
      await page.reload({ waitUntil: 'commit' });
      await page.waitForFunction(() => window.__stored?.data !== null && window.__stored?.signal !== null, undefined, {
        timeout: 15_000,
        polling: 20,
      });
      // Fresh data in again (the stored view's note gone) before the next
      // reload, so that it is the one kept.
      await page.waitForFunction(() => !document.querySelector('[data-testid="restored-note"]'), undefined, { timeout: 15_000, polling: 50 });
      const r = await page.evaluate(() => window.__stored);
      // No request of this page still waiting for its late answer: the
      // next load must not queue behind them for the browser's few
      // connections to the host.
      await idle(be);
      log(`reload ${i + 1}: widget at ${Math.round(r.data)} ms${r.fromStorage ? ' (stored)' : ''}, first signal row at ${Math.round(r.signal)} ms`);
      data.push(r.fromStorage ? r.data : NaN);
      signals.push(r.fromStorage ? r.signal - r.data : NaN);
    }
    // Fresh answers at once: they replace the stored view within the first
    // frames, when the list could go blank between the two.
    await be.faults({ restLatencyMs: 0 });
    for (let i = 0; i < RUNS; i++) {
      await page.reload({ waitUntil: 'commit' });
      await page.waitForFunction(() => window.__stored?.signal !== null, undefined, { timeout: 15_000, polling: 20 });
      await page.waitForFunction(() => !document.querySelector('[data-testid="restored-note"]'), undefined, { timeout: 15_000, polling: 50 });
      await page.waitForSelector('[data-testid="signal-row"]', { timeout: 15_000 });
      const r = await page.evaluate(() => window.__stored);
      log(`fresh reload ${i + 1}: list blank ${Math.round(r.blankMs)} ms while fresh data replaced the stored`);
      blank.push(r.blankMs);
      await idle(be);
    }
  } finally {
    await context.close();
    await be.stop();
  }
  record('first paint from storage', data, 'ms', '≤ 300 ms median, before any REST answer', (f) => f.median <= 300);
  record('stored signals after the stored widget', signals, 'ms', '0 ms: the same frame', (f) => f.max <= 0);
  record('signals list blank while fresh data replaces the stored', blank, 'ms', '0 ms', (f) => f.max <= 0);
}

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
  await storedReloads(browser);
}
