// Scenario 17: what a trader sees in every state is honest — a price is
// never older than it says, the badge never claims more than arrives, and
// bad states do not contradict themselves.

import { test, expect } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

const num = (s: string) => new RegExp(s.replace(/,/g, '[,\\s\\u202f\\u00a0]?').replace(/\./g, '\\.'));

test('1. after Live drops, the price is the newest from any source and its age is its own', async ({ backend, dashboard, figure }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  const price = d.page.getByTestId('price-age');

  // A live tick: the price is the tick's.
  await backend.control.emit('price', { symbol, price: 59276.8 });
  await expect(d.lastPrice).toHaveText(num('59,276.80'));
  await expect(d.lastPrice).toHaveAttribute('data-source', 'tick');

  // Live drops; REST's close moves on: the price follows it, not the frozen tick.
  await backend.control.faults({ liveEnabled: false });
  await d.waitForMode('api', 10_000);
  await d.page.waitForTimeout(3_000);
  const t0 = Date.now();
  await backend.control.emit('regime', { symbol, timeframe: tf, regime: 'range', adx: 18, atrPct: 0.01, close: 59094.5 });
  figure('rest_close_shown_ms', (await d.shownAt('last-price', { text: num('59,094.50') }, 3_000)) - t0, 0);
  await expect(d.lastPrice).toHaveAttribute('data-source', 'snapshot');
  // Its age is that of the REST answer that brought it (poll=1000), not of the tick 3 s earlier.
  const age = Number((await price.textContent())?.match(/(\d+) s ago/)?.[1]);
  figure('price_age_after_drop_s', age, 0);
  expect(age).toBeLessThanOrEqual(1);
  await expect(d.freshness).toHaveText(/^regime updated \d+ s ago/);
});

test('2a. with REST answering 500, the page picks its market from live data and draws it', async ({ backend, dashboard }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  await backend.control.faults({ restFailRate: 1 });
  const d = await dashboard({}, backend.url);
  // Connected, but nothing came yet (no market chosen, no snapshot): amber.
  await d.waitForMode('quiet', 10_000);
  await backend.control.emit('regime', { symbol, timeframe: tf, regime: 'trend_up', adx: 31.5, atrPct: 0.012, close: 4321.5 });
  await expect(d.regimeLabel).toHaveAttribute('data-regime', 'trend_up', { timeout: 3_000 });
  await expect(d.badge).toHaveAttribute('data-mode', 'live');
  await expect(d.adx).toHaveText('31.5');
  await expect(d.lastPrice).toHaveText(num('4,321.50'));
  await expect(d.symbolSelect).toHaveValue(symbol);
  await expect(d.tfSelect).toHaveValue(tf);
  await expect(d.regimeWidget.getByTestId('skeleton')).toHaveCount(0);
});

test('2b. with 60 % of REST calls failing, the badge does not flip API ↔ Offline every few seconds', async ({ backend, dashboard, figure }) => {
  test.setTimeout(60_000);
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  await backend.control.faults({ liveEnabled: false });
  await d.waitForMode('api', 10_000);
  const start = Date.now();
  await backend.control.faults({ restFailRate: 0.6 });
  await d.page.waitForTimeout(20_000);
  const flips = (await d.modeLog()).filter((m) => m.wall >= start && (m.mode === 'api' || m.mode === 'offline')).length;
  figure('api_offline_flips_in_20s', flips, 0);
  // Unheld, the core flips at about every other answer (once a second here).
  expect(flips, 'badge changes between API and Offline in 20 s').toBeLessThanOrEqual(4);
  await d.expectNoBadText();
});

test('3. the badge says what the trader gets: API with its delay beside it', async ({ backend, dashboard, figure }) => {
  // (A live connection that brings no regime event turns amber "◐ Live, no
  // data": 04-silent-connection pins it, the core's warning takes 30 s.)
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  const live = await d.waitForMode('live', 10_000);
  // Green once data came on the connection (the backend's snapshot at subscribe).
  const before = (await d.modeLog()).filter((m) => m.t < live.t).map((m) => m.mode);
  expect(before.includes('live'), 'no Live before it').toBe(false);
  figure('page_start_to_live_ms', live.t, 0);
  await expect(d.badge).toHaveText('● Live');
  await expect(d.page.getByTestId('badge-meaning')).toHaveText('');
  await backend.control.faults({ liveEnabled: false });
  await d.waitForMode('api', 10_000);
  await expect(d.badge).toHaveText('○ API');
  await expect(d.page.getByTestId('badge-meaning')).toHaveText('delayed, every 1 s');
  await expect(d.page.getByTestId('badge-meaning')).toBeVisible();
});

