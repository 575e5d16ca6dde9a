// Cost per frame: the page's main-thread time per frame vs JSON.parse alone,
// and vs the bare page's receive-and-parse.

import { startBackend } from '../backend.mjs';
import { openBare } from '../lib/bare.mjs';
import { record } from '../lib/figures.mjs';
import { DIST, ROOT, RUNS, diag, log, openPage, settle, sleep, waitLive } from '../lib/harness.mjs';

export const section = 'cost';

const COST_RATE = 5_000;
const COST_WINDOW_MS = 3_000;
const CAPTURE_RATE = 10_000;
const CAPTURE_FRAMES = 20_000;

export const method = `- **Cost per frame**: the page's main-thread task time (with the live socket in its Worker, the default; and again with \`liveWorker=off\`, the page's own socket; a Worker's thread is not the page's main thread and is not counted) (Chrome DevTools \`Performance.getMetrics\` TaskDuration, idle time subtracted) during a ${COST_RATE / 1000}k/s flood, divided by the frames counted; against the best per-frame time of a bare loop doing only \`JSON.parse\` on 20 000 frames of the same flood, captured raw in the same page by a second socket of the same transport (for Socket.IO the \`42/signals,\` prefix is cut off before timing). The second floor is the bare page of the ceiling, timed like the page during the same flood rate: it includes the browser's own cost of delivering each WebSocket message to a handler.`;

async function taskSeconds(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration').value;
}

/** In the page: opens a raw socket of the transport, keeps `n` frames as sent. */
function captureFrames([wsUrl, socketio, n]) {
  return new Promise((resolve, reject) => {
    const frames = [];
    const ws = new WebSocket(wsUrl);
    const done = () => {
      window.__frames = frames;
      ws.close();
      resolve(frames.length);
    };
    // Socket.IO: the server pings; answered here too so that the capture lives.
    const t = setTimeout(done, 20_000);
    ws.onerror = () => reject(new Error('capture socket failed'));
    ws.onmessage = (ev) => {
      const text = typeof ev.data === 'string' ? ev.data : '';
      if (socketio) {
        if (text.startsWith('0')) return ws.send('40/signals,');
        if (text === '2') return ws.send('3');
        if (!text.startsWith('42')) return;
      } else if (!text.startsWith('{')) return;
      if (!text.includes('"signal"')) return;
      frames.push(text);
      if (frames.length >= n) {
        clearTimeout(t);
        done();
      }
    };
  });
}

/** In the page: the best per-frame time of a loop doing only JSON.parse. */
function bareParse(socketio) {
  const frames = window.__frames;
  const body = socketio ? frames.map((f) => f.slice(f.indexOf('['))) : frames;
  let best = Infinity;
  let sink = 0;
  for (let round = 0; round < 7; round++) {
    // Slicing is not timed for Socket.IO: only the parse is the baseline.
    const t0 = performance.now();
    for (let i = 0; i < body.length; i++) sink += JSON.parse(body[i]) ? 1 : 0;
    best = Math.min(best, (performance.now() - t0) / body.length);
  }
  window.__sink = sink;
  return best * 1000; // µs
}

/**
 * Main-thread seconds spent during a COST_RATE flood of COST_WINDOW_MS on
 * the page behind `cdp`, its idle time (measured just before, as long)
 * subtracted, and the frames `count()` saw arrive meanwhile. `after()` runs
 * once the flood stopped, before the time is read.
 */
async function floodBusy(cdp, be, count, after) {
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  let t0 = Date.now();
  let a = await taskSeconds(cdp);
  await sleep(COST_WINDOW_MS);
  const idlePerMs = ((await taskSeconds(cdp)) - a) / (Date.now() - t0);
  const n0 = await count();
  t0 = Date.now();
  a = await taskSeconds(cdp);
  await be.faults({ floodPerSec: COST_RATE });
  await sleep(COST_WINDOW_MS);
  await be.faults({ floodPerSec: 0 });
  await after();
  const busy = (await taskSeconds(cdp)) - a - idlePerMs * (Date.now() - t0);
  return { busy, frames: (await count()) - n0 };
}

