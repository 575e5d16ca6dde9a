// Starts one demo backend for the specs that only read (no faults, no emits)
// and hands its URL to them through the environment; the function it returns
// is the teardown. Builds nothing: `make test` builds dist/ and the binary first.

import type { FullConfig } from '@playwright/test';
import { startBackend } from './server';

export default async function globalSetup(_config: FullConfig) {
  const backend = await startBackend([], 'shared');
  process.env.E2E_SHARED_BACKEND_URL = backend.url;
  console.log(`[e2e] shared demo backend at ${backend.url} (pid ${backend.pid}, log ${backend.logPath})`);
  return async () => {
    await backend.stop();
  };
}
