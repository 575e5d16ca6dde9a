// Scenario 9: the page and the backend disagree on the live protocol.
// Each mismatch ends in `○ API` (REST still serves data) with a diagnosis a
// trader can act on; `protocol=auto` finds whichever protocol is served.

import { test, expect } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.describe('protocol=socketio against a backend without Socket.IO', () => {
  test.use({ backendArgs: ['--speed', '0.001', '--no-socketio'] });
  test('diagnosis names Socket.IO and the fix', async ({ backend, dashboard, figure }) => {
    const d = await dashboard({ protocol: 'socketio' }, backend.url);
    await d.waitForData();
    const api = await d.waitForMode('api', 15_000);
    figure('socketio_vs_plain_to_api_ms', api.t, 0);
    const diagnosis = d.healthDiagnosis.filter({ hasText: 'Socket.IO' });
    await expect(diagnosis.first()).toBeVisible({ timeout: 15_000 });
    await expect(diagnosis.first()).toHaveText(/404|protocol=native/);
    await expect(d.healthPanel).toHaveAttribute('open', '');
    expect(await d.mode()).toBe('api');
  });
});

test.describe('protocol=native against a backend without the plain WebSocket', () => {
  test.use({ backendArgs: ['--speed', '0.001', '--no-plain'] });
  test('diagnosis points at Socket.IO', async ({ backend, dashboard, figure }) => {
    const d = await dashboard({ protocol: 'native' }, backend.url);
    await d.waitForData();
    const api = await d.waitForMode('api', 15_000);
    figure('native_vs_socketio_to_api_ms', api.t, 0);
    await expect(d.healthDiagnosis.filter({ hasText: 'Socket.IO' }).first()).toBeVisible({ timeout: 15_000 });
    await expect(d.healthPanel).toHaveAttribute('open', '');
    expect(await d.mode()).toBe('api');
  });
});

test.describe('an unknown Socket.IO namespace', () => {
  test.use({ backendArgs: ['--speed', '0.001'] });
  test('ns=/nope: "Invalid namespace" and "/nope", API mode', async ({ backend, dashboard, figure }) => {
    const d = await dashboard({ protocol: 'socketio', ns: '/nope' }, backend.url);
    await d.waitForData();
    const diagnosis = d.healthDiagnosis.filter({ hasText: 'Invalid namespace' });
    await expect(diagnosis.first()).toBeVisible({ timeout: 15_000 });
    await expect(diagnosis.first()).toContainText('/nope');
    const api = await d.waitForMode('api', 15_000);
    figure('bad_namespace_to_api_ms', api.t, 0);
    await expect(d.badge).toHaveText('○ API');
  });
});

test.describe('a Socket.IO server that never sends an event', () => {
  test.use({ backendArgs: ['--speed', '0.001', '--socketio-silent'] });
  // Connected by the protocol's rules but no data: the diagnosis, and the
  // badge amber ("◐ Live, no data"), never a reconnect loop.
  test('diagnosis "sends no regime events", amber "no data", still connected', async ({ backend, dashboard, figure }) => {
    test.setTimeout(120_000);
    const { symbol, tf } = await firstSeries(backend.url);
    const d = await dashboard({ protocol: 'socketio', symbol, tf }, backend.url);
    await d.waitForData();
    // Connected (the namespace acknowledged) but nothing flows: amber from
    // the start, never green.
    await d.waitForMode('quiet', 10_000);
    const diagnosis = d.healthDiagnosis.filter({ hasText: 'sends no regime events' });
    await expect(diagnosis).toHaveCount(1, { timeout: 45_000 });
    figure('silent_socketio_diagnosis_after_load_ms', await d.page.evaluate(() => performance.now()), 0);
    await expect(d.badge).toHaveText('◐ Live, no data');
    expect(await d.mode()).toBe('quiet');
    expect((await d.modeLog()).map((m) => m.mode), 'never green without data').not.toContain('live');
    await expect(d.healthPanel).toHaveAttribute('open', '');
  });
});

for (const [only, args] of [
  ['Socket.IO-only', ['--no-plain']],
  ['plain-only', ['--no-socketio']],
] as const) {
  test.describe(`protocol=auto against a ${only} backend`, () => {
    test.use({ backendArgs: ['--speed', '0.001', ...args] });
    test('reaches Live', async ({ backend, dashboard, figure }) => {
      const d = await dashboard({ protocol: 'auto' }, backend.url);
      const live = await d.waitForMode('live', 15_000);
      figure(`auto_${only === 'plain-only' ? 'plain' : 'socketio'}_time_to_live_ms`, live.t, 0);
      expect(live.t, 'navigation start → ● Live').toBeLessThanOrEqual(6_000);
      await d.waitForData();
      // And really live: an emitted signal arrives.
      const sig = await backend.control.emit<{ id: number }>('signal', { note: 'auto detected' });
      await expect(d.signalRow(sig.id)).toBeVisible({ timeout: 2_000 });
      expect(await d.mode()).toBe('live');
    });
  });
}
