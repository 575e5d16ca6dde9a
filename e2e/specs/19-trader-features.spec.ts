// Issue #16, what traders reach for next, as a trader sees it: the CSV
// export (filtered, RFC 4180, a backend note that would be a spreadsheet
// formula neutralised), the UTC control (every shown time follows it, an
// older signal shows its date, the choice survives a reload), time in
// regime, and the instant reload that paints the stored view before the
// network answers.

import * as fs from 'node:fs';
import { test, expect } from '../support/fixtures';

// A zone far from UTC and not a whole number of hours, so that local and
// UTC times cannot be mistaken for each other.
test.use({ backendArgs: ['--speed', '0.001'], timezoneId: 'Asia/Kolkata' });

/** RFC 4180 records: quoted fields may hold commas, quotes and newlines. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field), records.push(record), (record = []), (field = ''), i++;
    } else field += c;
  }
  expect(field, 'the file ends with CRLF').toBe('');
  return records;
}

/** `HH:MM:SS` of an instant (RFC 3339 text or epoch ms), shifted by `minutes`. */
const hms = (at: string | number, minutes: number) => new Date(new Date(at).getTime() + minutes * 60_000).toISOString().slice(11, 19);

test('Export CSV downloads the filtered signals, quoted, in UTC, formulas neutralised', async ({ backend, dashboard, page }) => {
  const d = await dashboard({}, backend.url);
  await d.waitForMode('live', 10_000);
  const evil = '=HYPERLINK("http://evil.example/","click"), then\na new line';
  const sig = await backend.control.emit<{ id: number; symbol: string; timestamp: string }>('signal', { note: evil, side: 'short' });
  await expect(d.signalRow(sig.id)).toBeVisible();

  await page.getByTestId('signal-filter-symbol').selectOption(sig.symbol);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^signals-${sig.symbol}-all-\\d{8}T\\d{6}Z\\.csv$`));
  const text = fs.readFileSync((await download.path())!, 'utf8');
  const [head, ...rows] = parseCsv(text);
  expect(head).toEqual(['id', 'time_utc', 'symbol', 'timeframe', 'side', 'price', 'strategy', 'confidence', 'note', 'before_restart']);
  expect(rows.length).toBeGreaterThan(0);
  // Only the filtered symbol, and every time ISO 8601 in UTC.
  for (const r of rows) {
    expect(r[2]).toBe(sig.symbol);
    expect(r[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  }
  const mine = rows.find((r) => r[0] === String(sig.id))!;
  expect(mine[1]).toBe(new Date(sig.timestamp).toISOString());
  expect(mine[4]).toBe('short');
  expect(mine[8], 'the formula is text, newline and comma kept').toBe(`'${evil}`);
  // No cell a spreadsheet would run.
  for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+@\t\r]/);
});

test('the UTC control moves every signal time, dates older ones and is remembered', async ({ backend, dashboard, page }) => {
  const d = await dashboard({}, backend.url);
  await d.waitForMode('live', 10_000);
  const yesterday = new Date(Date.now() - 36 * 3600_000).toISOString();
  const old = await backend.control.emitAt<{ id: number }>('signal', yesterday, { note: 'old' });
  const now = await backend.control.emit<{ id: number; timestamp: string | number }>('signal', { note: 'now' });
  const time = (id: number) => d.signalRow(id).getByTestId('signal-time');
  const head = page.getByTestId('signals-time-head');
  const utc = page.getByRole('button', { name: 'UTC' });

  // Local first (the default): India is UTC+05:30.
  await expect(utc).toHaveAttribute('aria-pressed', 'false');
  await expect(head).toHaveText('Time (UTC+05:30)');
  await expect(time(now.id)).toHaveText(hms(now.timestamp, 330));
  const localDate = new Date(Date.parse(yesterday) + 330 * 60_000).toISOString();
  // Yesterday's date (month-day: this year; a 1st of January run would see the year too).
  const date = (iso: string) => (iso.slice(0, 4) === new Date().toISOString().slice(0, 4) ? iso.slice(5, 10) : iso.slice(0, 10));
  await expect(time(old.id)).toHaveText(`${date(localDate)} ${localDate.slice(11, 16)}`);

  await utc.click();
  await expect(utc).toHaveAttribute('aria-pressed', 'true');
  await expect(head).toHaveText('Time (UTC)');
  await expect(time(now.id)).toHaveText(hms(now.timestamp, 0));
  await expect(time(old.id)).toHaveText(`${date(yesterday)} ${yesterday.slice(11, 16)}`);

  await page.reload({ waitUntil: 'commit' });
  await expect(page.getByRole('button', { name: 'UTC' })).toHaveAttribute('aria-pressed', 'true');
  await expect(time(now.id)).toHaveText(hms(now.timestamp, 0));
});

