// The shared fixtures of every spec:
// - `guard` (auto): fails the test on any uncaught page error or any console
//   line containing "panicked at" (a Rust panic in the WebAssembly).
// - `backend`: a FRESH demo backend for this test only (own port, own flags
//   from `test.use({ backendArgs: [...] })`), for specs that inject faults or
//   emit events, so that specs never disturb each other.
// - `sharedUrl`: the backend of the global setup, for specs that only read.
// - `figure(name, value)`: logs `FIGURE name=value` and records it for
//   test-results/figures.json (see figures-reporter.ts).
// - `dashboard(settings, baseUrl?)`: opens the page object.

import { test as base, expect } from '@playwright/test';
import * as fs from 'node:fs';
import { Dashboard, type Settings } from '../pages/dashboard';
import { sharedBackendUrl, startBackend, type Backend } from './server';

export { expect };

type Figure = (name: string, value: number | string, digits?: number) => void;

interface Fixtures {
  backendArgs: string[];
  backend: Backend;
  sharedUrl: string;
  figure: Figure;
  guard: void;
  dashboard: (settings?: Settings, baseUrl?: string) => Promise<Dashboard>;
}

export const test = base.extend<Fixtures>({
  backendArgs: [[], { option: true }],

  backend: async ({ backendArgs }, use, testInfo) => {
    const b = await startBackend(backendArgs, `${testInfo.titlePath.slice(1).join(' ')}`);
    try {
      await use(b);
    } finally {
      await b.stop();
      if (testInfo.status !== testInfo.expectedStatus && fs.existsSync(b.logPath)) {
        await testInfo.attach('demo-server.log', { path: b.logPath, contentType: 'text/plain' });
      }
    }
  },

  sharedUrl: async ({}, use) => {
    await use(sharedBackendUrl());
  },

  figure: async ({}, use, testInfo) => {
    const figures: Record<string, number | string> = {};
    await use((name, value, digits) => {
      const v = typeof value === 'number' && digits !== undefined ? Number(value.toFixed(digits)) : value;
      figures[name] = v;
      console.log(`FIGURE ${name}=${v}`);
    });
    if (Object.keys(figures).length) {
      await testInfo.attach('figures', { body: JSON.stringify(figures), contentType: 'application/json' });
    }
  },

  guard: [
    async ({ page }, use, testInfo) => {
      const problems: string[] = [];
      const consoleTail: string[] = [];
      page.on('pageerror', (e) => problems.push(`uncaught page error: ${e.name}: ${e.message}\n${e.stack ?? ''}`));
      page.on('crash', () => problems.push('the page crashed'));
      page.on('console', (m) => {
        const text = m.text();
        if (text.includes('panicked at')) problems.push(`panic in the console: ${text}`);
        if (m.type() === 'error' || m.type() === 'warning') {
          consoleTail.push(`[${m.type()}] ${text.slice(0, 500)}`);
          if (consoleTail.length > 200) consoleTail.shift();
        }
      });
      await use();
      if (consoleTail.length && testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('console-errors.txt', { body: consoleTail.join('\n'), contentType: 'text/plain' });
      }
      expect(problems, 'no uncaught page error and no Rust panic').toEqual([]);
    },
    { auto: true },
  ],

  dashboard: async ({ page, sharedUrl }, use) => {
    await use((settings = {}, baseUrl = sharedUrl) => Dashboard.open(page, baseUrl, settings));
  },
});

/** Polls `fn` until it answers a truthy value or `timeoutMs` passes. */
export async function until<T>(fn: () => Promise<T>, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
