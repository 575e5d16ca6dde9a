// Playwright configuration of the end-to-end suite. `make test` runs it from
// e2e/ after building dist/ (trunk build --release) and the demo backend
// (cargo build --profile server -p demo-server).
//
// Environment knobs (all optional):
//   DEMO_SERVER_BIN      path of the demo-server binary (default ../target/server/demo-server)
//   DEMO_SERVER_PROFILE  cargo profile directory to take it from instead (e.g. debug)
//   DIST_DIR             built page directory (default ../dist)
//   CHROMIUM_PATH        browser binary (default /usr/bin/chromium)
//   E2E_WORKERS          parallel workers (default 1: two cores, timing budgets)

import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './support/chromium';

export default defineConfig({
  testDir: process.env.E2E_TEST_DIR ?? './specs',
  outputDir: './test-results',
  // One worker: the machine has two cores, and the specs measure times.
  workers: Number(process.env.E2E_WORKERS ?? 1),
  fullyParallel: false,
  // A flaky spec is fixed, never retried into green.
  retries: 0,
  forbidOnly: true,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  globalSetup: require.resolve('./support/global-setup'),
  reporter: [['list'], ['./support/figures-reporter.ts']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
    launchOptions: {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    },
  },
});
