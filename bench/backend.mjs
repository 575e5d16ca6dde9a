// Spawns a demo-server for the benchmarks: the same binary and flags as the
// e2e suite (`--port 0 --static dist --control`), its URL read from the one
// stdout line `listening on http://127.0.0.1:PORT`. `spawnListening` runs any
// server that prints that line (the burst benchmark's Node server).

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

/**
 * How the benchmarks and the profiling scripts launch Debian's Chromium: the
 * same flags as the e2e suite (e2e/support/chromium.ts).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Timers of a page that a script drives must not be throttled as a background tab's.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export function chromiumPath() {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export function serverBinary(root) {
  if (process.env.DEMO_SERVER_BIN) return path.resolve(process.env.DEMO_SERVER_BIN);
  const target = path.resolve(process.env.CARGO_TARGET_DIR ?? path.join(root, 'target'));
  return path.join(target, process.env.DEMO_SERVER_PROFILE ?? 'server', 'demo-server');
}

const children = new Set();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(130);
  });
}

/**
 * Spawns a server that prints `listening on http://HOST:PORT` on stdout,
 * and answers its URL, the child and a `stop()` (SIGTERM, then SIGKILL
 * after 3 s). `name` is for the error messages. The child is killed when
 * this process exits.
 */
export async function spawnListening(name, command, args, env = process.env) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.on('data', (b) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed no listening line within 30 s`)), 30_000);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^listening on (http:\/\/\S+?)\/?$/.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}): ${stderr}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function startBackend(root, dist, extraArgs = []) {
  const bin = serverBinary(root);
  if (!fs.existsSync(bin)) throw new Error(`no demo-server binary at ${bin}: run \`make server\` (or set DEMO_SERVER_BIN)`);
  const args = ['--port', '0', '--static', dist, '--control', ...extraArgs];
  const { url, stop } = await spawnListening('demo-server', bin, args, { RUST_LOG: 'warn', ...process.env });
  // Every POST carries a JSON body and says so: /control/ refuses any other
  // content type (415), so that no web page can drive it with a simple form post.
  const call = async (method, route, body) => {
    const post = method === 'POST';
    const res = await fetch(`${url}/control/${route}`, {
      method,
      headers: post ? { 'content-type': 'application/json' } : undefined,
      body: post ? JSON.stringify(body ?? {}) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /control/${route}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    url,
    state: () => call('GET', 'state'),
    faults: (patch) => call('POST', 'faults', patch),
    emit: async (type, data = {}) => (await call('POST', 'emit', { type, data })).data,
    stop,
  };
}
