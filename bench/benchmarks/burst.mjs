// Burst vs React: 20 000 signals at 10 000/s from the official Node
// Socket.IO server, to our dashboard and to a React 19 + socket.io-client
// 4.8 peer (bench/peer/) doing the same job; how soon each shows the
// burst's last signal, and how smooth its frames stay meanwhile.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawnListening } from '../backend.mjs';
import { median, quantile, record } from '../lib/figures.mjs';
import { DIST, ROOT, RUNS, log, openPage, settle, sleep, waitLive } from '../lib/harness.mjs';

export const section = 'burst';

export const BURST = { count: 20_000, perSec: 10_000 };
const PEER = path.join(ROOT, 'bench', 'peer');
/** How long a page is left alone once Live, before its burst. */
const SETTLE_MS = 2_000;
/** The longest a page may take to show the burst's last signal. */
const ON_SCREEN_TIMEOUT_MS = 60_000;

export const method =
  `- **Burst vs React**: \`bench/peer/server.mjs\`, the official Node \`socket.io\` 4.8 server speaking docs/PROTOCOL.md, sends a burst of ${BURST.count.toLocaleString('en-US')} signals at ${BURST.perSec.toLocaleString('en-US')}/s (one \`signal\` event per signal, each with a new id) to one page at a time: our dashboard from \`dist/\` (\`protocol=socketio\`, the defaults otherwise) and the React peer (\`bench/peer/\`: React 19 + socket.io-client 4.8, signals kept in \`useState\`, one \`setState\` per event, the newest 500 kept and 100 drawn as ours does; built by esbuild, minified, before the benchmark). After one unmeasured round, each round opens each page in a fresh browser context (their order alternating from round to round), waits until its badge says Live and the regime widget shows data, leaves it ${SETTLE_MS / 1000} s, and then a MutationObserver in the page waits for the row of the burst's last id (\`[data-testid="signal-row"][data-id=…]\`) while requestAnimationFrame intervals are sampled. *On screen* is the time from the server's first signal to that row (both \`Date.now()\` on this machine), *last sent → on screen* the part of it after the server sent its last signal (the server's own pace suffers when the page takes the machine's cores); the p95 and the longest frame interval are over the same span; *counted* is how many of the burst's signals the page took in (\`window.__regime.signalsAccepted\` for ours, the peer's own count of \`signal\` events), read when the count stops moving. The goal: on screen in ≤ 0.6× the React time, p95 frame ≤ 20 ms in every round. The React page's weight is what it loads, gzip -9.`;

