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
}

export interface Counters {
  plainClients: number;
  socketioClients: number;
  plainConnectionsTotal: number;
  socketioConnectionsTotal: number;
  lastSignalId: number;
  lastAlertId: number;
  messagesSent: number;
  published: number;
  malformedPublished: number;
  plainLagged: number;
  socketioDropped: number;
  liveDrops: number;
  [k: string]: number;
}

export interface ControlState {
  faults: Required<Faults>;
  counters: Counters;
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
  /** Drops every live socket now (they may reconnect at once). */
  drop(which: { plain?: boolean; socketio?: boolean } = {}): Promise<ControlState> {
    return this.call('POST', 'drop', which);
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
