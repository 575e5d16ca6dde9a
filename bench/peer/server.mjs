// The burst benchmark's backend: the official Node Socket.IO server
// (`socket.io` 4.8) speaking the dashboard's wire contract, docs/PROTOCOL.md,
// well enough for both pages of the benchmark, ours and the React peer:
//
// - REST (§2): /api/health, /api/symbols, /api/regime, /api/regime/history,
//   /api/signals and /api/alerts with `after` paging, errors as
//   {"error":"…"}, CORS for any origin (the page's origin is the user's);
// - Socket.IO v4 (§4) on /socket.io/, namespace /signals, events with one
//   argument as §4 names them (this server only has `regime` and `signal`
//   to send, though both pages take `regime:alert` too); the client's
//   `subscribe` is answered with the latest `regime` of every series it
//   names (as the demo backend greets). `"batch":true` is ignored, as §3
//   allows: every signal is one event, one WebSocket frame;
// - the pages: our dashboard from --dist at `/`, the React peer from --peer
//   at `/peer/`, so that both talk to the same origin;
// - the control the benchmark drives: POST /control/burst {count, perSec}
//   starts a burst of `count` new signals at `perSec` per second, GET
//   /control/burst says how far it got, GET /control/state gives the next
//   signal id. Loopback only, JSON bodies only, no CORS, and no page of
//   another origin may call it (the rules of demo-server/src/control.rs).
//
//   node bench/peer/server.mjs [--port 0] [--host 127.0.0.1] [--dist dist] [--peer bench/peer/dist]
//
// It prints one line, `listening on http://HOST:PORT`, as demo-server does.
// There is no market behind it: the series keep the snapshot they start
// with, and nothing is sent but the greeting and the bursts, so that a
// burst is all the traffic a page gets while it is measured.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from 'socket.io';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');

/** The command line: `--name value` pairs, with the defaults above. */
function parseArgs(argv) {
  const args = { port: 0, host: '127.0.0.1', dist: path.join(ROOT, 'dist'), peer: path.join(HERE, 'dist') };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || argv[i + 1] === undefined) throw new Error(`unknown or incomplete option ${argv[i]}`);
    args[key] = key === 'port' ? Number(argv[i + 1]) : argv[i + 1];
  }
  args.dist = path.resolve(args.dist);
  args.peer = path.resolve(args.peer);
  return args;
}

// ---- the data -------------------------------------------------------------

/** What /api/symbols lists: the series a page can show. */
const SYMBOLS = [
  { symbol: 'BTCUSDT', timeframes: ['1h', '15m', '1m'], close: 64_210.5 },
  { symbol: 'ETHUSDT', timeframes: ['1h', '15m'], close: 3_180.25 },
];
const TIMEFRAME_MS = { '1m': 60_000, '15m': 900_000, '1h': 3_600_000 };
/** Signals kept for REST paging (a burst is 20 000; the oldest go first). */
const SIGNALS_KEPT = 200_000;
/** The largest REST page this backend answers, whatever `limit` asks (§2 allows a cap). */
const PAGE_CAP = 500;
const DEFAULT_PAGE = 100;
const DEFAULT_HISTORY = 120;
/** Series greeted at most per `subscribe`, as the demo backend. */
const GREETING_MAX = 64;
const VERSION = 'bench-peer-server 1 (socket.io 4.8)';
/** Changes at every start: the signal ids start again with each run (§2 "Backend runs"). */
const EPOCH = `node-${Date.now().toString(36)}`;

const seriesKey = (symbol, timeframe) => `${symbol}|${timeframe}`;

/**
 * Every series' history, oldest first, ending now, and its latest snapshot:
 * a smooth made-up walk, the same at every start (no randomness).
 */
