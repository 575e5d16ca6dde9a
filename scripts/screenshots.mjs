// Takes the README's screenshots: the dashboard at a phone, a laptop and a 4K
// size, in the dark and the light theme, against the demo backend serving the
// release build in dist/. Run through `make screenshots` (after `make dist`
// and `make server`). Writes docs/screenshot-<W>x<H>-<theme>.png, then the
// states a trader must read right (API, Offline, REST failing, long texts)
// at the phone and laptop sizes: docs/screenshot-<state>-<W>x<H>-<theme>.png.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'e2e', 'package.json'));
const { chromium } = require('@playwright/test');

const SIZES = [
  [390, 844],
  [1440, 900],
  [2560, 1440],
];
const THEMES = ['dark', 'light'];
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function startBackend(extra = []) {
  const bin = path.join(root, 'target', 'server', 'demo-server');
  const child = spawn(bin, ['--port', '0', '--static', path.join(root, 'dist'), '--seed', '42', ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`demo-server exited with ${code}`)));
    setTimeout(() => reject(new Error('demo-server did not start within 10 s')), 10_000);
  });
}

const { child, url } = await startBackend();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
try {
  for (const [width, height] of SIZES) {
    for (const theme of THEMES) {
      const context = await browser.newContext({ viewport: { width, height }, colorScheme: theme });
      const page = await context.newPage();
      await page.goto(url);
      await page.getByTestId('badge').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
      await page.getByTestId('signal-row').first().waitFor({ timeout: 15_000 });
      // Let a few live updates, the chart and the sparklines settle.
      await page.waitForTimeout(2500);
      const file = path.join(root, 'docs', `screenshot-${width}x${height}-${theme}.png`);
      await page.screenshot({ path: file });
      console.log(`wrote ${path.relative(root, file)}`);
      await context.close();
    }
  }
} finally {
  child.kill();
}

// The states, each against a fresh backend with the control API.
async function control(base, route, body) {
  const res = await fetch(`${base}/control/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`/control/${route} answered ${res.status}`);
  return (await res.json()).data;
}

const mode = (page, m, timeout = 30_000) =>
  page.locator(`[data-testid="badge"][data-mode="${m}"]`).waitFor({ timeout });

const STATES = [
  ['matrix', async (page) => {
    await mode(page, 'live');
    await page.getByTestId('regime-matrix').scrollIntoViewIfNeeded();
  }],
  ['api', async (page, base) => {
    await mode(page, 'live');
    await control(base, 'faults', { liveEnabled: false });
    await mode(page, 'api');
  }],
  ['offline', async (page, base) => {
    await mode(page, 'live');
    await control(base, 'faults', { liveEnabled: false, restEnabled: false });
    await mode(page, 'offline');
  }],
  // Before the page loads: it must pick its market from live data.
  ['rest-failing', async (page, base) => {
    await mode(page, 'live');
    await control(base, 'emit', { type: 'regime', data: { symbol: 'BTCUSDT', timeframe: '1m', regime: 'trend_down', adx: 31.5, atrPct: 0.012, close: 64210.5 } });
  }, { restFailRate: 1 }],
  ['long-texts', async (page, base) => {
    await mode(page, 'live');
    await control(base, 'emit', { type: 'regime', data: { symbol: 'BTCUSDT', timeframe: '1m', regime: 'trend_down', adx: 31, atrPct: 0.01, close: 123456789.12 } });
    await control(base, 'emit', { type: 'signal', data: { symbol: 'L'.repeat(36) + 'USDT', timeframe: '15m', side: 'short', price: 123456789.12, strategy: 'breakout', note: 'A note long enough to wrap: '.repeat(6) } });
    await control(base, 'emit', { type: 'regime:alert', data: { symbol: 'BTCUSDT', timeframe: '1m', from: 'range', to: 'trend_down', adx: 31, atrPct: 0.01, message: 'word '.repeat(94) } });
  }],
];

try {
  for (const [name, reach, faults] of STATES) {
    for (const [width, height] of SIZES.slice(0, 2)) {
      const { child: state, url: base } = await startBackend(['--control']);
      try {
        if (faults) await control(base, 'faults', faults);
        const context = await browser.newContext({ viewport: { width, height }, colorScheme: 'dark' });
        const page = await context.newPage();
        await page.goto(`${base}/?symbol=BTCUSDT&tf=1m&poll=2000`);
        await reach(page, base);
        await page.waitForTimeout(2500);
        const file = path.join(root, 'docs', `screenshot-${name}-${width}x${height}-dark.png`);
        await page.screenshot({ path: file });
        console.log(`wrote ${path.relative(root, file)}`);
        await context.close();
      } finally {
        state.kill();
      }
    }
  }
} finally {
  await browser.close();
}
