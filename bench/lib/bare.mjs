// The bare page: a blank page (`/api/health`) holding one raw socket of a
// transport whose `onmessage` only runs JSON.parse and counts. The browser
// ceiling and the cost-per-frame floor are read against it.

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