function makeSeries(now) {
  const series = new Map();
  for (const [si, { symbol, timeframes, close }] of SYMBOLS.entries()) {
    for (const [ti, timeframe] of timeframes.entries()) {
      const step = TIMEFRAME_MS[timeframe];
      const end = Math.floor(now / step) * step;
      const points = [];
      for (let k = 0; k < 300; k++) {
        const x = k + 40 * si + 17 * ti;
        const adx = 22 + 12 * Math.sin(x / 19) + 4 * Math.sin(x / 5);
        const drift = Math.sin(x / 23);
        const regime = adx < 20 ? 'range' : drift > 0.3 ? 'trend_up' : drift < -0.3 ? 'trend_down' : 'volatile';
        points.push({
          timestamp: new Date(end - (299 - k) * step).toISOString(),
          regime,
          adx: round(adx, 1),
          atrPct: round(0.012 + 0.006 * Math.sin(x / 11) ** 2, 4),
          close: round(close * (1 + 0.02 * Math.sin(x / 29) + 0.004 * Math.sin(x / 3)), 2),
        });
      }
      const last = points[points.length - 1];
      const snapshot = {
        symbol,
        timeframe,
        regime: last.regime,
        adx: last.adx,
        atrPct: last.atrPct,
        timestamp: last.timestamp,
        plusDi: round(last.adx * 0.9, 1),
        minusDi: round(last.adx * 0.7, 1),
        close: last.close,
      };
      series.set(seriesKey(symbol, timeframe), { points, snapshot });
    }
  }
  return series;
}

const round = (v, digits) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The signals and alerts of this run, ascending by id, and the next ids. */
const store = { signals: [], alerts: [], nextSignalId: 1, nextAlertId: 1 };

const SIDES = ['long', 'short', 'flat'];

/** A new signal with the next id: symbols and sides in turn, the price near the symbol's close. */
function newSignal(note) {
  const id = store.nextSignalId++;
  const sym = SYMBOLS[id % SYMBOLS.length];
  const signal = {
    id,
    symbol: sym.symbol,
    timeframe: sym.timeframes[0],
    side: SIDES[id % SIDES.length],
    price: round(sym.close * (1 + 0.001 * Math.sin(id)), 2),
    strategy: 'adx-breakout',
    confidence: round(0.5 + 0.45 * Math.abs(Math.sin(id / 7)), 2),
    timestamp: new Date().toISOString(),
    note,
  };
  store.signals.push(signal);
  if (store.signals.length > SIGNALS_KEPT * 1.25) store.signals.splice(0, store.signals.length - SIGNALS_KEPT);
  return signal;
}

/** Items with an id above `after`, ascending, at most `limit`; without `after`, the newest `limit`. */
function page(items, after, limit, symbol) {
  const matching = symbol ? items.filter((x) => x.symbol === symbol) : items;
  if (after === null) return matching.slice(Math.max(0, matching.length - limit));
  // Ids ascend: the first above `after` by binary search.
  let lo = 0;
  let hi = matching.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (matching[mid].id <= after) lo = mid + 1;
    else hi = mid;
  }
  return matching.slice(lo, lo + limit);
}

// ---- REST ----------------------------------------------------------------

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** A whole number from the query string, or `fallback` when absent; a 400 when it is no number. */
function wholeNumber(q, name, fallback) {
  const text = q.get(name);
  if (text === null || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `${name} must be a whole number, not ${JSON.stringify(text)}`);
  return n;
}

function seriesOf(series, q) {
  const symbol = q.get('symbol');
  const timeframe = q.get('timeframe');
  if (!symbol || !timeframe) throw new HttpError(400, 'symbol and timeframe are required');
  const s = series.get(seriesKey(symbol, timeframe));
  if (!s) throw new HttpError(404, `unknown symbol or timeframe: ${symbol} ${timeframe}`);
  return { symbol, timeframe, s };
}

/** The answer to one `GET /api/…`, as a JSON value. */
function api(series, route, q) {
  switch (route) {
    case '/api/health':
      return { status: 'ok', time: new Date().toISOString(), version: VERSION, epoch: EPOCH };
    case '/api/symbols':
      return { symbols: SYMBOLS.map(({ symbol, timeframes }) => ({ symbol, timeframes })) };
    case '/api/regime':
      return seriesOf(series, q).s.snapshot;
    case '/api/regime/history': {
      const { symbol, timeframe, s } = seriesOf(series, q);
      const limit = wholeNumber(q, 'limit', DEFAULT_HISTORY);
      return { symbol, timeframe, points: s.points.slice(Math.max(0, s.points.length - limit)) };
    }
    case '/api/signals':
    case '/api/alerts': {
      const after = wholeNumber(q, 'after', null);
      const limit = Math.min(PAGE_CAP, wholeNumber(q, 'limit', DEFAULT_PAGE));
      const symbol = q.get('symbol') || null;
      return route === '/api/signals'
        ? { signals: page(store.signals, after, limit, symbol) }
        : { alerts: page(store.alerts, after, limit, symbol) };
    }
    default:
      throw new HttpError(404, `no such endpoint: ${route}`);
  }
}

