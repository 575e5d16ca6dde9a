// Takes the README's screenshots: the dashboard at a phone, a laptop and a 4K
// size, in the dark and the light theme, against the demo backend serving the
// release build in dist/. Run through `make screenshots` (after `make dist`
// and `make server`). Writes docs/screenshot-<W>x<H>-<theme>.png, then every
// state a trader must read right (cold load, API, Offline, REST failing, a
// silent server, a flood, toasts, keyboard only, long texts) at the phone and
// laptop sizes in both themes: docs/screenshot-<state>-<W>x<H>-<theme>.png
// (docs/SCREENSHOTS.md lists them).
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
  for (const [width, height] of process.env.ONLY ? [] : SIZES) {
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

const ALERT = (to, message) => ({
  type: 'regime:alert',
  data: { symbol: 'BTCUSDT', timeframe: '1m', from: 'range', to, adx: 27.4, atrPct: 0.012, message },
});

// [name, reach the state once the page is open, faults set before it opens, URL settings]
const STATES = [
  ['matrix', async (page) => {
    await mode(page, 'live');
    await page.getByTestId('regime-matrix').scrollIntoViewIfNeeded();
  }],
  // The first second: what stands before the data (skeletons, "loading").
  ['cold-load', async (page) => {
    await page.getByTestId('skeleton').first().waitFor({ timeout: 10_000 });
  }, { restLatencyMs: 8000 }, '', 200],
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
  // Connected, pinged, but no event comes: amber, never a green Live.
  ['silent-server', async (page) => {
    await mode(page, 'quiet');
  }, { socketioSilent: true }, '&protocol=socketio'],
  // A signals flood: the count says how many arrived, the rate its noun.
  ['flood', async (page, base) => {
    await mode(page, 'live');
    await page.getByTestId('signal-row').first().waitFor({ timeout: 15_000 });
    await control(base, 'faults', { floodPerSec: 2000 });
    await page.getByTestId('signals-count').filter({ hasText: 'received' }).waitFor({ timeout: 15_000 });
  }, undefined, '', 1000],
  ['toasts', async (page, base) => {
    await mode(page, 'live');
    await control(base, 'emit', ALERT('trend_up', 'ADX crossed 25 (27.4), +DI over −DI'));
    await page.getByTestId('toast').first().waitFor({ timeout: 10_000 });
    await control(base, 'emit', ALERT('volatile', 'ATR% 1.08% above its 90th percentile 1.02%'));
  }, undefined, '', 500],
  // Keyboard only: the focus ring on a control, whole.
  ['keyboard', async (page) => {
    await mode(page, 'live');
    await page.getByTestId('signal-row').first().waitFor({ timeout: 15_000 });
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
  }, undefined, '', 500],
  ['long-texts', async (page, base) => {
    await mode(page, 'live');
    await control(base, 'emit', { type: 'regime', data: { symbol: 'BTCUSDT', timeframe: '1m', regime: 'trend_down', adx: 31, atrPct: 0.01, close: 123456789.12 } });
    await control(base, 'emit', { type: 'signal', data: { symbol: 'L'.repeat(36) + 'USDT', timeframe: '15m', side: 'short', price: 123456789.12, strategy: 'breakout', note: 'A note long enough to wrap: '.repeat(6) } });
    await control(base, 'emit', { type: 'regime:alert', data: { symbol: 'BTCUSDT', timeframe: '1m', from: 'range', to: 'trend_down', adx: 31, atrPct: 0.01, message: 'word '.repeat(94) } });
  }],
];

// ONLY=api,flood takes only those states (and skips the normal page).
const only = process.env.ONLY ? process.env.ONLY.split(',') : null;

try {
  for (const [name, reach, faults, extra = '', settle = 2500] of STATES.filter(([n]) => !only || only.includes(n))) {
    for (const [width, height] of SIZES.slice(0, 2)) {
      for (const theme of THEMES) {
        const { child: state, url: base } = await startBackend(['--control']);
        try {
          if (faults) await control(base, 'faults', faults);
          const context = await browser.newContext({ viewport: { width, height }, colorScheme: theme });
          const page = await context.newPage();
          await page.goto(`${base}/?symbol=BTCUSDT&tf=1m&poll=2000${extra}`);
          await reach(page, base);
          await page.waitForTimeout(settle);
          const file = path.join(root, 'docs', `screenshot-${name}-${width}x${height}-${theme}.png`);
          await page.screenshot({ path: file });
          console.log(`wrote ${path.relative(root, file)}`);
          await context.close();
        } finally {
          state.kill();
        }
      }
    }
  }
} finally {
  await browser.close();
}
