import { test, sleep } from '../support/fixtures';
test.use({ backendArgs: ['--speed', '0.001'] });
test('diag cut', async ({ backend, dashboard }) => {
  test.setTimeout(180_000);
  const d = await dashboard({ poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await backend.control.faults({ signalsPerSec: 20 });
  for (let k = 0; k < 5; k++) {
    const t0 = Date.now();
    await backend.control.drop();
    await sleep(12000);
    const s = (await backend.control.state()).counters;
    console.log('cut', k, 'modes', JSON.stringify((await d.modeLog()).filter(m => m.wall >= t0).map(m => [m.mode, m.wall - t0])), 'conns', s.plainConnectionsTotal, s.socketioConnectionsTotal, 'clients', s.plainClients, s.socketioClients);
    const h = await d.page.evaluate(() => Array.from(document.querySelectorAll('[data-testid^="health-"]')).map(e => e.getAttribute('data-testid') + '=' + e.textContent?.trim().slice(0, 150)).join('\n'));
    if (k === 4) console.log(h);
  }
});