test('3a. connected but nothing comes: amber, never a green Live, until data flows', async ({ backend, dashboard, figure }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  // Socket.IO connects and pings, but sends no event (not even the snapshot at subscribe).
  await backend.control.faults({ socketioSilent: true });
  const d = await dashboard({ symbol, tf, protocol: 'socketio' }, backend.url);
  await d.waitForMode('quiet', 10_000);
  await expect(d.badge).toHaveText('◐ Live, no data');
  await expect(d.page.getByTestId('badge-meaning')).toHaveText('waiting for data');
  await expect(d.healthPanel.locator('.health-line')).not.toContainText('all good');
  await d.page.waitForTimeout(2_000);
  expect((await d.modeLog()).map((m) => m.mode), 'no Live while nothing came').not.toContain('live');
  // The first market event turns it green.
  await backend.control.faults({ socketioSilent: false });
  const t0 = Date.now();
  await backend.control.emit('price', { symbol, price: 59276.8 });
  const live = await d.waitForMode('live', 3_000, t0);
  figure('first_data_to_live_ms', live.wall - t0, 0);
  await expect(d.page.getByTestId('badge-meaning')).toHaveText('');
});

test('3b. a signals flood: the count says how many arrived, the rate names what it counts and is gone soon after', async ({ backend, dashboard, figure }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  const count = d.page.getByTestId('signals-count');
  const rate = d.page.getByTestId('health-rate');
  await backend.control.faults({ floodPerSec: 2000 });
  // The list keeps the newest 500 and says how many arrived.
  await expect(count).toHaveText(/^500 newest of \d+ received$/, { timeout: 8_000 });
  await expect(rate).toHaveText(/^[1-9][\d,.\s\u202f\u00a0]* msg\/s$/);
  // Signals flow: whatever the badge says, it is not "no data".
  await expect(d.badge).not.toContainText('no data');
  await backend.control.faults({ floodPerSec: 0 });
  const ended = Date.now();
  await expect(rate).toHaveText('0.0 msg/s', { timeout: 5_000 });
  const gone = Date.now() - ended;
  figure('flood_rate_gone_ms', gone, 0);
  expect(gone, 'the rate falls to nothing within about 2 s of the flood').toBeLessThanOrEqual(3_000);
  await expect(d.healthPanel.locator('.health-line')).not.toContainText('/s');
  const received = Number((await count.textContent())?.match(/of (\d+) received/)?.[1]);
  figure('flood_signals_received', received, 0);
  expect(received).toBeGreaterThan(500);
  // The table builds the rows that fill the window; scrolled to its end,
  // the newest 100.
  expect(await d.signalRows.count()).toBeLessThan(100);
  expect((await d.allSignalIds()).length).toBe(100);
});

/** The elements among `selector` whose text is wider than their box (clipped or ellipsised). */
const clipped = (d: { page: import('@playwright/test').Page }, selector: string) =>
  d.page.evaluate((sel) => [...document.querySelectorAll<HTMLElement>(sel)]
    .filter((e) => e.scrollWidth > e.clientWidth + 0.5)
    .map((e) => `${e.dataset.testid ?? e.className}: ${e.textContent} (${e.clientWidth}/${e.scrollWidth} px)`), selector);