/** npm ci in bench/peer when its packages are missing or not as locked (scripts/install-tools.sh peer). */
function installPeer() {
  const r = spawnSync(path.join(ROOT, 'scripts', 'install-tools.sh'), ['peer'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('scripts/install-tools.sh peer failed');
}

/** The Node server, serving our dashboard from DIST at `/` and the peer at `/peer/`. */
async function startPeerServer(peerDist) {
  const server = await spawnListening('the burst server', process.execPath, [
    path.join(PEER, 'server.mjs'),
    '--port',
    '0',
    '--dist',
    DIST,
    '--peer',
    peerDist,
  ]);
  const call = async (method, route, body) => {
    const res = await fetch(`${server.url}/control/${route}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /control/${route}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    ...server,
    state: () => call('GET', 'state'),
    startBurst: async (count, perSec) => (await call('POST', 'burst', { count, perSec })).burst,
    burst: async () => (await call('GET', 'burst')).burst,
  };
}

/**
 * In the page: waits for the row of signal `id`, notes when it came
 * (`Date.now()`, the server's clock too), and samples animation frames from
 * now until the frame that draws it.
 */
function watchForRow(id) {
  const w = { seenAt: null };
  window.__burst = w;
  const selector = `[data-testid="signal-row"][data-id="${id}"]`;
  const observer = new MutationObserver(() => {
    if (w.seenAt !== null || !document.querySelector(selector)) return;
    w.seenAt = Date.now();
    observer.disconnect();
    // The sampler's callback runs first in the next frame: its interval is counted.
    requestAnimationFrame(() => {
      window.__raf.on = false;
    });
  });
  observer.observe(document.body, { childList: true, subtree: true });
  window.__raf.d = [];
  window.__raf.on = true;
}

/** The two pages: where each is served and how it counts signals. */
const PAGES = {
  ours: {
    label: 'ours',
    open: (browser, url) => openPage(browser, url, { protocol: 'socketio' }, { sampler: true }),
    count: () => ({ n: window.__regime.signalsAccepted, last: window.__regime.lastSignalId }),
  },
  react: {
    label: 'React',
    open: (browser, url) => openPage(browser, `${url}/peer`, { api: url }, { sampler: true }),
    count: () => ({ n: window.__peer.signalsReceived, last: window.__peer.lastSignalId }),
  },
};

/** One page, one burst: on-screen time, frame intervals, signals counted. */
async function burstRound(browser, server, kind, screenshot) {
  const p = PAGES[kind];
  const { context, page, errors } = await p.open(browser, server.url);
  try {
    await waitLive(page);
    // Let the first REST answers, the greeting and the first drawing land before the burst.
    await sleep(SETTLE_MS);
    const before = await page.evaluate(p.count);
    const { nextSignalId, transports } = await server.state();
    const lastId = nextSignalId + BURST.count - 1;
    await page.evaluate(watchForRow, lastId);
    const b = await server.startBurst(BURST.count, BURST.perSec);
    if (b.lastId !== lastId) throw new Error(`the burst ends at id ${b.lastId}, not ${lastId}: another signal came first`);
    let seenAt = NaN;
    try {
      await page.waitForFunction(() => window.__burst.seenAt !== null, undefined, { timeout: ON_SCREEN_TIMEOUT_MS, polling: 100 });
      seenAt = await page.evaluate(() => window.__burst.seenAt);
    } catch {
      log(`burst ${p.label}: signal ${lastId} not on screen within ${ON_SCREEN_TIMEOUT_MS / 1000} s`);
    }
    const raf = await page.evaluate(() => {
      window.__raf.on = false;
      return window.__raf.d;
    });
    await settle(page, () => window.__regime?.signalsAccepted ?? window.__peer.signalsReceived);
    const after = await page.evaluate(p.count);
    const sent = await server.burst();
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    if (errors.length) log(`burst ${p.label}: page errors: ${errors.slice(0, 3).join(' | ')}`);
    return {
      onScreen: seenAt - b.startedAt,
      // What the page adds to the server's own pace (which the machine's load can slow).
      behind: seenAt - sent.sentAllAt,
      p95: quantile(raf, 0.95),
      longest: raf.length ? Math.max(...raf) : NaN,
      frames: raf.length,
      counted: after.n - before.n,
      lastSeen: after.last === lastId,
      sent: sent.sent,
      rate: ((sent.sent - 1) * 1000) / sent.ms,
      transports,
    };
  } finally {
    await context.close();
  }
}

/** The gzip -9 size of what the peer page loads (its dist/ is nothing else). */
function peerWeight(dist) {
  return fs.readdirSync(dist).reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length, 0);
}

/** Returns every round's figures, for the report's table. */
export async function run(browser) {
  installPeer();
  // The peer's bundle from its sources, now (esbuild: well under a second).
  const { buildPeer } = await import('../peer/build.mjs');
  const peerDist = await buildPeer();
  const server = await startPeerServer(peerDist);
  const rounds = [];
  // BENCH_SCREENSHOTS=DIR: both pages as they look after the last round's burst.
  const shots = process.env.BENCH_SCREENSHOTS;
  try {
    // One unmeasured round first (as the load benchmark's first load): the
    // server's JIT and the browser's caches warm for both pages alike.
    for (const kind of ['ours', 'react']) await burstRound(browser, server, kind, null);
    for (let round = 0; round < RUNS; round++) {
      // Alternating the order, so that whatever the machine is doing weighs on both alike.
      const order = round % 2 ? ['react', 'ours'] : ['ours', 'react'];
      const r = {};
      for (const kind of order) {
        const shot = shots && round === RUNS - 1 ? path.join(shots, `peer-${kind}.png`) : null;
        r[kind] = await burstRound(browser, server, kind, shot);
        const x = r[kind];
        log(
          `burst round ${round + 1}, ${PAGES[kind].label}: on screen ${Math.round(x.onScreen)} ms (${Math.round(x.behind)} ms after the last was sent), p95 frame ${x.p95.toFixed(1)} ms, ` +
            `longest ${x.longest.toFixed(1)} ms (${x.frames} frames), counted ${x.counted}/${x.sent}${x.lastSeen ? '' : ' (last id not held)'}, ` +
            `sent at ${Math.round(x.rate)}/s over ${x.transports.join('+')}`,
        );
        await sleep(500);
      }
      r.ratio = r.ours.onScreen / r.react.onScreen;
      log(`burst round ${round + 1}: ours / React = ${r.ratio.toFixed(2)}`);
      rounds.push(r);
    }
  } finally {
    await server.stop();
  }
  const of = (kind, key) => rounds.map((r) => r[kind][key]);
  const n = BURST.count.toLocaleString('en-US');
  const rate = BURST.perSec.toLocaleString('en-US');
  const everySignal = (f) => f.min === BURST.count && f.max === BURST.count;
  record(`burst of ${n} at ${rate}/s, on screen: ours`, of('ours', 'onScreen'), 'ms', '—', null);
  record(`burst of ${n} at ${rate}/s, on screen: React + socket.io-client`, of('react', 'onScreen'), 'ms', '—', null);
  record('burst, on screen: ours ÷ React', rounds.map((r) => r.ratio), '×', '≤ 0.6', (f) => f.median <= 0.6, 2);
  record('burst, last signal sent → on screen: ours', of('ours', 'behind'), 'ms', '—', null);
  record('burst, last signal sent → on screen: React', of('react', 'behind'), 'ms', '—', null);
  record('burst, p95 frame interval: ours', of('ours', 'p95'), 'ms', '≤ 20 ms every round', (f) => f.max <= 20, 1);
  record('burst, p95 frame interval: React', of('react', 'p95'), 'ms', '—', null, 1);
  record('burst, longest frame: ours', of('ours', 'longest'), 'ms', '—', null, 1);
  record('burst, longest frame: React', of('react', 'longest'), 'ms', '—', null, 1);
  record('burst, signals counted: ours', of('ours', 'counted'), 'signals', `${n} every round`, everySignal);
  record('burst, signals counted: React', of('react', 'counted'), 'signals', `${n} every round`, everySignal);
  // Both pages share the machine with the server: a page that takes more of its cores slows the burst it is sent.
  record('burst, rate the Node server sent at: to ours', of('ours', 'rate'), 'signals/s', '—', null);
  record('burst, rate the Node server sent at: to React', of('react', 'rate'), 'signals/s', '—', null);
  // Deterministic: one measurement stands for every run.
  record('React peer page weight, gzip -9', [peerWeight(peerDist) / 1000], 'kB', '—', null, 1);
  log(`burst: median ratio ${median(rounds.map((r) => r.ratio)).toFixed(2)}`);
  return { count: BURST.count, perSec: BURST.perSec, rounds };
}