/** CORS for /api/: any origin may read it (§2: the page's origin is wherever the user put it). */
function corsHeaders(req) {
  const h = { 'access-control-allow-origin': req.headers.origin ?? '*', vary: 'Origin' };
  if (req.method === 'OPTIONS') {
    h['access-control-allow-methods'] = 'GET, OPTIONS';
    h['access-control-allow-headers'] = req.headers['access-control-request-headers'] ?? 'authorization, content-type';
    h['access-control-max-age'] = '600';
  }
  return h;
}

function sendJson(res, status, value, headers = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

// ---- the pages -----------------------------------------------------------

// What the two pages' dist/ folders hold (Trunk's and esbuild's output).
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** A file under `dir` for a URL path (`/` is index.html), or null: never a path outside `dir`. */
function staticFile(dir, urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.resolve(dir, '.' + rel);
  if (file !== dir && !file.startsWith(dir + path.sep)) return null;
  return fs.existsSync(file) && fs.statSync(file).isFile() ? file : null;
}

function sendFile(res, file) {
  res.writeHead(200, {
    'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
    // The benchmark rebuilds the peer and the dashboard may be rebuilt: never a stale copy.
    'cache-control': 'no-cache',
  });
  fs.createReadStream(file).pipe(res);
}

// ---- the control ---------------------------------------------------------

/** The burst under way or the last one: ids, pace, how many were sent, when. */
let burst = null;

/**
 * Sends `count` new signals at `perSec` per second on `nsp`, one `signal`
 * event each. Pacing follows the clock, not the timer: at each tick
 * (setTimeout 1 ms, which Node runs every 1 to 2 ms) it sends what is due
 * by then, so the rate holds whatever the timer's granularity, in chunks of
 * about `perSec` / 1000 signals.
 */
function startBurst(nsp, count, perSec) {
  const t0 = performance.now();
  const b = {
    count,
    perSec,
    firstId: store.nextSignalId,
    lastId: store.nextSignalId + count - 1,
    sent: 0,
    startedAt: Date.now(),
    sentAllAt: null,
    ms: null,
    done: false,
  };
  const tick = () => {
    // The first signal goes at once, the k-th at (k - 1) / perSec seconds.
    const due = Math.min(count, Math.floor(((performance.now() - t0) * perSec) / 1000) + 1);
    while (b.sent < due) {
      b.sent++;
      nsp.emit('signal', newSignal(`burst ${b.sent} of ${count}`));
    }
    if (b.sent < count) {
      setTimeout(tick, 1);
      return;
    }
    b.sentAllAt = Date.now();
    b.ms = performance.now() - t0;
    b.done = true;
  };
  tick();
  return b;
}

/** Loopback Host and no foreign Origin: no other web page can drive the control. */
function controlAllowed(req, port) {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) return false;
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    const o = new URL(origin);
    return ['127.0.0.1', 'localhost', '[::1]'].includes(o.hostname) && Number(o.port) === port;
  } catch {
    return false;
  }
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
      if (body.length > 10_000) reject(new HttpError(413, 'body too large'));
    });
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {});
      } catch {
        reject(new HttpError(400, 'the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

async function control(req, res, route, nsp, port) {
  if (!controlAllowed(req, port)) throw new HttpError(403, 'the control answers loopback requests from no other origin');
  if (req.method === 'GET' && route === '/control/state') {
    // The transport of every socket on /signals: `websocket`, or `polling` for one that never upgraded.
    const transports = [...nsp.sockets.values()].map((s) => s.conn.transport.name);
    return sendJson(res, 200, { nextSignalId: store.nextSignalId, signals: store.signals.length, transports, burst });
  }
  if (req.method === 'GET' && route === '/control/burst') return sendJson(res, 200, { burst });
  if (req.method === 'POST' && route === '/control/burst') {
    // A form or text/plain POST needs no preflight: only JSON is taken.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send application/json');
    const { count = 20_000, perSec = 10_000 } = await readJson(req);
    if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new HttpError(400, 'count: a whole number from 1 to 1000000');
    if (!Number.isFinite(perSec) || perSec < 1 || perSec > 1_000_000) throw new HttpError(400, 'perSec: from 1 to 1000000');
    if (burst && !burst.done) throw new HttpError(409, 'a burst is under way');
    burst = startBurst(nsp, count, perSec);
    return sendJson(res, 200, { burst });
  }
  throw new HttpError(404, `no such control: ${req.method} ${route}`);
}

// ---- the server ----------------------------------------------------------

export async function main(argv = process.argv.slice(2)) {
  const args = parseArgs(argv);
  const series = makeSeries(Date.now());
  // A few signals and alerts from before the page opened, so that both
  // pages have rows from REST before the first burst.
  for (let i = 0; i < 20; i++) newSignal('before the page opened');
  // The alerts: the last regime changes of BTCUSDT 1h's history.
  const { points } = series.get(seriesKey('BTCUSDT', '1h'));
  const changes = points.map((p, i) => [points[i - 1], p]).filter(([a, b]) => a && a.regime !== b.regime);
  for (const [from, to] of changes.slice(-3)) {
    store.alerts.push({
      id: store.nextAlertId++,
      symbol: 'BTCUSDT',
      timeframe: '1h',
      from: from.regime,
      to: to.regime,
      adx: to.adx,
      atrPct: to.atrPct,
      timestamp: to.timestamp,
      message: `regime ${from.regime} → ${to.regime}`,
    });
  }

  let port = args.port;
  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = url.pathname;
    (async () => {
      if (route.startsWith('/api/')) {
        const cors = corsHeaders(req);
        if (req.method === 'OPTIONS') {
          res.writeHead(204, cors);
          return res.end();
        }
        if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
        try {
          return sendJson(res, 200, api(series, route, url.searchParams), cors);
        } catch (e) {
          if (e instanceof HttpError) return sendJson(res, e.status, { error: e.message }, cors);
          throw e;
        }
      }
      if (route.startsWith('/control/')) return await control(req, res, route, nsp, port);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
      if (route === '/peer') {
        res.writeHead(301, { location: '/peer/' + url.search });
        return res.end();
      }
      const file = route.startsWith('/peer/') ? staticFile(args.peer, route.slice('/peer'.length)) : staticFile(args.dist, route);
      if (!file) throw new HttpError(404, `not found: ${route}`);
      sendFile(res, file);
    })().catch((e) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (!(e instanceof HttpError)) console.error(e);
      if (!res.headersSent) sendJson(res, status, { error: e.message });
      else res.destroy();
    });
  });

  // The official server, as a Node backend would run it: both transports,
  // any origin (the pages may be served from elsewhere), the default heartbeat.
  const io = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    cors: { origin: true, methods: ['GET', 'POST'] },
  });
  const nsp = io.of('/signals');
  nsp.on('connection', (socket) => {
    socket.on('subscribe', (sub) => {
      const symbols = Array.isArray(sub?.symbols) ? sub.symbols.filter((s) => typeof s === 'string') : [];
      const timeframes = Array.isArray(sub?.timeframes) ? sub.timeframes.filter((s) => typeof s === 'string') : [];
      // The latest snapshot of every series named, at once; a subscribe
      // that names no symbol or no timeframe wants everything, and gets no
      // greeting (as the demo backend).
      const greeting = symbols
        .flatMap((symbol) => timeframes.map((timeframe) => series.get(seriesKey(symbol, timeframe))))
        .filter(Boolean)
        .slice(0, GREETING_MAX);
      for (const s of greeting) socket.emit('regime', s.snapshot);
    });
  });

  await new Promise((resolve) => httpServer.listen(args.port, args.host, resolve));
  port = httpServer.address().port;
  console.log(`listening on http://${args.host}:${port}`);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      io.close();
      httpServer.close();
      process.exit(0);
    });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
