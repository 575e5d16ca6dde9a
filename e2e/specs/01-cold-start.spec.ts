// Scenario 1: cold start. The page shows REST data before the live side
// connects (the live side is switched off until the data is on screen), and
// against a healthy backend it is `● Live` within 2 s of navigation start.

import { test, expect } from '../support/fixtures';
import { firstSeries, getJson } from '../support/rest';

test.describe('cold start', () => {
  test.use({ backendArgs: ['--speed', '0.001'] });

  test('REST data is on screen before the live side connects, then Live', async ({ backend, dashboard, figure }) => {
    const { symbol, tf } = await firstSeries(backend.url);
    // Signals stored before load must come from REST too.
    await backend.control.faults({ liveEnabled: false });
    const emitted: number[] = [];
    for (let i = 0; i < 3; i++) emitted.push((await backend.control.emit<{ id: number }>('signal', { note: `before load ${i}` })).id);
    const snap = await getJson(backend.url, `/api/regime?symbol=${symbol}&timeframe=${tf}`);

    const d = await dashboard({ symbol, tf }, backend.url);
    const firstData = await d.timeToData(10_000);
    await d.waitForData();
    figure('cold_first_data_without_live_ms', firstData, 0);

    // The live side is refused: whatever the page shows, it is not Live.
    expect(await d.mode()).not.toBe('live');
    await expect(d.regimeLabel).toHaveAttribute('data-regime', snap.regime);
    await expect(d.adx).toHaveText(snap.adx.toFixed(1));
    await expect(d.atrPct).toHaveText(`${(snap.atrPct * 100).toFixed(2)} %`);
    for (const id of emitted) await expect(d.signalRow(id)).toBeVisible();
    await d.expectNoBadText();

    const since = Date.now();
    await backend.control.faults({ liveEnabled: true });
    const live = await d.waitForMode('live', 15_000, since);
    const toLive = live.wall - since;
    figure('cold_live_after_enable_ms', toLive, 0);
    expect(toLive, 'Live within 6 s of the live side coming back').toBeLessThanOrEqual(6_000);
    // The data did not blink away while the transport changed.
    await expect(d.adx).toHaveText(snap.adx.toFixed(1));
  });
});

test('a healthy backend: data and Live within 2 s of navigation start', async ({ dashboard, figure }) => {
  const d = await dashboard();
  const live = await d.waitForMode('live', 10_000);
  figure('cold_time_to_live_ms', live.t, 0);
  const data = await d.timeToData();
  figure('cold_time_to_data_ms', data, 0);
  expect(live.t, 'navigation start → ● Live').toBeLessThanOrEqual(2_000);
  await expect(d.badge).toHaveText('● Live');
  await expect(d.adx).toHaveText(/^\d{1,3}\.\d$/);
  await expect(d.atrPct).toHaveText(/^\d+\.\d{2} %$/);
  await expect(d.freshness).toHaveAttribute('data-state', 'fresh');
  // The modes went Connecting → Live, never through Offline.
  const modes = (await d.modeLog()).map((m) => m.mode);
  expect(modes).not.toContain('offline');
  await d.expectNoBadText();
});