test('4a. desktop: no number, timeframe or side badge is clipped; a regime change does not grow the card', async ({ backend, dashboard, figure }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf }, backend.url);
  await d.page.setViewportSize({ width: 1440, height: 900 });
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  // range → trend down at the same price: the row kept its height (it grew 40 px).
  const regime = (r: string, close: number) =>
    backend.control.emit('regime', { symbol, timeframe: tf, regime: r, adx: 31, atrPct: 0.01, close });
  await regime('range', 59276.8);
  await expect(d.regimeLabel).toHaveAttribute('data-regime', 'range');
  await expect(d.lastPrice).toHaveText(num('59,276.80'));
  const before = (await d.regimeWidget.boundingBox())?.height ?? 0;
  await regime('trend_down', 59276.8);
  await expect(d.regimeLabel).toHaveAttribute('data-regime', 'trend_down');
  const after = (await d.regimeWidget.boundingBox())?.height ?? 0;
  figure('regime_card_growth_px', after - before, 0);
  expect(Math.abs(after - before)).toBeLessThanOrEqual(1);

  // A nine-digit price, a 15m SHORT signal with a long note: nothing clipped.
  await regime('trend_down', 123456789.12);
  const sig = await backend.control.emit<{ id: number }>('signal', {
    symbol, timeframe: '15m', side: 'short', price: 123456789.12, strategy: 'breakout', note: 'a long note '.repeat(12),
  });
  const row = d.signalRow(sig.id);
  await expect(row).toBeVisible({ timeout: 3_000 });
  await expect(d.lastPrice).toHaveText(num('123,456,789.12'));
  await expect(row.getByTestId('signal-tf')).toHaveText('15m');
  await expect(row.getByTestId('signal-price')).toHaveText(num('123,456,789.12'));
  // (The note is free text: on one line it may end in "…", and it opens.)
  const bad = await clipped(d, '[data-testid=signal-row] td:not(.note), [data-testid=signal-row] .side, table.signals th, .sparkline-readout, [data-testid=last-price], .regime-label');
  expect(bad, 'clipped').toEqual([]);
  const note = await row.getByTestId('signal-note').evaluate((e) => e.clientWidth);
  figure('note_width_px', note, 0);
  // The note has real width (it had 50 px and read "a l…").
  expect(note).toBeGreaterThanOrEqual(120);
  // Cut, it opens whole: a click opens that note, "Full notes" every note.
  const noteCell = row.getByTestId('signal-note');
  const cut = `[data-testid=signal-row][data-id="${sig.id}"] td.note`;
  expect(await clipped(d, cut), 'the long note is cut on one line').toHaveLength(1);
  await noteCell.click();
  expect(await clipped(d, cut), 'a clicked note is whole').toEqual([]);
  await noteCell.click();
  expect(await clipped(d, cut)).toHaveLength(1);
  const toggle = d.page.getByTestId('notes-toggle');
  await toggle.press('Enter');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  expect(await clipped(d, '[data-testid=signal-row] td.note'), 'Full notes: every note whole').toEqual([]);
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  // A 40-character symbol wraps in its column rather than ending in "…".
  const long = 'L'.repeat(36) + 'USDT';
  const longSig = await backend.control.emit<{ id: number }>('signal', { symbol: long, timeframe: tf, side: 'long', price: 1.5 });
  await expect(d.signalRow(longSig.id)).toBeVisible({ timeout: 3_000 });
  await expect(d.signalRow(longSig.id).getByTestId('signal-symbol')).toHaveText(long);
  expect(await clipped(d, `[data-testid=signal-row][data-id="${longSig.id}"] td:not(.note)`), 'a long symbol clipped').toEqual([]);
  // The price fits its column on one line.
  const price = await row.getByTestId('signal-price').evaluate((e) => e.getBoundingClientRect().height);
  // One line is 29 px with the cell's padding, two 48.
  expect(price, 'the price on one line').toBeLessThan(40);
});

