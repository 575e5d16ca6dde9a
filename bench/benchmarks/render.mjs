// Render: another symbol selected → its data drawn.

import { startBackend } from '../backend.mjs';
import { record } from '../lib/figures.mjs';
import { DIST, ROOT, RUNS, firstSeries, log, openPage, sleep, waitLive } from '../lib/harness.mjs';

export const section = 'render';

export const method =
  "- **Render**: the symbol selector is changed in the page; the figure is the time until the regime widget shows the new symbol's REST values, plus one animation frame for the paint.";

export async function run(browser) {
  const times = [];
  const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
  try {
    const symbols = await firstSeries(be.url);
    const tf = symbols[0].timeframes[0];
    const { context, page } = await openPage(browser, be.url, { symbol: symbols[0].symbol, tf });
    await waitLive(page);
    await sleep(1_000);
    for (let run = 0; run < RUNS; run++) {
      const next = symbols[(run + 1) % symbols.length].symbol;
      const snap = await (await fetch(`${be.url}/api/regime?symbol=${next}&timeframe=${tf}`)).json();
      const ms = await page.evaluate(
        ([symbol, adx, regime]) =>
          new Promise((resolve, reject) => {
            const select = document.querySelector('[data-testid="symbol-select"]');
            const t0 = performance.now();
            select.value = symbol;
            select.dispatchEvent(new Event('change', { bubbles: true }));
            const until = t0 + 5_000;
            const check = () => {
              const a = document.querySelector('[data-testid="adx-value"]')?.textContent?.trim();
              const r = document.querySelector('[data-testid="regime-label"]')?.getAttribute('data-regime');
              // Drawn: the DOM holds the new data; the next frame paints it.
              if (a === adx && r === regime) return requestAnimationFrame(() => resolve(performance.now() - t0));
              if (performance.now() > until) return reject(new Error(`no ${symbol} data after 5 s (adx ${a}, regime ${r})`));
              requestAnimationFrame(check);
            };
            check();
          }),
        [next, snap.adx.toFixed(1), snap.regime],
      );
      log(`render run ${run + 1}: ${symbols[run % symbols.length].symbol} → ${next} in ${ms.toFixed(1)} ms`);
      times.push(ms);
      await sleep(500);
    }
    await context.close();
  } finally {
    await be.stop();
  }
  record('render after symbol change', times, 'ms', '≤ 100 ms median', (f) => f.median <= 100, 1);
}
