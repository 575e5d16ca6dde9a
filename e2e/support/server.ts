// Starts and stops demo-server processes for the specs, and talks to their
// control API. Nothing here builds anything: the binary and dist/ must exist.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

/** The repository root (e2e/ lives right under it). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Where the built page lives; DIST_DIR overrides. */
export function distDir(): string {
  return path.resolve(process.env.DIST_DIR ?? path.join(REPO_ROOT, 'dist'));
}

/**
 * The demo backend binary. DEMO_SERVER_BIN names it outright; otherwise
 * DEMO_SERVER_PROFILE=debug picks target/debug/demo-server; the default is the
 * `server` profile the Makefile builds (target/server/demo-server).
 * CARGO_TARGET_DIR is honoured like cargo does.
 */
export function serverBinary(): string {
  if (process.env.DEMO_SERVER_BIN) return path.resolve(process.env.DEMO_SERVER_BIN);
  const target = path.resolve(process.env.CARGO_TARGET_DIR ?? path.join(REPO_ROOT, 'target'));
  const profile = process.env.DEMO_SERVER_PROFILE ?? 'server';
  return path.join(target, profile, 'demo-server');
}

/** Logs of every backend started by the suite (stderr and stdout). */
export const LOG_DIR = path.resolve(__dirname, '..', '.cache', 'server-logs');

/** Fault settings of POST /control/faults (all optional: a partial object is merged). */
export interface Faults {
  liveEnabled?: boolean;
  plainEnabled?: boolean;
  socketioEnabled?: boolean;
  restEnabled?: boolean;
  restFailRate?: number;
  restLatencyMs?: number;
  malformedRate?: number;
  floodPerSec?: number;
  signalsPerSec?: number;
  restartLiveEverySecs?: number;
  socketioSilent?: boolean;
  plainNoPong?: boolean;
  plainSilent?: boolean;
  /** /api/health reports `epoch` (default true; `--no-epoch` starts it off). */
  epoch?: boolean;
  /** /api/signals and /api/alerts ignore `after` and answer the newest N. */
  ignoreAfter?: boolean;
  websocketUpgradeRefused?: boolean;
  /** A signals/alerts page holds at most this many items; 0 = no cap. */
  pageCap?: number;
  /** Every timestamp the backend makes is shifted by this many ms (an explicit emit timestamp is not). */
  clockSkewMs?: number;
  /** Every injected REST error (500, 503, 502) carries a ~1 MB `{"error":…}` body. */
  hugeErrors?: boolean;
  /** 0..1: that share of /api/ requests gets a gateway 502 (HTML, no CORS headers). */
  gatewayFailRate?: number;
  /** The next N /api/ requests get that 502; counts down to 0 (read it back from state()). */
  gatewayFailNext?: number;
  /** Batches: at most N events a frame to clients that asked (0 = none), waiting at most batchMs. */
  batchMax?: number;
  batchMs?: number;
  /** Batches go to clients that did not ask too. */
  batchUnasked?: boolean;
}

export interface Counters {
  plainClients: number;
  socketioClients: number;
  plainConnectionsTotal: number;
  socketioConnectionsTotal: number;
  lastSignalId: number;
  lastAlertId: number;
  messagesSent: number;
  /** Batch frames among messagesSent, and the events they carried. */
  batchesSent: number;
  batchedEventsSent: number;
  published: number;
  malformedPublished: number;
  plainLagged: number;
  socketioDropped: number;
  liveDrops: number;
  /** POST /control/restart calls so far. */
  restarts: number;
  // /api/ requests as the clients made them (fault answers included, CORS
  // preflights not), zeroed by reset() and resetCounters():
  apiRequests: number;
  healthRequests: number;
  symbolsRequests: number;
  regimeRequests: number;
  historyRequests: number;
  signalsRequests: number;
  alertsRequests: number;
  /** /api/regime requests being answered now, and the most at once (see restLatencyMs). */
  regimeInFlight: number;
  regimePeakInFlight: number;
  /** Requests answered 502 by gatewayFailRate / gatewayFailNext. */
  gatewayErrors: number;
  /** `after` and `limit` of the last /api/signals and /api/alerts requests; null when absent. */
  lastSignalsAfter: number | null;
  lastSignalsLimit: number | null;
  lastAlertsAfter: number | null;
  lastAlertsLimit: number | null;
  [k: string]: number | null;
}

export interface ControlState {
  faults: Required<Faults>;
  counters: Counters;
  /** This run's epoch (what /api/health reports while `epoch` is on); changes on restart(). */
  epoch: string;
  /** 1 at start, +1 on every restart(). */
  run: number;
}

export type EmitType = 'signal' | 'regime:alert' | 'regime' | 'price';

/** The control API of one backend (only served with --control). */
export class Control {
  constructor(readonly baseUrl: string) {}