test('4b. phone: a 40-character symbol neither pans the page nor hides the side', async ({ backend, dashboard, figure }) => {
  const { tf } = await firstSeries(backend.url);
  const long = 'L'.repeat(36) + 'USDT';
  // REST failing: the page takes its market from live data, so the long symbol is picked.
  await backend.control.faults({ restFailRate: 1 });
  const d = await dashboard({}, backend.url);
  await d.page.setViewportSize({ width: 390, height: 844 });
  await d.waitForMode('quiet', 10_000);
  await backend.control.emit('regime', { symbol: long, timeframe: tf, regime: 'range', adx: 18, atrPct: 0.01, close: 1.5 });
  await expect(d.symbolSelect).toHaveValue(long, { timeout: 3_000 });
  const sig = await backend.control.emit<{ id: number }>('signal', { symbol: long, timeframe: tf, side: 'short', price: 1.5 });
  await expect(d.signalRow(sig.id)).toBeVisible({ timeout: 3_000 });
  const widths = await d.page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    picker: document.querySelector('[data-testid=symbol-select]')!.getBoundingClientRect().right,
  }));
  const side = await d.signalRow(sig.id).locator('.side').boundingBox();
  figure('phone_page_width_px', widths.page, 0);
  figure('phone_picker_right_px', widths.picker, 0);
  figure('phone_side_badge_px', side?.width ?? 0, 0);
  expect(widths.page).toBeLessThanOrEqual(390);
  expect(widths.picker).toBeLessThanOrEqual(390);
  expect(side?.width ?? 0).toBeGreaterThanOrEqual(40);
  await expect(d.signalRow(sig.id).getByTestId('signal-symbol')).toHaveText(long);
  expect(await clipped(d, '.health-line, [data-testid=signal-row] td:not(.note):not(.strategy)'), 'clipped on the phone').toEqual([]);
  // The toggles carry their words, not bare symbols, and stay on the screen.
  for (const [id, word] of [['theme-toggle', /^(Auto|Dark|Light)$/], ['sound-toggle', /^Sound (on|off)$/], ['notify-toggle', /^Notify (on|off)$/], ['utc-toggle', /^UTC$/]] as const) {
    const t = d.page.getByTestId(id);
    await expect(t.locator('.toggle-word'), id).toHaveText(word);
    await expect(t.locator('.toggle-word'), `${id} shows its word`).toBeVisible();
    expect(await t.locator('.toggle-word').evaluate((e) => e.getBoundingClientRect().width), `${id}: its word is not clipped to nothing`).toBeGreaterThan(15);
    const box = await t.boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0), `${id} on screen`).toBeLessThanOrEqual(390);
  }
});

for (const [w, h] of [[1440, 900], [390, 844]]) {
  test(`4c. the symbol cards and the regime card take exactly the room of their skeletons (${w} px)`, async ({ backend, page, dashboard, figure }) => {
    const { symbol, tf } = await firstSeries(backend.url);
    await backend.control.faults({ restLatencyMs: 1500 });
    await page.setViewportSize({ width: w, height: h });
    const d = await dashboard({ symbol, tf }, backend.url);
    const box = () => d.page.evaluate(() => ({
      h: document.querySelector('.area-overview')!.getBoundingClientRect().height,
      below: document.querySelector('.area-regime')!.getBoundingClientRect().top,
      sparks: document.querySelector('.area-sparks')!.getBoundingClientRect().top,
    }));
    await expect(d.page.getByTestId('overview').getByTestId('skeleton')).toBeVisible({ timeout: 5_000 });
    await expect(d.page.getByTestId('regime-widget').getByTestId('skeleton')).toBeVisible();
    const skeleton = await box();
    await backend.control.faults({ restLatencyMs: 0 });
    await expect(d.page.getByTestId('overview-item').first()).toBeVisible({ timeout: 10_000 });
    await expect(d.page.getByTestId('overview').getByTestId('skeleton')).toHaveCount(0);
    await expect(d.page.getByTestId('regime-widget').getByTestId('skeleton')).toHaveCount(0);
    await expect(d.page.getByTestId('adx-value')).toHaveText(/\d/);
    const cards = await box();
    figure(`overview_shift_${w}_px`, cards.below - skeleton.below, 1);
    expect(Math.abs(cards.h - skeleton.h), 'the overview\'s height').toBeLessThanOrEqual(1);
    expect(Math.abs(cards.below - skeleton.below), 'what is below it moved').toBeLessThanOrEqual(1);
    // The regime card's skeleton holds the room of its numbers too: the
    // sparklines under it stay where they were (they moved 173 px before).
    figure(`regime_card_shift_${w}_px`, cards.sparks - skeleton.sparks, 1);
    expect(Math.abs(cards.sparks - skeleton.sparks), 'the sparklines under the regime card moved').toBeLessThanOrEqual(1);
  });
}

