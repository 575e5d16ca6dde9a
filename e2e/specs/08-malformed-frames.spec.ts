// Scenario 8: malformed frames (malformedRate 0.3: not JSON, unknown types,
// wrong field types, a 200 KB frame, lone surrogates, binary frames, broken
// Socket.IO packets) on each transport. They are counted, the connection
// stays up, the stream goes on, the page never errors and never panics.

import { test, expect, sleep } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001'] });

for (const protocol of ['native', 'socketio'] as const) {
  test(`malformed frames over ${protocol}: counted, skipped, stream goes on`, async ({ backend, dashboard, figure }) => {
    const { symbol, tf } = await firstSeries(backend.url);
    const d = await dashboard({ symbol, tf, protocol }, backend.url);
    await d.waitForMode('live', 10_000);
    await d.waitForData();
    const start = await d.diag();

    const bad = Date.now();
    await backend.control.faults({ malformedRate: 0.3, signalsPerSec: 20 });
    await sleep(8_000);
    await backend.control.faults({ malformedRate: 0, signalsPerSec: 0 });
    const state = await backend.control.state();
    figure(`${protocol}_malformed_published`, state.counters.malformedPublished);

    const diag = await d.diag();
    figure(`${protocol}_malformed_counted`, diag.malformed);
    figure(`${protocol}_frames_total`, diag.framesTotal - start.framesTotal);
    expect(state.counters.malformedPublished).toBeGreaterThan(0);
    expect(diag.malformed).toBeGreaterThan(0);
    const shown = Number((await d.healthMalformed.innerText()).replace(/[^\d]/g, ''));
    expect(shown, 'health-malformed shows the count').toBeGreaterThan(0);
    // Signals kept arriving during the storm.
    expect(diag.lastSignalId!).toBeGreaterThan(start.lastSignalId ?? 0);
    // Malformed frames never close the connection.
    const modes = (await d.modeLog()).filter((m) => m.wall >= bad).map((m) => m.mode);
    expect(modes, 'still Live all along').toEqual([]);
    expect(await d.mode()).toBe('live');

    // After the storm a new signal shows at once.
    const t0 = Date.now();
    const sig = await backend.control.emit<{ id: number }>('signal', { note: 'after the storm' });
    figure(`${protocol}_signal_after_storm_ms`, (await d.signalShownAt(sig.id, 2_000)) - t0, 0);
    await expect(d.panicMessage).toHaveCount(0);
    const ids = await d.signalIds();
    expect(new Set(ids).size).toBe(ids.length);
    await d.expectNoBadText();
  });
}
