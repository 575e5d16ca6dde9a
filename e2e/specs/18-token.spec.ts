// Scenario 18: a backend that asks for a token (demo-server --token, PROTOCOL.md
// §2 "Authentication"). Per protocol, a link carrying the token reaches
// `● Live`, the address bar loses the token within a second, and a reload of
// the tab stays Live; REST polling in API mode carries it on every request; a
// wrong token is said in the health panel, never Live, and fixed by typing the
// right one into Token; a link that points `api` at another host is named in
// a notice and gets no token kept for this one. The token is never in the
// page's text, a displayed URL or the console.

import { test, expect } from '../support/fixtures';
import { Dashboard } from '../pages/dashboard';
import type { Page } from '@playwright/test';

const TOKEN = 'tok-3x4mpl3+/=';
test.use({ backendArgs: ['--token', TOKEN] });

/** Everything the page says where a token must never be: its text, its URL, its console. */
function watchLeaks(page: Page) {
  const console: string[] = [];
  page.on('console', (m) => console.push(m.text()));
  return async () => {
    const text = await page.evaluate(() => document.documentElement.outerHTML);
    for (const [where, s] of [['page', text], ['address bar', page.url()], ['console', console.join('\n')]]) {
      expect(s.includes(TOKEN) || s.includes(encodeURIComponent(TOKEN)), `the token in the ${where}`).toBe(false);
    }
  };
}

test('per protocol, a link with the token is Live, the address bar loses it within 1 s, a reload stays Live', async ({
  page,
  backend,
  figure,
}) => {
  const leaks = watchLeaks(page);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  for (const protocol of ['native', 'socketio'] as const) {
    const opened = Date.now();
    const d = await Dashboard.open(page, backend.url, { protocol, symbol: 'BTCUSDT', token: TOKEN });
    await expect
      .poll(() => new URL(page.url()).searchParams.has('token'), { timeout: 1_000, intervals: [20] })
      .toBe(false);
    figure(`token_gone_from_address_bar_${protocol}_ms`, Date.now() - opened, 0);
    const url = new URL(page.url());
    expect([url.searchParams.get('protocol'), url.searchParams.get('symbol')], 'other parameters kept').toEqual([protocol, 'BTCUSDT']);
    const live = await d.waitForMode('live', 10_000, opened);
    figure(`token_time_to_live_${protocol}_ms`, live.wall - opened, 0);
    await d.waitForData();
    await expect(page.getByTestId('token-state')).toHaveText('token: set');
    await expect(page.getByTestId('health-url')).not.toContainText('token');

    // The tab keeps it: a reload (the address bar has no token now) is Live again.
    const reloaded = Date.now();
    await page.reload({ waitUntil: 'commit' });
    await d.waitForMode('live', 10_000, reloaded);
    await expect(page.getByTestId('token-state')).toHaveText('token: set');
    await leaks();
  }
  // The plain socket carried it as ?token=; Socket.IO's URL never did.
  const coded = encodeURIComponent(TOKEN);
  expect(sockets.filter((u) => u.includes('/ws')).every((u) => u.includes(`token=${coded}`))).toBe(true);
  expect(sockets.filter((u) => u.includes('/socket.io/')).some((u) => u.includes('token'))).toBe(false);
});

test('API mode, from another origin: every REST poll carries Authorization: Bearer', async ({ page, backend }) => {
  const auth: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) auth.push(r.headers()['authorization'] ?? '(none)');
  });
  // The page at localhost, the backend at 127.0.0.1: each request is preflighted for its header.
  const d = await Dashboard.open(page, `http://localhost:${backend.port}`, { api: backend.url, protocol: 'off', poll: 1000, token: TOKEN });
  await d.waitForMode('api', 10_000);
  await d.waitForData();
  const before = (await backend.control.state()).counters.regimeRequests;
  await expect
    .poll(async () => (await backend.control.state()).counters.regimeRequests - before, { timeout: 8_000 })
    .toBeGreaterThanOrEqual(3);
  expect(auth.length).toBeGreaterThanOrEqual(8);
  expect([...new Set(auth)]).toEqual([`Bearer ${TOKEN}`]);
  await expect(d.badge).toHaveText('○ API');
});

test('a wrong token is said, never Live, and the right one typed into Token connects without a reload', async ({
  page,
  backend,
  figure,
}) => {
  const leaks = watchLeaks(page);
  for (const protocol of ['native', 'socketio'] as const) {
    await page.evaluate(() => sessionStorage.clear()).catch(() => {});
    const d = await Dashboard.open(page, backend.url, { protocol, token: 'wrong-token' });
    const refused = page.getByTestId('health-diagnosis').filter({ hasText: 'The backend refused the token' });
    await expect(refused).toHaveCount(1, { timeout: 10_000 });
    await page.waitForTimeout(1_500);
    expect((await d.modeLog()).map((m) => m.mode), `${protocol}: never Live with a wrong token`).not.toContain('live');
    await expect(d.badge).not.toHaveText('● Live');
    await expect(d.healthPanel).toHaveAttribute('open', '');

    const typed = Date.now();
    const field = page.getByLabel('Token', { exact: true });
    await expect(field).toHaveAttribute('type', 'password');
    await field.fill(TOKEN);
    await field.press('Enter');
    const live = await d.waitForMode('live', 10_000, typed);
    figure(`token_typed_to_live_${protocol}_ms`, live.wall - typed, 0);
    await expect(refused).toHaveCount(0);
    await expect(field).toHaveValue('');
    await d.waitForData();
    await leaks();
  }
});

test('a link that points api at another host is named, and gets no token kept for this one', async ({ page, backend }) => {
  // The token is kept for this backend (127.0.0.1:PORT) by a first link.
  const d = await Dashboard.open(page, backend.url, { protocol: 'native', token: TOKEN });
  await d.waitForMode('live', 10_000);
  await expect(page.getByTestId('link-notice')).toHaveCount(0);

  // Then a link sends the data to another host (the same server as `localhost`).
  const other = `localhost:${backend.port}`;
  const auth: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).host === other) auth.push(r.headers()['authorization'] ?? '(none)');
  });
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await d.goto({ protocol: 'native', api: `http://${other}` });
  const notice = page.getByTestId('link-notice');
  await expect(notice).toHaveText(new RegExp(`Data on this page comes from ${other}, set by the link you opened\\.`));
  await expect(page.getByTestId('token-state')).toHaveText('token: none');
  await expect(page.getByTestId('health-diagnosis').filter({ hasText: 'asks for a token' })).toHaveCount(1, { timeout: 10_000 });
  expect(auth.length).toBeGreaterThan(0);
  expect([...new Set(auth)], 'no Authorization to another host').toEqual(['(none)']);
  expect(sockets.filter((u) => u.includes(other)).some((u) => u.includes('token')), 'no ?token= to another host').toBe(false);
  await page.getByTestId('link-notice-dismiss').click();
  await expect(notice).toHaveCount(0);

  // A user name before `@` is not the host: the real one is named.
  await d.goto({ api: `http://127.0.0.1:${backend.port}@${other}` });
  await expect(page.getByTestId('link-notice')).toContainText(`comes from ${other},`);
});
