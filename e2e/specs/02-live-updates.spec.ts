// Scenario 2: live updates. A signal, a price tick, and a regime change with
// its alert, each emitted by the backend, reach the page over the live
// transport; the alert shows as a toast with its text, and can be dismissed.

import { test, expect } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

for (const protocol of ['native', 'socketio'] as const) {
  test(`signal, price, regime change and alert over ${protocol}`, async ({ backend, dashboard, figure, page }) => {
    const { symbol, tf } = await firstSeries(backend.url);
    const d = await dashboard({ symbol, tf, protocol }, backend.url);
    await d.waitForMode('live', 10_000);
    await d.waitForData();

    // A signal: its row appears with every field as sent.
    let t0 = Date.now();
    const sig = await backend.control.emit<{ id: number }>('signal', {
      symbol,
      timeframe: tf,
      side: 'short',
      price: 1234.5,
      strategy: 'e2e-strategy',
      confidence: 0.72,
      note: 'live update check',
    });
    const row = d.signalRow(sig.id);
    figure(`${protocol}_signal_latency_ms`, (await d.signalShownAt(sig.id, 2_000)) - t0, 0);
    await expect(row).toBeVisible();
    await expect(row.getByTestId('signal-symbol')).toHaveText(symbol);
    await expect(row.getByTestId('signal-tf')).toHaveText(tf);
    await expect(row.getByTestId('signal-side')).toHaveText(/short/i);
    await expect(row.getByTestId('signal-price')).toHaveText(/1[,\s\u202f\u00a0]?234\.5/);
    await expect(row.getByTestId('signal-strategy')).toHaveText('e2e-strategy');
    await expect(row.getByTestId('signal-confidence')).toHaveText(/72\s?%|0\.72/);
    await expect(row.getByTestId('signal-note')).toHaveText('live update check');
    await expect(row.getByTestId('signal-time')).toHaveText(/\d{1,2}:\d{2}/);
    // The newest signal is on top.
    expect((await d.signalIds())[0]).toBe(sig.id);

    // A price tick for the symbol shown.
    t0 = Date.now();
    await backend.control.emit('price', { symbol, price: 4321.5 });
    figure(`${protocol}_price_latency_ms`, (await d.shownAt('last-price', { text: /4,321\.50/ }, 2_000)) - t0, 0);
    await expect(d.lastPrice).toHaveText(/4[,\s\u202f\u00a0]?321\.5/);

    // A regime change, then its alert.
    t0 = Date.now();
    await backend.control.emit('regime', {
      symbol,
      timeframe: tf,
      regime: 'trend_up',
      adx: 27.1,
      atrPct: 0.0156,
      plusDi: 31.4,
      minusDi: 12.2,
    });
    figure(`${protocol}_regime_latency_ms`, (await d.shownAt('adx-value', { text: /^27\.1$/ }, 2_000)) - t0, 0);
    await expect(d.regimeLabel).toHaveAttribute('data-regime', 'trend_up');
    await expect(d.regimeLabel).toHaveText(/trend up/i);
    await expect(d.adx).toHaveText('27.1');
    await expect(d.atrPct).toHaveText('1.56 %');
    await expect(d.plusDi).toHaveText(/31\.4/);
    await expect(d.minusDi).toHaveText(/12\.2/);

    t0 = Date.now();
    await backend.control.emit('regime:alert', { symbol, timeframe: tf, from: 'range', to: 'trend_up', adx: 27.1, atrPct: 0.018 });
    const toastText = `${symbol} ${tf}: range → trend up · ADX 27.1`;
    const shown = await d.shownAt('toasts', { text: new RegExp(toastText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }, 2_000);
    figure(`${protocol}_alert_toast_latency_ms`, shown - t0, 0);
    const toast = d.toast.filter({ hasText: toastText });
    await expect(toast).toHaveCount(1);
    await toast.getByTestId('toast-dismiss').click();
    await expect(toast).toHaveCount(0);

    await d.expectNoBadText();
    expect(await page.evaluate(() => (window as any).__regime.duplicatesDropped)).toBeGreaterThanOrEqual(0);
  });
}
