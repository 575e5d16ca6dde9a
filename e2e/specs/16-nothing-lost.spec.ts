// Nothing lost, whatever a legal backend does: the demo backend plays each
// backend the dashboard must survive (a redeploy that renumbers from 1, REST
// that ignores `after` or caps its pages, a wrong clock, a gateway failing
// recovery, huge error bodies, odd handshakes, 1000 symbols, a proxy that
// drops the WebSocket upgrade), and the page is checked as a trader sees it.

import { test, expect } from '../support/fixtures';
import type { Dashboard } from '../pages/dashboard';
import type { Backend } from '../support/server';

test.use({ backendArgs: ['--speed', '0.001'] });

/** The row of signal `id` of backend run `run` (0: the first the page saw). */
const row = (d: Dashboard, run: number, id: number) =>
  d.page.locator(`[data-testid="signal-row"][data-run="${run}"][data-id="${id}"]`);

/** (run, id) of every signal row, in DOM order. */
async function rows(d: Dashboard): Promise<string[]> {
  return d.page.evaluate(() =>
    Array.from(document.querySelectorAll('[data-testid="signal-row"]')).map(
      (e) => `${e.getAttribute('data-run')}:${e.getAttribute('data-id')}`,
    ),
  );
}

async function emitSignals(backend: Backend, n: number, note: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await backend.control.emit<{ id: number }>('signal', { note: `${note} ${i}` })).id);
  return ids;
}

for (const [name, settings, epoch] of [
  ['plain WebSocket, no epoch', { protocol: 'native' }, false],
  ['Socket.IO, no epoch', { protocol: 'socketio' }, false],
  ['API mode, with epoch', { protocol: 'off', poll: 1000 }, true],
] as const) {
  test(`redeploy (${name}): every signal of the new run within 5 s, once; old rows marked`, async ({ backend, dashboard, figure }) => {
    const d = await dashboard(settings, backend.url);
    await d.waitForMode(settings.protocol === 'off' ? 'api' : 'live', 10_000);
    await backend.control.reset();
    const old = await emitSignals(backend, 3, 'old run');
    for (const id of old) await expect(row(d, 0, id)).toHaveCount(1, { timeout: 6_000 });

    const t0 = Date.now();
    await backend.control.restart({ epoch });
    if (settings.protocol !== 'off') await d.waitForMode('live', 10_000, t0);
    const fresh = await emitSignals(backend, 3, 'new run');
    expect(fresh, 'the backend numbers from 1 again').toEqual([1, 2, 3]);
    const sent = Date.now();
    let last = 0;
    for (const id of fresh) last = Math.max(last, await d.shownAt('signal-row', { css: `[data-testid="signal-row"][data-run="1"][data-id="${id}"]` }, 5_000));
    figure(`redeploy_${settings.protocol}_new_run_on_screen_ms`, last - sent, 0);
    expect(last - sent).toBeLessThanOrEqual(5_000);

    const all = await rows(d);
    expect(new Set(all).size, 'no row twice').toBe(all.length);
    for (const id of old) {
      await expect(row(d, 0, id)).toHaveCount(1);
      await expect(row(d, 0, id).getByTestId('before-restart')).toHaveText('before restart');
    }
    await expect(row(d, 1, 1).getByTestId('before-restart')).toHaveCount(0);
    // An Info problem: listed in the (closed) health panel, not shouted.
    const listed = await d.healthDiagnosis.allTextContents();
    expect(listed.join('\n')).toMatch(/restarted and numbers its signals from the start again/);
  });
}

test('REST that ignores after: a 300-signal gap held, about one request per poll', async ({ backend, dashboard, figure }) => {
  await backend.control.faults({ ignoreAfter: true });
  const d = await dashboard({ protocol: 'off', poll: 1000 }, backend.url);
  await d.waitForMode('api', 10_000);
  await d.page.waitForTimeout(1_500);
  const before = (await d.diag()).signalsAccepted;
  const ids = await emitSignals(backend, 300, 'gap');
  await d.waitForLastSignalId(ids[ids.length - 1], 10_000);
  await d.page.waitForTimeout(1_500);
  expect((await d.diag()).signalsAccepted - before, 'all 300 of the gap').toBe(300);
  const c0 = (await backend.control.state()).counters.signalsRequests;
  await d.page.waitForTimeout(5_000); // five quiet polls
  const c1 = (await backend.control.state()).counters.signalsRequests;
  figure('ignore_after_requests_per_quiet_poll', (c1 - c0) / 5, 1);
  expect(c1 - c0, 'no loop: about one request per poll').toBeLessThanOrEqual(8);
});

