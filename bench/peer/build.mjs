// Builds the React peer into bench/peer/dist/: src/main.jsx bundled by
// esbuild in production mode (React's production build, minified), beside
// index.html and style.css. The burst benchmark runs it before every
// measurement, so the bundle is always that of the sources.
//
//   node bench/peer/build.mjs      (or `npm run build` in bench/peer)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const PEER_DIST = path.join(HERE, 'dist');

export async function buildPeer() {
  fs.rmSync(PEER_DIST, { recursive: true, force: true });
  fs.mkdirSync(PEER_DIST, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(HERE, 'src', 'main.jsx')],
    outfile: path.join(PEER_DIST, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) fs.copyFileSync(path.join(HERE, f), path.join(PEER_DIST, f));
  return PEER_DIST;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dist = await buildPeer();
  for (const f of fs.readdirSync(dist)) console.log(`${path.relative(process.cwd(), path.join(dist, f))}: ${fs.statSync(path.join(dist, f)).size} B`);
}
