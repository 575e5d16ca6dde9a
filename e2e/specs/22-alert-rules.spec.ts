// Issue #16: alert rules. The "Alert rules" dialog decides which regime
// changes toast (symbol, timeframe, target regime, minimum ADX), holds a
// symbol and timeframe back for a cooldown, groups a burst into one toast,
// keeps a history, and is kept in localStorage (a corrupt entry ignored and
// said). While the tab is hidden the title counts what came and a desktop
// notification goes out; the Notification API is stubbed to record calls.

import { test, expect } from '../support/fixtures';
import type { Page } from '@playwright/test';
import { firstSeries } from '../support/rest';

// A quiet market: only the alerts a test emits.
test.use({ backendArgs: ['--speed', '0.001'] });

/** Replaces Notification before the page's scripts run: records each one with document.hidden at that moment. */
function stubNotifications(page: Page, answer: 'granted' | 'denied') {
  return page.addInitScript((answer) => {
    const calls: { title: string; body: string; hidden: boolean }[] = [];
    (window as any).__notes = calls;
    class FakeNotification {
      static permission = 'default';
      static requestPermission() {
        FakeNotification.permission = answer;
        return Promise.resolve(answer);
      }
      constructor(title: string, opts: { body?: string } = {}) {
        calls.push({ title, body: opts.body ?? '', hidden: document.hidden });
      }
      close() {}
    }
    (window as any).Notification = FakeNotification;
  }, answer);
}

async function openRules(page: Page) {
  const button = page.getByRole('button', { name: 'Alert rules' });
  await button.click();
  const dialog = page.getByRole('dialog', { name: 'Alert rules' });
  await expect(dialog).toBeVisible();
  return { button, dialog };
}

test('a rule picks which regime changes toast, and a reload keeps it', async ({ page, backend, dashboard }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf }, backend.url);
  await d.waitForMode('live', 10_000);

  const { button, dialog } = await openRules(page);
  // Focus is in the dialog, and the page behind it is inert (modal).
  expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
  // The default: one rule that takes every change.
  await expect(dialog.getByTestId('alert-rule-text')).toHaveText([/any symbol · any timeframe · any regime/]);
  await dialog.getByTestId('alert-rule-remove').click();
  await expect(dialog.getByTestId('alert-rules-none')).toBeVisible();
  await dialog.getByTestId('rule-symbol').selectOption(symbol);
  await dialog.getByTestId('rule-tf').selectOption(tf);
  await dialog.getByTestId('rule-to').selectOption('trend_up');
  await dialog.getByTestId('rule-min-adx').fill('25');
  await dialog.getByTestId('rule-add').click();
  const ruleText = `${symbol} · ${tf} · to trend up · ADX ≥ 25`;
  await expect(dialog.getByTestId('alert-rule-text')).toHaveText([ruleText]);
  // Tab and Shift+Tab never reach the page behind the modal dialog: the
  // focus goes round its controls (and the browser's own, outside the page).
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return { inside: true, what: '' };
    return { inside: !!a.closest('dialog[open]'), what: a.outerHTML.slice(0, 80) };
  });
  const visited = new Set<string>();
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press(key);
      const f = await focused();
      expect(f.inside, `${key} ×${i + 1} stays in the dialog (${f.what})`).toBe(true);
      visited.add(f.what);
    }
  }
  // It went round the dialog's controls, not stuck on one.
  expect(visited.size).toBeGreaterThan(5);
  // Escape closes it and gives the focus back to its button.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(button).toBeFocused();

  // Three changes that the rule does not take, then one it does.
  await backend.control.emit('regime:alert', { symbol, timeframe: tf, from: 'trend_up', to: 'range', adx: 30 });
  await backend.control.emit('regime:alert', { symbol, timeframe: tf, from: 'range', to: 'trend_up', adx: 20.5 });
  await backend.control.emit('regime:alert', { symbol: 'OTHERUSDT', timeframe: tf, from: 'range', to: 'trend_up', adx: 40 });
  await backend.control.emit('regime:alert', { symbol, timeframe: tf, from: 'range', to: 'trend_up', adx: 27.1 });
  await expect(d.toast).toHaveCount(1);
  await expect(d.toast).toContainText(`${symbol} ${tf}: range → trend up · ADX 27.1`);

  // The history has all four, newest first, with what became of each.
  await openRules(page);
  await expect(dialog.getByTestId('alert-history-outcome')).toHaveText(['alerted', 'muted: no rule', 'muted: no rule', 'muted: no rule']);
  await expect(dialog.getByTestId('alert-history-item').first()).toContainText(/\d{2}:\d{2}/);
  await dialog.getByTestId('alert-rules-close').click();
  await expect(dialog).toBeHidden();

  await page.reload({ waitUntil: 'commit' });
  await d.waitForMode('live', 10_000);
  await openRules(page);
  await expect(dialog.getByTestId('alert-rule-text')).toHaveText([ruleText]);
});

