/**
 * Re-evaluation after a change, over a real seeded SQLite store with the real jobs: the start-up catch-up archives
 * first and the daily evaluation then judges the archived data (no "Event archival progress" alert for a value
 * fixed a second later), and an archival run that changes data re-evaluates every metric at once, resolving what
 * it fixed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { reevaluateAfterArchival, reevaluateAfterChange } from '../../monitors/after-change.ts';
import { MonitorRunner } from '../../monitors/runner.ts';
import { startScheduler, type SchedulerHandle } from '../../monitors/scheduler.ts';
import { sqliteBackend } from '../../src/backend.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { testConfig } from '../helpers/monitor-config.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { tempStore } from '../helpers/temp-store.ts';

const NOW = Date.parse('2026-11-27T10:20:00Z');
const handles: SchedulerHandle[] = [];
afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.stop();
});

/** A legacy demo store (events older than a year not archived yet), as `npm start` creates on a fresh machine. */
async function legacyBackend() {
  const { store } = tempStore();
  const backend = sqliteBackend(store, { useWorker: false });
  await seedStore(backend.bulkLoad, { entities: 150, seed: 1, now: NOW, legacy: true });
  return backend;
}

const archivalTitle = 'Event archival progress';

describe('re-evaluation after a change', () => {
  it('catches up archival before the daily evaluation on start, so no just-fixed metric fires', async () => {
    const backend = await legacyBackend();
    const before = await backend.quality.metrics({ now: NOW });
    // The precondition the start-up order is about: archival progress fires until the archival job runs.
    expect(before.statusByMetric.eventArchivalProgress).not.toBe('healthy');
    const clock = new FakeClock(NOW);
    const notifier = new RecordingNotifier();
    const config = testConfig('solo');
    const handle = startScheduler({ config, ports: backend.monitorPorts, quality: backend.quality, notifier, now: clock.now, sleep: clock.sleep, log: () => {} });
    handles.push(handle);
    await handle.ready;
    await handle.runner.idle();

    const runs = (await backend.monitorPorts.stores.jobRuns.recentJobRuns({ limit: 20 })).reverse();
    // Archival first; its change re-evaluates at once (the daily evaluation), so the daily catch-up has nothing left to do.
    expect(runs.map((run) => [run.job, run.trigger, run.outcome])).toEqual([
      ['archival', 'catch_up', 'succeeded'],
      ['daily', 'manual', 'succeeded'],
      ['hourly', 'catch_up', 'succeeded'],
    ]);
    const after = await backend.quality.metrics({ now: NOW });
    expect(after.statusByMetric.eventArchivalProgress).toBe('healthy');
    expect(notifier.topLevelPosts.filter((post) => post.text.includes(archivalTitle))).toEqual([]);
    expect((await backend.monitorPorts.stores.alerts.firingAlerts()).filter((alert) => alert.subject === 'eventArchivalProgress')).toEqual([]);
    // The snapshot the Home tab and the dashboard card show is the post-archival one.
    const snapshot = await backend.monitorPorts.stores.snapshots.latestSnapshotBefore(null, NOW + 1);
    expect(snapshot!.metadata.eventArchivalProgress).toBe(after.eventArchivalProgress);
    await backend.close();
  });

  it('resolves an archival alert the moment an archival run fixes it, and re-evaluates on demand after a migration', async () => {
    const backend = await legacyBackend();
    const clock = new FakeClock(NOW);
    const notifier = new RecordingNotifier();
    const context = backend.monitorContext({ config: testConfig('solo'), notifier, now: clock.now, log: () => {} });
    const runner = new MonitorRunner(context, 'solo');
    const lines: string[] = [];
    reevaluateAfterArchival(runner, (line) => lines.push(line));

    // The daily evaluation alone first: archival progress fires.
    expect(await runner.runJob('daily', 'manual')).toMatchObject({ outcome: 'succeeded' });
    const firing = async () => (await backend.monitorPorts.stores.alerts.firingAlerts()).filter((alert) => alert.subject === 'eventArchivalProgress' && alert.groupId === null);
    expect(await firing()).toHaveLength(1);

    expect(await runner.runJob('archival', 'manual')).toMatchObject({ outcome: 'succeeded', counts: { archived: expect.any(Number) } });
    await runner.idle();
    expect(lines).toEqual(['monitor daily: re-evaluating every metric after the archival']);
    expect(await firing()).toEqual([]);
    expect(notifier.replies.some((reply) => reply.text.includes('Resolved'))).toBe(true);

    // A second archival run archives nothing: no data changed, nothing to re-evaluate.
    await runner.runJob('archival', 'manual');
    await runner.idle();
    expect(lines).toHaveLength(1);

    // After a migration the hook evaluates at once: the v1 migration's effect on missing groupIds shows without waiting.
    const runsBefore = (await backend.monitorPorts.stores.jobRuns.recentJobRuns({ limit: 50, job: 'daily' })).length;
    expect(await reevaluateAfterChange(runner, 'migration', (line) => lines.push(line))).toMatchObject({ outcome: 'succeeded' });
    expect((await backend.monitorPorts.stores.jobRuns.recentJobRuns({ limit: 50, job: 'daily' })).length).toBe(runsBefore + 1);
    expect(lines.at(-1)).toBe('monitor daily: re-evaluating every metric after the migration');
    await backend.close();
  });
});
