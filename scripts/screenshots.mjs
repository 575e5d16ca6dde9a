// Takes the README's screenshots: the dashboard at a phone, a laptop and a 4K
// size, in the dark and the light theme, against the demo backend serving the
// release build in dist/. Run through `make screenshots` (after `make dist`
// and `make server`). Writes docs/screenshot-<W>x<H>-<theme>.png.
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

function startBackend() {
  const bin = path.join(root, 'target', 'server', 'demo-server');
  const child = spawn(bin, ['--port', '0', '--static', path.join(root, 'dist'), '--seed', '42'], {
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
  await browser.close();
  child.kill();
}
