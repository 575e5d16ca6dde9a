// Issue #6: each component's content checked against the demo backend's own
// REST answers, with a market frozen (--speed 0.001) so that the page and
// REST describe the same moment: the regime widget (label, ADX and ATR %
// formatting, ±DI), the newest signal row, the PNG export, the signal
// filters, and the selectors (which change the URL and the data).

import * as fs from 'node:fs';
import { test, expect } from '../support/fixtures';
import { firstSeries, getJson, snapshot } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

/** What the page must show for a snapshot, formatted as the contract asks. */
function expected(s: any) {
  return {
    regime: s.regime as string,
    adx: Number(s.adx).toFixed(1),
    atrPct: `${(Number(s.atrPct) * 100).toFixed(2)} %`,
    plusDi: Number(s.plusDi).toFixed(1),
    minusDi: Number(s.minusDi).toFixed(1),
  };
}

test('the regime widget and the newest signal row match REST', async ({ backend, dashboard }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ protocol: 'off' }, backend.url);
  await d.waitForData();
  const want = expected(await snapshot(backend.url, symbol, tf));
  await expect(d.regimeLabel).toHaveAttribute('data-regime', want.regime);
  await expect(d.regimeLabel).toHaveText(new RegExp(want.regime.replace('_', ' '), 'i'));
  await expect(d.adx).toHaveText(want.adx);
  await expect(d.atrPct).toHaveText(want.atrPct);
  await expect(d.plusDi).toContainText(want.plusDi);
  await expect(d.minusDi).toContainText(want.minusDi);

  const { signals } = await getJson<{ signals: any[] }>(backend.url, '/api/signals?limit=5');
  const newest = signals[signals.length - 1];
  const row = d.signalRows.first();
  await expect(row).toHaveAttribute('data-id', String(newest.id));
  await expect(row.getByTestId('signal-symbol')).toHaveText(newest.symbol);
  await expect(row.getByTestId('signal-tf')).toHaveText(newest.timeframe);
  await expect(row.getByTestId('signal-side')).toHaveText(new RegExp(newest.side, 'i'));
  await expect(row.getByTestId('signal-strategy')).toHaveText(newest.strategy);
  await expect(row.getByTestId('signal-confidence')).toHaveText(`${Math.round(newest.confidence * 100)} %`);
  // The exact UTC time is on hover.
  await expect(row.getByTestId('signal-time')).toHaveAttribute('title', /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
  await d.expectNoBadText();
});

test('Save PNG downloads a real PNG named after the view', async ({ backend, dashboard, page }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ protocol: 'off' }, backend.url);
  await d.waitForData();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-png').click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^regime-${symbol}-${tf}-\\d{8}T\\d{6}Z\\.png$`));
  const file = await download.path();
  const bytes = fs.readFileSync(file!);
  expect(bytes.length).toBeGreaterThan(1000);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('the signal filters keep only the chosen symbol and side', async ({ backend, dashboard }) => {
  const { all } = await firstSeries(backend.url);
  const [a, b] = [all[0], all[1]];
  const d = await dashboard({}, backend.url);
  await d.waitForMode('live', 10_000);
  for (const [s, side] of [[a, 'long'], [a, 'short'], [b, 'long'], [b, 'short']] as const) {
    const sig = await backend.control.emit<{ id: number }>('signal', { symbol: s.symbol, timeframe: s.timeframes[0], side, price: 100 });
    await expect(d.signalRow(sig.id)).toBeVisible();
  }
  const symbols = async () => (await d.signalRows.getByTestId('signal-symbol').allInnerTexts()).map((t) => t.trim());
  const sides = async () => (await d.signalRows.getByTestId('signal-side').allInnerTexts()).map((t) => t.trim().toLowerCase());

  await d.page.getByTestId('signal-filter-symbol').selectOption(b.symbol);
  await expect.poll(async () => new Set(await symbols())).toEqual(new Set([b.symbol]));
  await d.page.getByTestId('signal-filter-side').selectOption('short');
  await expect.poll(async () => new Set(await sides())).toEqual(new Set(['short']));
  expect(new Set(await symbols())).toEqual(new Set([b.symbol]));

  await d.page.getByTestId('signal-filter-symbol').selectOption('');
  await d.page.getByTestId('signal-filter-side').selectOption('');
  await expect.poll(async () => new Set(await symbols()).size).toBeGreaterThan(1);
  await expect.poll(async () => new Set(await sides()).size).toBeGreaterThan(1);
});

test('the selectors change the URL and the data, and a link reproduces the view', async ({ backend, dashboard, page }) => {
  const { all } = await firstSeries(backend.url);
  const other = all[1];
  const otherTf = other.timeframes[other.timeframes.length - 1];
  const d = await dashboard({ protocol: 'off' }, backend.url);
  await d.waitForData();

  await d.symbolSelect.selectOption(other.symbol);
  await expect(page).toHaveURL(new RegExp(`[?&]symbol=${other.symbol}(&|$)`));
  await d.tfSelect.selectOption(otherTf);
  await expect(page).toHaveURL(new RegExp(`[?&]tf=${encodeURIComponent(otherTf)}(&|$)`));
  const want = expected(await snapshot(backend.url, other.symbol, otherTf));
  await expect(d.regimeLabel).toHaveAttribute('data-regime', want.regime);
  await expect(d.adx).toHaveText(want.adx);
  await expect(d.atrPct).toHaveText(want.atrPct);

  // The URL alone brings the same view back.
  await page.goto(page.url());
  await d.waitForData();
  await expect(d.symbolSelect).toHaveValue(other.symbol);
  await expect(d.tfSelect).toHaveValue(otherTf);
  await expect(d.adx).toHaveText(want.adx);
});