test('pages capped below the limit: after a 300-signal gap all 300 are held', async ({ backend, dashboard, figure }) => {
  await backend.control.faults({ pageCap: 100 });
  const d = await dashboard({ protocol: 'native', poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await backend.control.reset();
  await backend.control.faults({ pageCap: 100 });
  const [first] = await emitSignals(backend, 1, 'before the gap');
  await d.waitForLastSignalId(first, 5_000);
  await d.page.waitForTimeout(500);
  const before = (await d.diag()).signalsAccepted;
  await backend.control.faults({ liveEnabled: false });
  await d.waitForMode('api', 10_000);
  await backend.control.faults({ restEnabled: false });
  const gap = await emitSignals(backend, 300, 'gap');
  await backend.control.resetCounters();
  await backend.control.faults({ restEnabled: true, liveEnabled: true });
  await d.waitForLastSignalId(gap[gap.length - 1], 15_000);
  await d.page.waitForTimeout(1_500);
  const held = (await d.diag()).signalsAccepted - before;
  figure('capped_gap_signals_held', held, 0);
  figure('capped_gap_requests', (await backend.control.state()).counters.signalsRequests, 0);
  expect(held, 'all 300 of the gap').toBe(300);
});

test('a frame from a wrong clock is flagged and does not freeze the symbol', async ({ backend, dashboard }) => {
  const d = await dashboard({ protocol: 'native' }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  const symbol = await d.symbolSelect.inputValue();
  const tf = await d.tfSelect.inputValue();
  await backend.control.emit('regime', { symbol, timeframe: tf, regime: 'volatile', adx: 44.4, timestamp: '2100-01-01T00:00:00Z' });
  await expect(d.adx).toHaveText('44.4');
  await expect(d.healthDiagnosis.filter({ hasText: /clock is \d+ years ahead/ })).toHaveCount(1);
  await backend.control.emit('regime', { symbol, timeframe: tf, regime: 'range', adx: 12.3 });
  await expect(d.adx, 'a later, correct update is shown').toHaveText('12.3');
});

test('a recovery that a gateway fails while Live is retried, and not called CORS', async ({ backend, dashboard }) => {
  const d = await dashboard({ protocol: 'socketio' }, backend.url);
  await d.waitForMode('live', 10_000);
  await backend.control.reset();
  await backend.control.faults({ liveEnabled: false });
  await d.waitForMode('api', 10_000);
  await backend.control.faults({ restEnabled: false });
  const gap = await emitSignals(backend, 20, 'during the rolling restart');
  // The live side returns first; the gateway fails the next REST requests.
  const back = Date.now();
  await backend.control.faults({ restEnabled: true, gatewayFailNext: 4, liveEnabled: true });
  await d.waitForMode('live', 10_000, back);
  await d.waitForLastSignalId(gap[gap.length - 1], 20_000);
  for (const id of gap) await expect(d.signalRow(id)).toHaveCount(1);
  const text = (await d.diagnoses()).join('\n');
  expect(text).not.toMatch(/CORS\)/);
});

test('a 1 MB error body is cut, and says its length', async ({ backend, dashboard }) => {
  await backend.control.faults({ hugeErrors: true, restFailRate: 1 });
  const d = await dashboard({ protocol: 'off' }, backend.url);
  await expect(d.healthDiagnosis.first()).toBeVisible({ timeout: 10_000 });
  const sentences = await d.diagnoses();
  for (const s of sentences) expect(s.length, s.slice(0, 80)).toBeLessThan(600);
  expect(sentences.join('\n')).toMatch(/characters in all/);
});

test.describe('a handshake with pingInterval 10 ms', () => {
  test.use({ backendArgs: ['--speed', '0.001', '--sio-ping-interval-ms', '10', '--sio-ping-timeout-ms', '20000'] });
  test('is clamped and named, and no reconnect loop starts', async ({ backend, dashboard }) => {
    const d = await dashboard({ protocol: 'socketio' }, backend.url);
    await d.waitForMode('live', 10_000);
    await expect(d.healthDiagnosis.filter({ hasText: /handshake sets pingInterval to 10 ms, which cannot work/ })).toHaveCount(1, { timeout: 5_000 });
    await d.page.waitForTimeout(4_000);
    const total = (await backend.control.state()).counters.socketioConnectionsTotal;
    expect(total, 'Socket.IO connections in 4 s').toBeLessThanOrEqual(2);
    expect(await d.mode()).toBe('live');
  });
});

test.describe('a backend listing 1000 symbols', () => {
  test.use({ backendArgs: ['--speed', '0.001', '--symbols', '1000'] });
  test('is fetched a few regimes at a time, only as shown', async ({ backend, dashboard, figure }) => {
    const d = await dashboard({ protocol: 'off', poll: 2000 }, backend.url);
    await d.waitForData(15_000);
    // Slow answers, so that requests overlap unless the page bounds them.
    await backend.control.faults({ restLatencyMs: 150 });
    await backend.control.resetCounters();
    await d.page.waitForTimeout(4_500);
    const c = (await backend.control.state()).counters;
    figure('many_symbols_regime_peak_in_flight', c.regimePeakInFlight, 0);
    figure('many_symbols_regime_requests', c.regimeRequests, 0);
    expect(c.regimePeakInFlight).toBeLessThanOrEqual(4);
    // Each round: the 25 symbols of the strip at the selected timeframe,
    // and the regimes-by-timeframe matrix's 8 rows at their 2 other ones.
    expect(c.regimeRequests, 'three rounds of what is shown').toBeLessThanOrEqual(3 * (26 + 8 * 2));
  });
});

test('a proxy that drops the WebSocket upgrade is named, with what to configure', async ({ backend, dashboard }) => {
  await backend.control.faults({ websocketUpgradeRefused: true });
  const d = await dashboard({ protocol: 'socketio' }, backend.url);
  await d.waitForMode('api', 15_000);
  await expect(d.healthDiagnosis.filter({ hasText: /proxy in between does not forward WebSocket upgrades/ })).toHaveCount(1, {
    timeout: 15_000,
  });
  await expect(d.healthDiagnosis.filter({ hasText: /Upgrade and Connection headers/ })).toHaveCount(1);
});
