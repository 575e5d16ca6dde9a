// Scenario 3: the live side is dropped. The page says `○ API` within 2 s,
// REST polling (poll=1000) keeps the data fresh, and the page is back to
// `● Live` within 6 s of the live side's return, with nothing missed.

import { test, expect } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

test('live dropped → API within 2 s → polling keeps data fresh → Live within 6 s', async ({ backend, dashboard, figure }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();

  const dropped = Date.now();
  await backend.control.faults({ liveEnabled: false });
  const api = await d.waitForMode('api', 10_000, dropped);
  const toApi = api.wall - dropped;
  figure('drop_to_api_ms', toApi, 0);
  expect(toApi, '● Live → ○ API').toBeLessThanOrEqual(2_000);
  await expect(d.badge).toHaveText('○ API');

  // Polling brings what the backend stores: a signal, then a regime change.
  let t0 = Date.now();
  const sig = await backend.control.emit<{ id: number }>('signal', { symbol, timeframe: tf, note: 'while polling' });
  figure('api_signal_delay_ms', (await d.signalShownAt(sig.id, 2_500)) - t0, 0);
  t0 = Date.now();
  await backend.control.emit('regime', { symbol, timeframe: tf, regime: 'volatile', adx: 41.3, atrPct: 0.0412 });
  figure('api_regime_delay_ms', (await d.shownAt('adx-value', { text: /^41\.3$/ }, 2_500)) - t0, 0);
  await expect(d.regimeLabel).toHaveAttribute('data-regime', 'volatile');
  await expect(d.freshness).toHaveAttribute('data-state', 'fresh');
  // Still fresh after several polling periods with nothing new.
  await d.page.waitForTimeout(4_000);
  await expect(d.freshness).toHaveAttribute('data-state', 'fresh');
  expect(await d.mode()).toBe('api');

  // A signal stored just before the return, and one right after, each shown once.
  const before = await backend.control.emit<{ id: number }>('signal', { note: 'just before return' });
  const back = Date.now();
  await backend.control.faults({ liveEnabled: true });
  const after = await backend.control.emit<{ id: number }>('signal', { note: 'just after return' });
  const live = await d.waitForMode('live', 15_000, back);
  const toLive = live.wall - back;
  figure('return_to_live_ms', toLive, 0);
  expect(toLive, 'live side back → ● Live').toBeLessThanOrEqual(6_000);
  for (const id of [before.id, after.id]) await expect(d.signalRow(id)).toHaveCount(1);

  // Live again: a new signal arrives without waiting for a poll.
  t0 = Date.now();
  const live2 = await backend.control.emit<{ id: number }>('signal', { note: 'live again' });
  figure('live_again_signal_latency_ms', (await d.signalShownAt(live2.id, 1_000)) - t0, 0);

  const ids = await d.signalIds();
  expect(new Set(ids).size, 'no signal row twice').toBe(ids.length);
  await d.expectNoBadText();
});
