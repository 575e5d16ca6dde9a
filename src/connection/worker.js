// The live socket's dedicated Worker (docs/ARCHITECTURE.md, "The live socket
// in a Worker"). It owns the WebSockets of both transports and only moves
// bytes: it never reads a frame (the page's core decides the protocol). Once
// per tick (a 16 ms timer, the Worker's own, not the page's) it posts the
// page one message with everything since the last one, and waits for the
// page's `ack` before posting the next: while the page is busy, frames wait
// here, at most `max` of them; past that it skips frames, counts them and
// reports `gap` ahead of the next frames it keeps.
//
// Page -> Worker: {t:'open', s, url, max}, {t:'send', s, text},
//                 {t:'close', s}, {t:'ack'}.
// Worker -> page: {t:'ready'} once, then per tick {b, r, at}: `b` the UTF-8
// bytes of every text frame of the tick back to back (transferred, not
// copied), `r` the records in order: [s, 'o'] opened, [s, 'd', lens] frames
// (an Int32Array: a text frame's byte length, or -1 - n for a binary frame
// of n bytes), [s, 'c', code, reason, wasClean] closed, [s, 'e'] error,
// [s, 'r', words] the browser refused to create it, [s, 'g', n] n frames
// skipped. `at` is the tick's time (performance.timeOrigin + now()).
//
// Nothing here logs: a socket URL may carry the trader's token.
'use strict';

const TICK_MS = 16;
// Frames this short are heartbeats and handshakes in both protocols (an
// Engine.IO "2", a plain {"type":"pong"}): kept even when the queue is full,
// so a busy page still answers pings; bounded by twice the queue.
const SHORT = 64;
// The queue's byte bound, beside `max` frames.
const MAX_BYTES = 16 << 20;

const sockets = new Map();
const encoder = new TextEncoder();
let bytes = new Uint8Array(1 << 16);
let used = 0;
let records = [];
let run = null; // the open [s, 'd', lens[]] record, lens as a JS array for now
let frames = 0;
let awaitingAck = false;
let ticks = 0; // ticks posted so far

function record(r) {
  run = null;
  records.push(r);
}

function reserve(n) {
  if (used + n <= bytes.length) return;
  let size = bytes.length * 2;
  while (size < used + n) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(bytes.subarray(0, used));
  bytes = grown;
}

function frame(s, len, text) {
  if (run === null || run[0] !== s) {
    run = [s, 'd', []];
    records.push(run);
  }
  run[2].push(len);
  if (text !== null) {
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    reserve(text.length * 3);
    used += encoder.encodeInto(text, bytes.subarray(used)).written;
  }
  frames += 1;
}

function onMessage(entry, event) {
  const data = event.data;
  const short = typeof data === 'string' ? data.length <= SHORT : false;
  const full = frames >= entry.max || used >= MAX_BYTES;
  if (full && !(short && frames < entry.max * 2)) {
    // One gap record per socket and tick, where the skipping began.
    if (entry.gap && entry.gap.tick === ticks) {
      entry.gap.r[2] += 1;
    } else {
      const r = [entry.s, 'g', 1];
      entry.gap = { tick: ticks, r };
      record(r);
    }
    return;
  }
  if (typeof data === 'string') {
    // The byte length is only known once encoded: write, then measure.
    const start = used;
    frame(entry.s, 0, data);
    run[2][run[2].length - 1] = used - start;
  } else {
    const n = data && typeof data.byteLength === 'number' ? data.byteLength : 0;
    frame(entry.s, -1 - n, null);
  }
}

function open(s, url, max) {
  let ws;
  try {
    ws = new WebSocket(url);
  } catch (e) {
    record([s, 'r', String((e && e.name ? e.name + ': ' : '') + (e && e.message ? e.message : e))]);
    return;
  }
  ws.binaryType = 'arraybuffer';
  const entry = { s, ws, max: Math.max(1, max | 0), gap: null };
  ws.onopen = () => record([s, 'o']);
  ws.onmessage = (event) => onMessage(entry, event);
  ws.onerror = () => record([s, 'e']);
  ws.onclose = (event) => {
    sockets.delete(s);
    record([s, 'c', event.code, String(event.reason), event.wasClean]);
  };
  sockets.set(s, entry);
}

function close(s) {
  const entry = sockets.get(s);
  if (!entry) return;
  sockets.delete(s);
  const ws = entry.ws;
  ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
  ws.close(1000);
}

function tick() {
  if (awaitingAck || records.length === 0) return;
  const out = bytes.slice(0, used);
  const transfer = [out.buffer];
  for (const r of records) {
    if (r[1] === 'd') {
      r[2] = Int32Array.from(r[2]);
      transfer.push(r[2].buffer);
    }
  }
  postMessage({ b: out, r: records, at: performance.timeOrigin + performance.now() }, transfer);
  records = [];
  run = null;
  used = 0;
  frames = 0;
  awaitingAck = true;
  ticks += 1;
  // A large tick does not keep its buffer: the next starts small again.
  if (bytes.length > 1 << 20) bytes = new Uint8Array(1 << 16);
}

onmessage = (event) => {
  const m = event.data;
  if (!m || typeof m !== 'object') return;
  switch (m.t) {
    case 'open':
      open(m.s, m.url, m.max);
      break;
    case 'send': {
      const entry = sockets.get(m.s);
      if (!entry) break;
      try {
        entry.ws.send(m.text);
      } catch (e) {
        record([m.s, 'e']);
      }
      break;
    }
    case 'close':
      close(m.s);
      break;
    case 'ack':
      awaitingAck = false;
      break;
  }
};

setInterval(tick, TICK_MS);
postMessage({ t: 'ready' });
