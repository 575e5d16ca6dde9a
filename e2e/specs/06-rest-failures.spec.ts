// Scenario 6: REST answers 500 (restFailRate) and slowly (restLatencyMs).
// Data already on screen stays on screen and is marked stale; the page never
// goes blank and never shows "NaN" or "undefined"; a cold start against a
// flaky, slow REST API shows a skeleton, then the data.

import { test, expect, until, sleep } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

test('REST failing and slow while polling: data kept, marked stale, never blank', async ({ backend, dashboard, figure }) => {
  test.setTimeout(120_000);
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  // Polling is the only data path from here on.
  await backend.control.faults({ liveEnabled: false });
  await d.waitForMode('api', 10_000);
  const shown = await d.widgetText();
  const rows = await d.signalIds();

  const failing = Date.now();
  await backend.control.faults({ restFailRate: 1 });
  const stale = await d.page.waitForFunction(
    () => /amber|red/.test(document.querySelector('[data-testid="freshness"]')?.getAttribute('data-state') ?? '') && Date.now(),
    undefined,
    { timeout: 30_000, polling: 'raf' },
  );
  figure('rest_fail_to_stale_ms', ((await stale.jsonValue()) as number) - failing, 0);
  // Several failed polls later: the same data, no blank, no error page.
  for (let i = 0; i < 5; i++) {
    await sleep(1_000);
    expect(await d.widgetText()).toEqual(shown);
    await expect(d.skeleton).toHaveCount(0);
    await expect(d.errorState).toHaveCount(0);
    await d.expectNoBadText();
  }
  expect(await d.signalIds()).toEqual(rows);
  await expect(d.healthDiagnosis.first()).toBeVisible();

  // Half the answers fail and every answer is slow: updates still get through.
  await backend.control.faults({ restFailRate: 0.5, restLatencyMs: 1_200 });
  const t0 = Date.now();
  await backend.control.emit('regime', { symbol, timeframe: tf, regime: 'trend_down', adx: 33.3, atrPct: 0.021 });
  figure('flaky_slow_rest_update_ms', (await d.shownAt('adx-value', { text: /^33\.3$/ }, 30_000)) - t0, 0);
  await expect(d.regimeLabel).toHaveAttribute('data-regime', 'trend_down');
  await d.expectNoBadText();

  // Healthy again: fresh again.
  const healthy = Date.now();
  await backend.control.faults({ restFailRate: 0, restLatencyMs: 0 });
  await expect(d.freshness).toHaveAttribute('data-state', 'fresh', { timeout: 10_000 });
  figure('rest_healthy_to_fresh_ms', Date.now() - healthy, 0);
  await d.expectNoBadText();
});

test('cold start against a flaky, slow REST API: skeleton, then data, never NaN', async ({ backend, dashboard, figure, page }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  await backend.control.faults({ liveEnabled: false, restFailRate: 0.5, restLatencyMs: 1_500 });
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  // While loading: something is drawn (a skeleton or a status), never a blank page or bad text.
  let sawPlaceholder = false;
  await until(
    async () => {
      const text = await page.evaluate(() => document.body?.innerText ?? '');
      if (/\bNaN\b|\bundefined\b/.test(text)) throw new Error(`bad text while loading: ${text.slice(0, 300)}`);
      if ((await d.skeleton.count()) > 0 || (await d.emptyState.count()) > 0) sawPlaceholder = true;
      return (await d.adx.count()) > 0 && /\d/.test(await d.adx.innerText());
    },
    40_000,
    'the regime widget to show data through a flaky REST API',
    100,
  );
  figure('flaky_cold_first_data_ms', await d.timeToData(), 0);
  expect(sawPlaceholder, 'a skeleton (or empty state) while the first answer was awaited').toBe(true);
  await d.expectNoBadText();
});