test('the regime widget says how long the regime has lasted', async ({ backend, dashboard }) => {
  const d = await dashboard({ protocol: 'off' }, backend.url);
  await d.waitForData();
  await expect(d.page.getByTestId('regime-run')).toHaveText(
    /^(trend up|trend down|range|volatile|trend|\S.*) for (at least )?\d+ candles?, since (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}( or before)?( · typical \d+)?$/,
  );
});

test('a reload paints the stored view before the network answers, then fresh data', async ({ backend, dashboard, page, figure }) => {
  const d = await dashboard({ protocol: 'off' }, backend.url);
  await d.waitForData();
  await expect(d.signalRows.first()).toBeVisible();
  const regime = await d.regimeLabel.getAttribute('data-regime');
  // The matrix too, once every cell it shows is answered.
  const cells = page.getByTestId('matrix-cell');
  await expect(cells.first()).toBeVisible();
  await expect(page.locator('[data-testid=matrix-cell][title$="waiting for the backend"]')).toHaveCount(0);
  const matrix = await cells.allTextContents();

  // Every REST answer held until released: the page has only its storage.
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let held = 0;
  await page.route('**/api/**', async (route) => {
    held++;
    await released;
    await route.continue();
  });
  await page.reload({ waitUntil: 'commit' });
  const note = page.getByTestId('restored-note');
  await expect(note).toHaveAttribute('data-kind', 'stale');
  await expect(note).toHaveText(/^Stored view from \d+ s ago, until the backend answers$/);
  await expect(d.regimeLabel).toHaveAttribute('data-regime', regime!);
  await expect(d.adx).toHaveText(/^\d+\.\d$/);
  await expect(d.signalRows.first()).toBeVisible();
  await expect(cells, 'the stored matrix, as it was').toHaveText(matrix);
  const paintedAt = await page.evaluate(() => (window as any).__e2e.firstData as number);
  figure('stored_view_first_paint_ms', Math.round(paintedAt));
  // The page has asked the backend by now (the stored view may be painted
  // before its first request goes), and is still showing what it stored.
  await expect.poll(() => held, { message: 'the page asked the backend' }).toBeGreaterThan(0);
  await expect(note).toHaveAttribute('data-kind', 'stale');

  release();
  await expect(note).toBeHidden();
  await expect(d.regimeLabel).toHaveAttribute('data-regime', /\S/);

  // A corrupt entry is ignored and said, never painted.
  // (Written before the page's scripts run: leaving the page keeps its view.)
  await page.unroute('**/api/**');
  await page.addInitScript(() => localStorage.setItem('regime.lastView', '{"v":1,"saved_at":'));
  let releaseAgain!: () => void;
  const releasedAgain = new Promise<void>((r) => (releaseAgain = r));
  await page.route('**/api/**', async (route) => {
    await releasedAgain;
    await route.continue();
  });
  await page.reload({ waitUntil: 'commit' });
  await expect(note).toHaveAttribute('data-kind', 'ignored');
  await expect(note).toHaveText('1 stored view ignored: the stored view could not be read');
  await expect(d.signalRows).toHaveCount(0);
  releaseAgain();
  await d.waitForData();
});
