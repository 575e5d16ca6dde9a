// Scenario 20: batches on the wire (PROTOCOL.md "Batches"). The page asks
// for them; the backend floods signals in batches of at most 200. On each
// transport the page takes far fewer frames than events, stores every
// signal once, finds nothing malformed, and stays Live. (Bad elements are
// pinned natively: crates/regime-core/tests/scenario_batches.rs.)

import { test, expect, sleep } from '../support/fixtures';
import { firstSeries } from '../support/rest';

test.use({ backendArgs: ['--speed', '0.001', '--batch-max', '200', '--batch-ms', '16'] });

for (const protocol of ['native', 'socketio'] as const) {
  test(`batches over ${protocol}: every event stored once, in far fewer frames`, async ({ backend, dashboard, figure }) => {
    const { symbol, tf } = await firstSeries(backend.url);
    const d = await dashboard({ symbol, tf, protocol }, backend.url);
    await d.waitForMode('live', 10_000);
    await d.waitForData();
    const start = await d.diag();
    const s0 = (await backend.control.state()).counters;

    const t0 = Date.now();
    await backend.control.faults({ floodPerSec: 5000 });
    await sleep(2_000);
    await backend.control.faults({ floodPerSec: 0 });
    const s1 = (await backend.control.state()).counters;
    await d.waitForLastSignalId(s1.lastSignalId, 10_000);
    const diag = await d.diag();

    const events = s1.lastSignalId - s0.lastSignalId;
    const batches = diag.batches - start.batches;
    figure(`${protocol}_batched_events`, events);
    figure(`${protocol}_batches`, batches);
    figure(`${protocol}_batched_flood_ms`, Date.now() - t0, 0);
    expect(s1.batchesSent - s0.batchesSent, 'the backend batched').toBeGreaterThan(0);
    expect(batches, 'the page took batches').toBeGreaterThan(0);
    expect(batches * 5, 'far fewer frames than events').toBeLessThan(events);
    expect(diag.signalsAccepted - start.signalsAccepted, 'every signal stored once').toBe(events);
    expect(diag.malformed, 'no element taken for a bad one').toBe(start.malformed);
    expect(s1.plainLagged + s1.socketioDropped, 'nothing skipped').toBe(s0.plainLagged + s0.socketioDropped);
    expect(await d.mode()).toBe('live');
    await expect(d.panicMessage).toHaveCount(0);
  });
}
