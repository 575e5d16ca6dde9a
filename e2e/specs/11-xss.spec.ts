// Scenario 11: markup in every text field a backend sends (signal note,
// strategy and symbol, alert message and regime labels, the snapshot's
// regime label) is shown as text: no element is injected, no script runs.

import { test, expect, sleep } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

const PAYLOADS = [
  '<img src=x onerror=window.__xss=1>',
  '<script>window.__xss=1</script>',
  '"><svg onload=window.__xss=1>',
];

test('markup from the backend is text, never markup', async ({ backend, dashboard, figure, page }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();

  const signalIds: number[] = [];
  for (const p of PAYLOADS) {
    signalIds.push((await backend.control.emit<{ id: number }>('signal', { symbol, timeframe: tf, note: p, strategy: p })).id);
    signalIds.push((await backend.control.emit<{ id: number }>('signal', { symbol: p, timeframe: p, note: 'symbol payload' })).id);
    await backend.control.emit('regime:alert', { symbol, timeframe: tf, from: 'range', to: p, message: p });
    await backend.control.emit('regime:alert', { symbol: p, timeframe: tf, from: p, to: 'trend_up', message: 'symbol payload' });
  }
  // The rows show every payload as its literal text.
  for (let i = 0; i < PAYLOADS.length; i++) {
    const p = PAYLOADS[i];
    const own = d.signalRow(signalIds[2 * i]);
    await expect(own).toBeVisible({ timeout: 3_000 });
    await expect(own.getByTestId('signal-note')).toHaveText(p);
    await expect(own.getByTestId('signal-strategy')).toHaveText(p);
    const bySymbol = d.signalRow(signalIds[2 * i + 1]);
    await expect(bySymbol.getByTestId('signal-symbol')).toHaveText(p);
  }
  // The toasts show the payloads as text (the newest may hide older ones behind "more").
  const toastText = (await d.toasts.innerText()).toString();
  expect(toastText).toContain('<');
  expect(toastText).toMatch(/<img src=x onerror=window\.__xss=1>|<script>window\.__xss=1<\/script>|"><svg onload=window\.__xss=1>/);

  // The snapshot's regime label: an unknown label is shown as it is.
  for (const p of PAYLOADS) {
    await backend.control.emit('regime', { symbol, timeframe: tf, regime: p, adx: 20.5, atrPct: 0.01 });
    await expect(d.regimeLabel).toHaveAttribute('data-regime', p, { timeout: 3_000 });
    await expect(d.regimeLabel).toHaveText(p);
  }

  // Give any injected handler (an <img src=x> fails to load at once) time to run.
  await sleep(1_500);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  expect(await d.injectedElements(), 'no element created from backend text').toEqual([]);
  const found = await page.evaluate(() => ({
    img: document.querySelectorAll('img[src="x"]').length,
    svg: document.querySelectorAll('svg[onload]').length,
    script: Array.from(document.scripts).filter((s) => s.textContent?.includes('__xss')).length,
    handlers: Array.from(document.querySelectorAll('*')).filter((e) =>
      Array.from(e.attributes).some((a) => a.name.startsWith('on') && a.value.includes('__xss')),
    ).length,
  }));
  expect(found).toEqual({ img: 0, svg: 0, script: 0, handlers: 0 });
  figure('xss_payloads_checked', PAYLOADS.length * 6);
  await d.expectNoBadText();
});