test('a burst is one toast that counts it', async ({ page, backend, dashboard }) => {
  const d = await dashboard({}, backend.url);
  await d.waitForMode('live', 10_000);
  const emit = (i: number) =>
    backend.control.emit('regime:alert', { symbol: `BURST${i}USDT`, timeframe: '1m', from: 'range', to: 'volatile', adx: 22 });
  for (let i = 1; i <= 4; i++) await emit(i);
  await expect(d.toast).toHaveCount(1);
  await expect(d.toast).toContainText(/^4 regime changes in \d+ s/);
  // The fifth, once the burst's toast is on screen: the same toast counts it
  // (it once kept its first text, the list being keyed by the toast alone).
  await emit(5);
  await expect(d.toast).toContainText(/^5 regime changes in \d+ s/);
  await expect(d.toast).toHaveCount(1);
  await expect(d.toast.getByTestId('toast-message')).toHaveText('Newest: BURST5USDT 1m: range → volatile · ADX 22.0');
  await openRules(page);
  await expect(page.getByTestId('alert-history-item')).toHaveCount(5);
});

test('a corrupt entry is ignored and said; the cooldown holds a pair back; notifications refused are said', async ({ page, backend, dashboard }) => {
  await page.addInitScript(() => localStorage.setItem('regime.alertRules', '{"v":1,"rules":[{"symbol":'));
  await stubNotifications(page, 'denied');
  const { symbol, tf, all } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf }, backend.url);
  await d.waitForMode('live', 10_000);

  const { dialog } = await openRules(page);
  await expect(dialog.getByTestId('alert-rules-problem')).toHaveText(/could not be read; the default/);
  await expect(dialog.getByTestId('alert-rule')).toHaveCount(1);
  const cooldown = dialog.getByTestId('rule-cooldown');
  await cooldown.fill('60');
  await cooldown.press('Tab');
  // Saved: the note goes, the entry is ours again.
  await expect(dialog.getByTestId('alert-rules-problem')).toHaveCount(0);
  expect(JSON.parse((await page.evaluate(() => localStorage.getItem('regime.alertRules')))!).cooldownS).toBe(60);

  // Desktop notifications asked for on this click only; refused, it says so.
  const notify = dialog.getByTestId('rule-notify');
  await notify.click();
  await expect(dialog.getByTestId('rule-notify-note')).toHaveText(/blocks notifications/);
  await expect(notify).not.toBeChecked();
  await page.keyboard.press('Escape');

  const other = all[0].timeframes.find((t) => t !== tf) ?? `${tf}x`;
  await backend.control.emit('regime:alert', { symbol, timeframe: tf, from: 'range', to: 'trend_up', adx: 27 });
  await expect(d.toast).toHaveCount(1);
  await backend.control.emit('regime:alert', { symbol, timeframe: tf, from: 'trend_up', to: 'range', adx: 18 });
  await backend.control.emit('regime:alert', { symbol, timeframe: other, from: 'range', to: 'trend_down', adx: 31 });
  await expect(d.toast).toHaveCount(2);
  await expect(d.toast.first()).toContainText(`${symbol} ${other}: range → trend down`);
  await openRules(page);
  await expect(dialog.getByTestId('alert-history-outcome')).toHaveText(['alerted', /^muted: cooldown, (59|60) s left$/, 'alerted']);
});

test('while the tab is hidden the title counts alerts and a notification goes out', async ({ page, backend, dashboard }) => {
  await stubNotifications(page, 'granted');
  const d = await dashboard({}, backend.url);
  await d.waitForMode('live', 10_000);
  await expect(page).toHaveTitle('Regime dashboard');

  const { dialog } = await openRules(page);
  const notify = dialog.getByTestId('rule-notify');
  await notify.check();
  await expect(notify).toBeChecked();
  await page.keyboard.press('Escape');

  // Looked at: a toast, no notification, no count.
  await backend.control.emit('regime:alert', { symbol: 'AUSDT', timeframe: '1m', to: 'range' });
  await expect(d.toast).toHaveCount(1);
  await d.setVisibility('hidden');
  await backend.control.emit('regime:alert', { symbol: 'BUSDT', timeframe: '1m', from: 'trend_up', to: 'range' });
  await backend.control.emit('regime:alert', { symbol: 'CUSDT', timeframe: '1m', from: 'trend_up', to: 'range' });
  await expect(page).toHaveTitle('(2) Regime dashboard');
  const notes = await page.evaluate(() => (window as any).__notes as { title: string; body: string; hidden: boolean }[]);
  // One per 10 s at most, and only while hidden.
  expect(notes.length).toBe(1);
  expect(notes[0].hidden).toBe(true);
  expect(notes[0].body).toMatch(/^BUSDT 1m: trend up → range · ADX 27/);

  await d.setVisibility('visible');
  await expect(page).toHaveTitle('Regime dashboard');
});
