// A tiny static host that serves a directory (the built dist/) under a path
// prefix such as /a/b/, the way a GitHub Pages project site or an nginx
// `location /tools/regime/` does, to check that the page asks for nothing
// outside its own directory. It records every request it sees; anything
// outside the prefix is a 404, and so is any unknown file under it (no SPA
// fallback: the page has one address). Files given in `extra` (config.json)
// are served from memory, as if they had been copied beside index.html.

import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface SeenRequest {
  method: string;
  /** The request target as sent (path and query). */
  url: string;
  /** Its path, decoded. */
  path: string;
  status: number;
}

export interface PrefixHost {
  /** http://127.0.0.1:PORT (no trailing slash). */
  origin: string;
  port: number;
  /** The prefix, with its leading and trailing slash: `/a/b/`. */
  prefix: string;
  /** origin + prefix: the page's address. */
  pageUrl: string;
  /** Every request seen, in order. */
  requests: SeenRequest[];
  stop(): Promise<void>;
}

export interface ExtraFile {
  body: string | Buffer;
  type?: string;
}

/** Serves `dir` under `prefix` on 127.0.0.1 (a port of its own). */
export async function servePrefix(dir: string, prefix: string, extra: Record<string, ExtraFile> = {}): Promise<PrefixHost> {
  if (!/^\/(.+\/)?$/.test(prefix)) throw new Error(`prefix must start and end with "/": ${prefix}`);
  const root = path.resolve(dir);
  const requests: SeenRequest[] = [];

  const server = http.createServer((req, res) => {
    const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', path: '', status: 0 };
    requests.push(seen);
    const answer = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      seen.status = status;
      res.writeHead(status, {
        'content-type': type,
        'content-length': String(Buffer.byteLength(body)),
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const notFound = () => answer(404, 'text/plain; charset=utf-8', 'not found\n');

    let p: string;
    try {
      p = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
    } catch {
      return answer(400, 'text/plain; charset=utf-8', 'bad path\n');
    }
    seen.path = p;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return answer(405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
    }
    if (!p.startsWith(prefix)) return notFound();
    const rel = p.slice(prefix.length) || 'index.html';
    const mem = extra[rel];
    if (mem) return answer(200, mem.type ?? contentType(rel), mem.body);
    const file = path.resolve(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) return notFound();
    fs.readFile(file, (err, body) => {
      if (err) return notFound();
      answer(200, contentType(file), body);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    prefix,
    pageUrl: origin + prefix,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