/** Main-thread µs per frame of the page with these settings during a COST_RATE flood, idle subtracted. */
async function pageCost(browser, be, settings) {
  const { context, page } = await openPage(browser, be.url, settings);
  await waitLive(page);
  await sleep(1_000);
  const cdp = await context.newCDPSession(page);
  const { busy, frames } = await floodBusy(cdp, be, async () => (await diag(page)).framesTotal, () => settle(page));
  const path = await page.evaluate(() => window.__regime.liveSocket);
  await cdp.detach();
  await context.close();
  return { us: (busy / frames) * 1e6, frames, path };
}

/** Main-thread µs per frame of the bare receiver during a COST_RATE flood, idle subtracted. */
async function receiveFloor(browser, be, protocol) {
  const { context, page } = await openBare(browser, be, protocol);
  const cdp = await context.newCDPSession(page);
  const { busy, frames } = await floodBusy(cdp, be, () => page.evaluate(() => window.__bare.n), () => sleep(1_000));
  await cdp.detach();
  await context.close();
  return (busy / frames) * 1e6;
}

export async function run(browser) {
  for (const protocol of ['socketio', 'native']) {
    const be = await startBackend(ROOT, DIST, ['--speed', '0.001']);
    const app = [];
    const bare = [];
    const ratio = [];
    const floor = [];
    const floorRatio = [];
    const inPage = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        const { context, page } = await openPage(browser, be.url, { protocol });
        await waitLive(page);
        await sleep(1_000);
        const cdp = await context.newCDPSession(page);
        const { busy, frames } = await floodBusy(cdp, be, async () => (await diag(page)).framesTotal, () => settle(page));
        const appUs = (busy / frames) * 1e6;
        // The same frames, captured raw by a second page (so that the app's
        // own load does not slow the capture), then parsed in the app's page
        // by a bare loop.
        const wsUrl = be.url.replace(/^http/, 'ws') + (protocol === 'socketio' ? '/socket.io/?EIO=4&transport=websocket' : '/ws');
        const side = await context.newPage();
        await side.goto(`${be.url}/api/health`);
        const capture = side.evaluate(captureFrames, [wsUrl, protocol === 'socketio', CAPTURE_FRAMES]);
        await sleep(300);
        await be.faults({ floodPerSec: CAPTURE_RATE });
        const n = await capture;
        await be.faults({ floodPerSec: 0 });
        const captured = await side.evaluate(() => window.__frames);
        await side.close();
        await settle(page);
        await page.evaluate((f) => {
          window.__frames = f;
        }, captured);
        const bareUs = await page.evaluate(bareParse, protocol === 'socketio');
        await cdp.detach();
        await context.close();
        // The floor with the browser's own share: a blank page whose socket
        // handler only parses and counts, timed the same way.
        const floorUs = await receiveFloor(browser, be, protocol);
        // The page's own socket (the fallback), timed the same way.
        const own = await pageCost(browser, be, { protocol, liveWorker: 'off' });
        log(`cost ${protocol} run ${run + 1}: liveWorker=off (${own.path}): ${own.frames} frames, ${own.us.toFixed(2)} µs/frame`);
        inPage.push(own.us);
        log(
          `cost ${protocol} run ${run + 1}: ${frames} frames, app ${appUs.toFixed(2)} µs/frame, bare JSON.parse ${bareUs.toFixed(2)} µs/frame over ${n} frames, ` +
            `bare receive + parse ${floorUs.toFixed(2)} µs/frame`,
        );
        app.push(appUs);
        bare.push(bareUs);
        ratio.push(appUs / bareUs);
        floor.push(floorUs);
        floorRatio.push(appUs / floorUs);
      }
    } finally {
      await be.stop();
    }
    const label = protocol === 'socketio' ? 'Socket.IO' : 'plain WebSocket';
    record(`cost per frame, ${label}: page, live socket in the Worker`, app, 'µs', '≤ 10 µs', (f) => f.median <= 10, 2);
    record(`cost per frame, ${label}: page, its own socket (liveWorker=off)`, inPage, 'µs', '—', null, 2);
    record(`cost per frame, ${label}: bare JSON.parse`, bare, 'µs', '—', null, 2);
    record(`cost per frame, ${label}: ratio`, ratio, '×', '≤ 3×', (f) => f.median <= 3, 2);
    record(`cost per frame, ${label}: bare page, receive + JSON.parse`, floor, 'µs', '—', null, 2);
    record(`cost per frame, ${label}: ratio to bare receive + JSON.parse`, floorRatio, '×', '—', null, 2);
  }
}
