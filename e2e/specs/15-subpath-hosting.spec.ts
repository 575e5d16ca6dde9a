// Scenario 15: dist/ hosted under a path prefix. The built page is copied, as
// it is, under /a/b/ of a plain static host (another loopback port than the
// backend's) with only a config.json beside it naming the demo backend; it is
// opened at /a/b/ with no query string. It must reach `● Live` with data, ask
// the static host for nothing outside /a/b/ (never its root), read its
// config.json, keep its own path when it writes the selection into the query
// string, and break no rule of its Content-Security-Policy (the post-build
// hook's hash of Trunk's loader still matches).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, expect } from '../support/fixtures';
import { Dashboard } from '../pages/dashboard';
import { distDir } from '../support/server';
import { servePrefix, type PrefixHost } from '../support/static-prefix';

const PREFIX = '/a/b/';

test('dist/ under /a/b/ with only a config.json: Live against a backend on another port, every request under the prefix', async ({
  page,
  backend,
  figure,
}) => {
  // Nothing in the built page names the host's root or another host.
  const html = fs.readFileSync(path.join(distDir(), 'index.html'), 'utf8');
  const urls = [
    // Quoted or not: the release build's minified page drops quotes it does not need.
    ...Array.from(html.matchAll(/\s(?:src|href)=(?:"([^"]*)"|([^\s"'>]+))/g), (m) => m[1] ?? m[2]),
    ...Array.from(html.matchAll(/'([^']*\.(?:js|wasm))'/g), (m) => m[1]),
  ];
  expect(urls.length, 'the built page links its assets').toBeGreaterThanOrEqual(4);
  expect(urls.filter((u) => !u.startsWith('./')), 'every URL in dist/index.html is relative to it').toEqual([]);

  const site: PrefixHost = await servePrefix(distDir(), PREFIX, {
    'config.json': { body: JSON.stringify({ api: backend.url }), type: 'application/json' },
  });
  try {
    const pageRequests: string[] = [];
    const sockets: string[] = [];
    page.on('request', (r) => pageRequests.push(r.url()));
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`),
      );
    });

    // Dashboard.url() appends "/": this opens exactly http://127.0.0.1:PORT/a/b/.
    const d = await Dashboard.open(page, site.origin + PREFIX.replace(/\/$/, ''));
    expect(page.url()).toBe(site.pageUrl);
    const live = await d.waitForMode('live', 10_000);
    figure('subpath_time_to_live_ms', live.t, 0);
    await d.waitForData();
    figure('subpath_time_to_data_ms', await d.timeToData(), 0);
    await expect(d.badge).toHaveText('● Live');
    await d.expectNoBadText();
    // The live socket's Worker came from beside the page, under the prefix.
    expect(await page.evaluate(() => (window as any).__regime.liveSocket), 'the Worker holds the live socket').toBe('worker');
    expect(site.requests.some((r) => r.path === `${PREFIX}worker.js` && r.status === 200), 'worker.js from under the prefix').toBe(true);

    // config.json was read: the live URL is the backend's, not the page's origin.
    await expect(page.getByTestId('health-url')).toContainText(`127.0.0.1:${backend.port}/`);
    const toBackend = pageRequests.filter((u) => u.startsWith(backend.url + '/'));
    expect(toBackend.some((u) => u.startsWith(`${backend.url}/api/`)), 'REST requests reach the backend').toBe(true);
    expect(sockets.some((u) => u.includes(`127.0.0.1:${backend.port}/`)), 'the live socket is the backend').toBe(true);
    // The backend is asked for its API only, never for a file of the page.
    expect(toBackend.map((u) => new URL(u).pathname).filter((p) => !/^\/(api|socket\.io|ws)(\/|$)/.test(p))).toEqual([]);

    // The selection is written into the query string of the page's own path.
    await expect.poll(() => new URL(page.url()).searchParams.get('tf'), { timeout: 5_000 }).toBeTruthy();
    const written = new URL(page.url());
    expect(written.searchParams.get('symbol')).toBeTruthy();
    expect(written.pathname, 'history.replaceState keeps the prefix').toBe(PREFIX);

    // What the static host saw: only the prefix, never its root, nothing missing.
    const seen = site.requests.map((r) => r.path);
    figure('subpath_static_requests', seen.length);
    console.log(`static host saw: ${site.requests.map((r) => `${r.status} ${r.url}`).join(', ')}`);
    expect(seen.filter((p) => !p.startsWith(PREFIX)), 'every request under the prefix').toEqual([]);
    expect(seen.filter((p) => p === '/' || p.split('/').length === 2), 'nothing from the static host’s root').toEqual([]);
    expect(site.requests.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.url}`), 'no missing file').toEqual([]);
    for (const want of [/^\/a\/b\/$/, /^\/a\/b\/config\.json$/, /^\/a\/b\/[^/]+\.js$/, /^\/a\/b\/[^/]+_bg\.wasm$/, /^\/a\/b\/[^/]+\.css$/]) {
      expect(seen.some((p) => want.test(p)), `the page loaded ${want}`).toBe(true);
    }
    // And the browser asked no third host for anything.
    const other = pageRequests.filter((u) => !u.startsWith(site.origin + '/') && !u.startsWith(backend.url + '/'));
    expect(other).toEqual([]);

    expect(await page.evaluate(() => (window as any).__csp), 'no Content-Security-Policy violation').toEqual([]);
  } finally {
    await site.stop();
  }
});
