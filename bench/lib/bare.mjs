// The bare page: a blank page (`/api/health`) holding one raw socket of a
// transport whose `onmessage` only runs JSON.parse and counts. The browser
// ceiling and the cost-per-frame floor are read against it. The bare Worker:
// the same socket in a dedicated Worker that only receives and counts (no
// parse), posting its count to the page every 50 ms: the ceiling of the
// page's Worker path.

import { sleep } from './harness.mjs';

/** In a blank page: a raw socket of the transport whose handler only parses and counts. */
function bareReceiver([wsUrl, socketio]) {
  return new Promise((resolve, reject) => {
    const s = { n: 0, sink: 0 };
    window.__bare = s;
    const ws = new WebSocket(wsUrl);
    window.__bareSocket = ws;
    ws.onerror = () => reject(new Error('bare socket failed'));
    ws.onmessage = (ev) => {
      const text = typeof ev.data === 'string' ? ev.data : '';
      if (socketio) {
        if (text.startsWith('0')) return ws.send('40/signals,');
        if (text === '2') return ws.send('3');
        if (text.startsWith('40')) return resolve();
        if (text.startsWith('42')) s.sink += JSON.parse(text.slice(text.indexOf('['))) ? 1 : 0;
      } else if (text.startsWith('{')) {
        s.sink += JSON.parse(text) ? 1 : 0;
      }
      s.n++;
    };
    if (!socketio) ws.onopen = () => resolve();
  });
}

export async function openBare(browser, be, protocol) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${be.url}/api/health`);
  const wsUrl = be.url.replace(/^http/, 'ws') + (protocol === 'socketio' ? '/socket.io/?EIO=4&transport=websocket' : '/ws');
  await page.evaluate(bareReceiver, [wsUrl, protocol === 'socketio']);
  await sleep(300);
  return { context, page };
}

/** The bare Worker's script: a raw socket that only receives and counts. */
const BARE_WORKER = `
let n = 0;
onmessage = (e) => {
  const [url, socketio] = e.data;
  const ws = new WebSocket(url);
  ws.onerror = () => postMessage({ error: true });
  ws.onmessage = (ev) => {
    const text = typeof ev.data === 'string' ? ev.data : '';
    if (socketio) {
      if (text.startsWith('0')) return ws.send('40/signals,');
      if (text === '2') return ws.send('3');
      if (text.startsWith('40')) return postMessage({ ready: true, n });
    }
    n++;
  };
  if (!socketio) ws.onopen = () => postMessage({ ready: true, n });
  setInterval(() => postMessage({ n }), 50);
};`;

function bareWorkerReceiver([wsUrl, socketio, source]) {
  return new Promise((resolve, reject) => {
    const s = { n: 0 };
    window.__bare = s;
    const w = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    window.__bareWorker = w;
    w.onmessage = (e) => {
      if (e.data.error) return reject(new Error('bare worker socket failed'));
      s.n = e.data.n;
      if (e.data.ready) resolve();
    };
    w.postMessage([wsUrl, socketio]);
  });
}

/** A blank page whose dedicated Worker holds the raw socket and only counts. */
export async function openBareWorker(browser, be, protocol) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${be.url}/api/health`);
  const wsUrl = be.url.replace(/^http/, 'ws') + (protocol === 'socketio' ? '/socket.io/?EIO=4&transport=websocket' : '/ws');
  await page.evaluate(bareWorkerReceiver, [wsUrl, protocol === 'socketio', BARE_WORKER]);
  await sleep(300);
  return { context, page };
}
