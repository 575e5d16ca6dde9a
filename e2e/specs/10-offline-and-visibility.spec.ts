// Scenario 10: the browser goes offline and online again, and a hidden tab
// becomes visible. Both are moments to reconnect at once instead of waiting
// for the next back-off retry; the spec measures how long that takes.

import { test, expect, sleep } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

test('browser offline → Offline; online → Live at once', async ({ backend, dashboard, figure, context }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  const shown = await d.widgetText();

  const off = Date.now();
  await context.setOffline(true);
  const offline = await d.waitForMode('offline', 15_000, off);
  figure('browser_offline_to_offline_ms', offline.wall - off, 0);
  expect(offline.wall - off, 'offline event → ✕ Offline').toBeLessThanOrEqual(3_000);
  expect(await d.widgetText()).toEqual(shown);
  // Long enough offline for the back-off to grow past a few seconds.
  await sleep(8_000);
  const missed = await backend.control.emit<{ id: number }>('signal', { note: 'while the browser was offline' });

  const on = Date.now();
  await context.setOffline(false);
  const live = await d.waitForMode('live', 15_000, on);
  figure('browser_online_to_live_ms', live.wall - on, 0);
  expect(live.wall - on, 'online event → ● Live').toBeLessThanOrEqual(2_000);
  await expect(d.signalRow(missed.id)).toHaveCount(1, { timeout: 5_000 });
  await d.expectNoBadText();
});

test('hidden tab made visible → reconnects at once', async ({ backend, dashboard, figure }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();

  await d.setVisibility('hidden');
  const off = Date.now();
  await backend.control.faults({ liveEnabled: false });
  await d.waitForMode('api', 10_000, off);
  // Let the back-off grow while the tab is hidden.
  await sleep(12_000);
  const missed = await backend.control.emit<{ id: number }>('signal', { note: 'while hidden' });
  const nextRetry = (await d.page.getByTestId('health-next-retry').allInnerTexts()).join(' ').trim();
  figure('hidden_next_retry_text', JSON.stringify(nextRetry));
  expect(await d.mode(), 'still degraded while the live side is refused').toBe('api');

  // The live side comes back and, a few milliseconds later, the tab is shown:
  // the page must not wait for its next back-off retry.
  await backend.control.faults({ liveEnabled: true });
  const visible = Date.now();
  await d.setVisibility('visible');
  const live = await d.waitForMode('live', 15_000, visible);
  figure('visible_to_live_ms', live.wall - visible, 0);
  expect(live.wall - visible, 'visibilitychange (visible) → ● Live').toBeLessThanOrEqual(2_000);
  await expect(d.signalRow(missed.id)).toHaveCount(1, { timeout: 5_000 });
  await d.expectNoBadText();
});
