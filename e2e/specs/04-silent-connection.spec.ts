// Scenario 4: a silent dead connection.
// - Plain WebSocket: the server goes fully silent (no data, no pongs). The
//   client's pings go unanswered, so it declares the connection dead and is
//   `○ API` within 35 s; data keeps coming by polling; when the server speaks
//   again the page is back to `● Live`.
// - Socket.IO: the server keeps its Engine.IO heartbeat but sends no event.
//   The connection is alive by the protocol's rules, so the page stays
//   `● Live`, and says that the server "sends no regime events"; when events
//   come again the diagnosis goes away.

import { test, expect, until } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

test('plain WebSocket goes silent → detected, API within 35 s, recovered', async ({ backend, dashboard, figure }) => {
  test.setTimeout(120_000);
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, protocol: 'native', poll: 1000 }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();

  const silent = Date.now();
  await backend.control.faults({ plainSilent: true });
  const api = await d.waitForMode('api', 45_000, silent);
  const detect = api.wall - silent;
  figure('plain_silent_to_api_ms', detect, 0);
  expect(detect, 'silent plain WebSocket → ○ API').toBeLessThanOrEqual(35_000);
  // Degraded, said so, and still fed by REST.
  await expect(d.healthDiagnosis.first()).toBeVisible();
  const sig = await backend.control.emit<{ id: number }>('signal', { note: 'polled while silent' });
  await expect(d.signalRow(sig.id)).toBeVisible({ timeout: 3_000 });

  const speaks = Date.now();
  await backend.control.faults({ plainSilent: false });
  // Recovered = Live, and a new signal arrives over the live socket at once.
  const recovered = (await until(
    async () => {
      if ((await d.mode()) !== 'live') return false;
      const s = await backend.control.emit<{ id: number }>('signal', { note: 'live after silence' });
      try {
        await expect(d.signalRow(s.id)).toBeVisible({ timeout: 700 });
      } catch {
        return false;
      }
      return (await d.mode()) === 'live' ? Date.now() : false;
    },
    20_000,
    'Live with signals flowing after the silence',
    200,
  )) as number;
  figure('plain_silence_end_to_live_ms', recovered - speaks, 0);
  expect(recovered - speaks, 'server speaks again → ● Live with data').toBeLessThanOrEqual(6_000);
  await d.expectNoBadText();
});

test('Socket.IO keeps pinging but sends no event → Live with a diagnosis, recovered', async ({ backend, dashboard, figure }) => {
  test.setTimeout(120_000);
  const { symbol, tf } = await firstSeries(backend.url);
  const d = await dashboard({ symbol, tf, protocol: 'socketio' }, backend.url);
  await d.waitForMode('live', 10_000);
  await d.waitForData();

  const silent = Date.now();
  await backend.control.faults({ socketioSilent: true });
  const diagnosis = d.healthDiagnosis.filter({ hasText: 'sends no regime events' });
  await expect(diagnosis).toHaveCount(1, { timeout: 45_000 });
  figure('socketio_silent_diagnosis_ms', Date.now() - silent, 0);
  await expect(d.healthPanel).toHaveAttribute('open', '');
  // The heartbeat says the connection is alive: it must stay Live.
  const modesSince = (await d.modeLog()).filter((m) => m.wall >= silent).map((m) => m.mode);
  expect(modesSince, 'no mode change while the server pings').toEqual([]);
  expect(await d.mode()).toBe('live');

  const speaks = Date.now();
  await backend.control.faults({ socketioSilent: false });
  const sig = await backend.control.emit<{ id: number }>('signal', { note: 'events again' });
  await expect(d.signalRow(sig.id)).toBeVisible({ timeout: 3_000 });
  await expect(diagnosis).toHaveCount(0, { timeout: 10_000 });
  figure('socketio_events_again_diagnosis_cleared_ms', Date.now() - speaks, 0);
  expect(await d.mode()).toBe('live');
  await d.expectNoBadText();
});
