// Issue #6: axe-core finds no serious or critical accessibility violation on
// the main page, Live with data, in both themes. axe is injected by
// Playwright (the page's CSP would refuse it, so this spec bypasses CSP: the
// page itself is unchanged).

import { test, expect } from '../support/fixtures';

const AXE = require.resolve('axe-core/axe.min.js');

// Its own backend, quiet, with enough signals that the list scrolls: the
// check must see the page as a trader does after a while, not an empty list.
test.use({ bypassCSP: true, backendArgs: ['--speed', '0.001'] });

for (const colorScheme of ['dark', 'light'] as const) {
  test(`no serious or critical axe violation (${colorScheme})`, async ({ page, dashboard, backend, figure }) => {
    await page.emulateMedia({ colorScheme });
    const d = await dashboard({}, backend.url);
    await d.waitForMode('live', 10_000);
    await d.waitForData();
    let last = 0;
    for (let i = 0; i < 60; i++) {
      last = (await backend.control.emit<{ id: number }>('signal', { side: i % 2 ? 'long' : 'short', price: 100 + i })).id;
    }
    await expect(d.signalRow(last)).toBeVisible();
    const scrolls = await page.getByTestId('signals-list').locator('.signals-scroll').evaluate((e) => e.scrollHeight > e.clientHeight);
    expect(scrolls, 'the signals list is long enough to scroll').toBe(true);
    await page.addScriptTag({ path: AXE });
    const axe = async () => {
      const violations: { id: string; impact: string; help: string; nodes: number; target: string }[] = await page.evaluate(async () => {
        const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v: any) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.length,
          target: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')).join(' | '),
        }));
      });
      for (const v of violations) console.log(`axe ${v.impact}: ${v.id} (${v.nodes}×) ${v.help} — ${v.target}`);
      return violations;
    };
    const violations = await axe();
    figure(`axe_violations_${colorScheme}`, violations.length);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

    // The "Alert rules" dialog, open, with a rule and its history.
    await backend.control.emit('regime:alert', { from: 'range', to: 'trend_up', adx: 27 });
    await page.getByRole('button', { name: 'Alert rules' }).click();
    await expect(page.getByRole('dialog', { name: 'Alert rules' })).toBeVisible();
    await expect(page.getByTestId('alert-history-item')).toHaveCount(1);
    const inDialog = await axe();
    figure(`axe_violations_alert_rules_${colorScheme}`, inDialog.length);
    expect(inDialog.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  });
}