test('5. Offline does not contradict itself: no REST claim, no stale counts, every card marked stale, the stale line legible', async ({ backend, dashboard, figure }) => {
  test.setTimeout(60_000);
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  await backend.control.faults({ liveEnabled: false, restEnabled: false });
  await d.waitForMode('offline', 30_000);
  await expect(d.page.getByTestId('badge-meaning')).toHaveText('not updating');
  // Let a few retries pass: a sentence that stands must still be true.
  await d.page.waitForTimeout(4_000);
  const panel = (await d.healthPanel.textContent()) ?? '';
  for (const contradiction of ['REST API meanwhile', 'time(s)', 'retrying in', 'TypeError']) {
    expect(panel, `health panel says ${JSON.stringify(contradiction)}`).not.toContain(contradiction);
  }
  await expect(d.page.getByTestId('grid')).toHaveClass(/stale-data/);
  const frames = await d.page.evaluate(() =>
    ['.chart-card', '.area-sparks', '.signals-card', '.regime-card'].map((sel) => getComputedStyle(document.querySelector(sel)!).borderTopStyle));
  expect(frames, 'chart, sparklines, signals, regime framed as stale').toEqual(['dashed', 'dashed', 'dashed', 'dashed']);
  // The line that says "offline, not updating" is not faded with the numbers.
  const opacity = await d.freshness.evaluate((e) => {
    let o = 1;
    for (let n: Element | null = e; n; n = n.parentElement) o *= Number(getComputedStyle(n).opacity);
    return o;
  });
  figure('stale_line_opacity', opacity, 2);
  expect(opacity).toBe(1);
  await expect(d.freshness).toHaveText(/offline, not updating/);
});

test('6. the page paints its name and "loading" before the WebAssembly, and Reconnect stays calm while connecting', async ({ backend, page, dashboard }) => {
  // Hold the .wasm back: what the trader sees meanwhile comes from index.html alone.
  let release = () => {};
  const held = new Promise<void>((r) => { release = r; });
  await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  const { symbol, tf } = await firstSeries(backend.url);
  // The live side refuses: the page stays Connecting for a while, then API.
  await backend.control.faults({ liveEnabled: false });
  const d = await dashboard({ symbol, tf }, backend.url);
  await expect(page.getByTestId('boot-status')).toHaveText('Loading the dashboard…');
  await expect(page.locator('.brand-name')).toHaveText('Regime');
  // Sample the badge and the button at every frame from the app's start.
  const sampling = page.evaluate(async () => {
    const out: [string | null, boolean][] = [];
    const t0 = performance.now();
    while (performance.now() - t0 < 8_000) {
      const b = document.querySelector('[data-testid=badge]');
      const r = document.querySelector('[data-testid=reconnect]');
      if (b && r) out.push([b.getAttribute('data-mode'), r.classList.contains('btn-primary')]);
      if (b?.getAttribute('data-mode') === 'api') break;
      await new Promise((f) => requestAnimationFrame(f));
    }
    return out;
  });
  release();
  const samples = await sampling;
  await expect(page.getByTestId('boot-status')).toHaveCount(0);
  await expect(page.locator('.brand-name')).toHaveCount(1);
  const connecting = samples.filter(([m]) => m === 'connecting');
  expect(connecting.length, 'frames seen while Connecting').toBeGreaterThan(0);
  expect(connecting.filter(([, primary]) => primary), 'a blue Reconnect while only Connecting').toEqual([]);
  await d.waitForMode('api', 20_000);
  await expect(d.reconnect).toHaveClass(/btn-primary/);
});

test('7. labelled symbol cards, a chart legend, toasts with their time and a long message folded', async ({ backend, dashboard, figure }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf }, backend.url);
  await d.page.setViewportSize({ width: 1440, height: 900 });
  await d.waitForMode('live', 10_000);
  await expect(d.page.getByTestId('overview-item').first().locator('.ov-adx')).toHaveText(/^ADX \d+(\.\d)?$/, { timeout: 10_000 });
  await expect(d.page.getByTestId('chart-legend').locator('li')).toHaveText(['trend up', 'trend down', 'range', 'volatile']);
  // A 470-character message: its start in the toast, the whole on a click.
  await backend.control.emit('regime:alert', { symbol, timeframe: tf, from: 'range', to: 'trend_up', adx: 27.1, atrPct: 0.018, message: 'word '.repeat(94) });
  const toast = d.page.getByTestId('toast').first();
  await expect(toast).toBeVisible({ timeout: 3_000 });
  await expect(toast.getByTestId('toast-time')).toHaveText(/^\d\d:\d\d(:\d\d)?/);
  const height = (await toast.boundingBox())?.height ?? 0;
  figure('long_message_toast_height_px', height, 0);
  // Unfolded, the 470 characters took 8 lines (about 170 px).
  expect(height).toBeLessThanOrEqual(120);
  await toast.locator('summary').click();
  await expect(toast.locator('details')).toHaveAttribute('open', '');
});
