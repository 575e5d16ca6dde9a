// Scenario 7: both sides down (live refused and REST answering 503): the page
// says `✕ Offline`, keeps the last data on screen marked stale, and recovers,
// with what was stored meanwhile, when the backend is back.

import { test, expect } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

test('live and REST down → Offline, last data kept and stale → recovered', async ({ backend, dashboard, figure }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  const seed = await backend.control.emit<{ id: number }>('signal', { note: 'before the outage' });
  await expect(d.signalRow(seed.id)).toBeVisible();
  const shown = await d.widgetText();
  const rows = await d.signalIds();

  const down = Date.now();
  await backend.control.faults({ liveEnabled: false, restEnabled: false });
  const offline = await d.waitForMode('offline', 20_000, down);
  figure('both_down_to_offline_ms', offline.wall - down, 0);
  expect(offline.wall - down, '● Live → ✕ Offline').toBeLessThanOrEqual(5_000);
  await expect(d.badge).toHaveText('✕ Offline');
  await expect(d.freshness).toHaveAttribute('data-state', /amber|red/, { timeout: 15_000 });
  figure('offline_to_stale_ms', Date.now() - down, 0);
  expect(await d.widgetText()).toEqual(shown);
  expect(await d.signalIds()).toEqual(rows);
  await expect(d.skeleton).toHaveCount(0);
  await expect(d.healthPanel).toHaveAttribute('open', '');
  await d.expectNoBadText();

  // Stored while the page cannot see them: they must show after recovery.
  const missed: number[] = [];
  for (let i = 0; i < 3; i++) missed.push((await backend.control.emit<{ id: number }>('signal', { note: `during outage ${i}` })).id);

  const back = Date.now();
  await backend.control.faults({ liveEnabled: true, restEnabled: true });
  const live = await d.waitForMode('live', 15_000, back);
  figure('both_back_to_live_ms', live.wall - back, 0);
  expect(live.wall - back, 'backend back → ● Live').toBeLessThanOrEqual(6_000);
  for (const id of missed) await expect(d.signalRow(id)).toHaveCount(1, { timeout: 5_000 });
  figure('gap_filled_ms', Date.now() - back, 0);
  await expect(d.freshness).toHaveAttribute('data-state', 'fresh', { timeout: 10_000 });
  const ids = await d.signalIds();
  expect(new Set(ids).size).toBe(ids.length);
  await d.expectNoBadText();
});
