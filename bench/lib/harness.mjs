// What every benchmark shares: where the build and the backend are, how many
// runs, the browser, and the page helpers (the probe that times the badge and
// the first data, the animation-frame sampler, waiting for Live, waiting for
// a frame count to settle).

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS as BASE_CHROMIUM_ARGS, chromiumPath } from '../backend.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = path.resolve(process.env.DIST_DIR ?? path.join(ROOT, 'dist'));
export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
export const MB = 1024 * 1024;

// The suite's flags, plus what the memory figures need.
const CHROMIUM_ARGS = [...BASE_CHROMIUM_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'];

/** Playwright's Chromium, from the e2e suite's locked packages (installed on first use). */
function playwrightChromium() {
  const e2eRequire = createRequire(path.join(ROOT, 'e2e', 'package.json'));
  try {
    return e2eRequire('@playwright/test').chromium;
  } catch {
    console.log('bench: installing the e2e npm packages (npm ci in e2e/)');
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: path.join(ROOT, 'e2e'), stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm ci in e2e/ failed');
    return e2eRequire('@playwright/test').chromium;
  }
}

export function launchBrowser() {
  return playwrightChromium().launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const log = (...a) => console.log('bench:', ...a);

/** The page probe (same as the e2e page object's): mode changes and first data, timed in the page. */
function probe() {
  if (window.__bench) return;
  const p = { modes: [], firstData: null };
  window.__bench = p;
  let last = null;
  new MutationObserver(() => {
    const b = document.querySelector('[data-testid="badge"]');
    const m = b && b.getAttribute('data-mode');
    if (m && m !== last) {
      last = m;
      p.modes.push({ mode: m, t: performance.now(), wall: Date.now() });
    }
    if (p.firstData === null) {
      const adx = document.querySelector('[data-testid="adx-value"]');
      if (adx && /\d/.test(adx.textContent || '') && document.querySelector('[data-testid="regime-label"]')) {
        p.firstData = performance.now();
      }
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-mode'] });
}

/** An animation-frame interval sampler, switched on and off from outside. */
function rafSampler() {
  const s = { on: false, d: [] };
  window.__raf = s;
  let last;
  const tick = (t) => {
    if (s.on) {
      if (last !== undefined) s.d.push(t - last);
      last = t;
    } else last = undefined;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

export async function openPage(browser, url, settings = {}, { sampler = false, before } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  if (before) before(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.text().includes('panicked at') && errors.push(m.text()));
  await page.addInitScript(probe);
  if (sampler) await page.addInitScript(rafSampler);
  const qs = new URLSearchParams(Object.entries(settings).map(([k, v]) => [k, String(v)])).toString();
  await page.goto(`${url}/${qs ? '?' + qs : ''}`, { waitUntil: 'commit' });
  return { context, page, errors };
}

export async function waitLive(page, timeout = 15_000) {
  await page.waitForFunction(() => window.__bench?.modes.some((m) => m.mode === 'live'), undefined, { timeout, polling: 50 });
  await page.waitForFunction(() => window.__bench?.firstData !== null, undefined, { timeout, polling: 50 });
}

export const diag = (page) =>
  page.evaluate(() => {
    const r = window.__regime;
    return {
      framesTotal: r.framesTotal,
      signalsAccepted: r.signalsAccepted,
      lastSignalId: r.lastSignalId,
      mode: r.mode,
      wasm: r.wasmMemoryBytes(),
    };
  });

/**
 * Waits until a frame count in the page stops moving (nothing left in
 * flight), and returns it. `read` runs in the page: by default the
 * dashboard's `window.__regime.framesTotal`.
 */
export async function settle(page, read = () => window.__regime.framesTotal, quietMs = 600, maxMs = 20_000) {
  const end = Date.now() + maxMs;
  let last = -1;
  let since = Date.now();
  while (Date.now() < end) {
    const n = await page.evaluate(read);
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return last;
    await sleep(100);
  }
  return last;
}

export async function firstSeries(url) {
  const { symbols } = await (await fetch(`${url}/api/symbols`)).json();
  return symbols;
}
