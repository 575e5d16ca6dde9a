// Scenario 17: what a trader sees in every state is honest — a price is
// never older than it says, the badge never claims more than arrives, and
// bad states do not contradict themselves.

import { test, expect } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

const num = (s: string) => new RegExp(s.replace(/,/g, '[,\\s\\u202f\\u00a0]?').replace(/\./g, '\\.'));

test('1. after Live drops, the price is the newest from any source and its age is its own', async ({ backend, dashboard, figure }) => {
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();
  const price = d.page.getByTestId('price-age');

  // A live tick: the price is the tick's.
  await backend.control.emit('price', { symbol, price: 59276.8 });
  await expect(d.lastPrice).toHaveText(num('59,276.80'));
  await expect(d.lastPrice).toHaveAttribute('data-source', 'tick');

  // Live drops; REST's close moves on: the price follows it, not the frozen tick.
  await backend.control.faults({ liveEnabled: false });
  await d.waitForMode('api', 10_000);
  await d.page.waitForTimeout(3_000);
  const t0 = Date.now();
  await backend.control.emit('regime', { symbol, timeframe: tf, regime: 'range', adx: 18, atrPct: 0.01, close: 59094.5 });
  figure('rest_close_shown_ms', (await d.shownAt('last-price', { text: num('59,094.50') }, 3_000)) - t0, 0);
  await expect(d.lastPrice).toHaveAttribute('data-source', 'snapshot');
  // Its age is that of the REST answer that brought it (poll=1000), not of the tick 3 s earlier.
  const age = Number((await price.textContent())?.match(/(\d+) s ago/)?.[1]);
  figure('price_age_after_drop_s', age, 0);
  expect(age).toBeLessThanOrEqual(1);
  await expect(d.freshness).toHaveText(/^regime updated \d+ s ago/);
});