  /**
   * Every POST carries a JSON body and says so: /control/ refuses any other
   * content type (415), so that no web page can drive it with a simple form post.
   */
  private async call<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const post = method === 'POST';
    const res = await fetch(`${this.baseUrl}/control/${route}`, {
      method,
      headers: post ? { 'content-type': 'application/json' } : undefined,
      body: post ? JSON.stringify(body ?? {}) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /control/${route} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  state(): Promise<ControlState> {
    return this.call('GET', 'state');
  }
  faults(patch: Faults): Promise<ControlState> {
    return this.call('POST', 'faults', patch);
  }
  reset(): Promise<ControlState> {
    return this.call('POST', 'reset', {});
  }
  /** Emits one event; answers what was sent, with the id the server gave it. */
  async emit<T = Record<string, unknown>>(type: EmitType, data: Record<string, unknown> = {}): Promise<T> {
    const out = await this.call<{ type: string; data: T }>('POST', 'emit', { type, data });
    return out.data;
  }
  /** Emits one event stamped `timestamp` exactly (RFC 3339 or epoch ms), e.g. one frame from 2100. */
  emitAt<T = Record<string, unknown>>(
    type: EmitType,
    timestamp: string | number,
    data: Record<string, unknown> = {},
  ): Promise<T> {
    return this.emit<T>(type, { ...data, timestamp });
  }
  /** Drops every live socket now (they may reconnect at once). */
  drop(which: { plain?: boolean; socketio?: boolean } = {}): Promise<ControlState> {
    return this.call('POST', 'drop', which);
  }
  /**
   * Plays a restarted backend that keeps its events in memory: signals and
   * alerts emptied and numbered from 1 again, every live socket dropped, a
   * new epoch. `epoch` first sets whether /api/health reports it.
   */
  restart(opts: { epoch?: boolean } = {}): Promise<ControlState> {
    return this.call('POST', 'restart', opts);
  }
  /** Zeroes the /api/ request counters (and the in-flight peak). */
  resetCounters(): Promise<ControlState> {
    return this.call('POST', 'reset-counters', {});
  }
  async counters(): Promise<Counters> {
    return (await this.state()).counters;
  }
  /** The next `n` /api/ requests get a gateway 502 without CORS headers. */
  failNextApiRequests(n: number): Promise<ControlState> {
    return this.faults({ gatewayFailNext: n });
  }
  /** The backend's clock runs `ms` off (negative: behind) from now on. */
  clockSkew(ms: number): Promise<ControlState> {
    return this.faults({ clockSkewMs: ms });
  }
}

export interface Backend {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  args: string[];
  control: Control;
  logPath: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

let counter = 0;

/**
 * Spawns `demo-server --port 0 --static <dist> --control <extra…>` and waits
 * for its one stdout line `listening on http://127.0.0.1:PORT`.
 */
export async function startBackend(extraArgs: string[] = [], name = 'backend', opts: { static?: boolean; control?: boolean } = {}): Promise<Backend> {
  const bin = serverBinary();
  if (!fs.existsSync(bin)) {
    throw new Error(
      `demo backend binary not found at ${bin}: build it with \`cargo build --profile server -p demo-server\` ` +
        `(or set DEMO_SERVER_BIN, or DEMO_SERVER_PROFILE=debug for target/debug/demo-server)`,
    );
  }
  const dist = distDir();
  if (opts.static !== false && !fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`no built page at ${dist}/index.html: run \`trunk build --release\` (or set DIST_DIR)`);
  }
  const args = ['--port', '0'];
  if (opts.static !== false) args.push('--static', dist);
  if (opts.control !== false) args.push('--control');
  args.push(...extraArgs);

  fs.mkdirSync(LOG_DIR, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
  const logPath = path.join(LOG_DIR, `${process.pid}-${++counter}-${safe}.log`);
  const log = fs.createWriteStream(logPath);
  log.write(`$ ${bin} ${args.join(' ')}\n`);

  const child: ChildProcess = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { RUST_LOG: 'info', ...process.env },
  });
  child.stderr!.pipe(log, { end: false });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`demo-server did not print its listening line within 30 s (log: ${logPath})`));
      child.kill('SIGKILL');
    }, 30_000);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      log.write(`[stdout] ${line}\n`);
      const m = /^listening on (http:\/\/\S+?)\/?$/.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`demo-server exited early (code ${code}, signal ${signal}); log: ${logPath}\n` + safeRead(logPath)));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    log.end();
  };
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));

  return {
    url,
    port: Number(new URL(url).port),
    args,
    control: new Control(url),
    logPath,
    pid: child.pid,
    stop,
  };
}

function safeRead(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

// Never leave a backend behind, even when the runner dies mid-test.
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of liveChildren) c.kill('SIGKILL');
});

/** Shared backend started by the global setup, for specs that change nothing. */
export function sharedBackendUrl(): string {
  const url = process.env.E2E_SHARED_BACKEND_URL;
  if (!url) throw new Error('E2E_SHARED_BACKEND_URL is not set: the global setup did not run');
  return url;
}
