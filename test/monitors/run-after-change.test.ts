/**
 * `MonitorRunner.runAfterChange`: a re-evaluation requested while the daily evaluation is already working runs once
 * more after it (that run may have read the data before the change), shared by every caller meanwhile; a run still
 * queued serves as it is; an idle job runs at once. A plain `runJob` in the same moment is skipped as an overlap.
 */
import { describe, expect, it } from 'vitest';
import { MonitorRunner, type Job } from '../../monitors/runner.ts';
import type { JobName } from '../../src/config.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeQuality } from '../helpers/fake-quality.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { tempStore } from '../helpers/temp-store.ts';

const T0 = Date.parse('2026-11-27T02:00:00Z');

/** A daily job that records each run and waits for `release()` on its first one; other jobs wait on `hold` when set. */
function gatedRunner() {
  const calls: JobName[] = [];
  let release: () => void = () => {};
  let started: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const firstStarted = new Promise<void>((resolve) => (started = resolve));
  const daily: Job = async () => {
    calls.push('daily');
    if (calls.filter((job) => job === 'daily').length === 1) {
      started();
      await gate;
    }
    return { runs: calls.length };
  };
  const other = (job: JobName): Job => async () => {
    calls.push(job);
    return {};
  };
  const { store } = tempStore();
  const { context } = monitorContext(store, new FakeClock(T0), new FakeQuality());
  const runner = new MonitorRunner(context, 'solo', { daily, hourly: other('hourly'), weekly: other('weekly'), archival: other('archival') });
  return { runner, calls, release: () => release(), firstStarted };
}

describe('runAfterChange', () => {
  it('runs the daily evaluation once more after a run that was already working, one rerun for every caller meanwhile', async () => {
    const { runner, calls, release, firstStarted } = gatedRunner();
    const first = runner.runJob('daily', 'scheduled', T0);
    await firstStarted;
    const skipped = await runner.runJob('daily', 'manual');
    expect(skipped).toEqual({ outcome: 'skipped_overlap' });
    const afterMigration = runner.runAfterChange('daily', 'manual');
    const afterArchival = runner.runAfterChange('daily', 'manual');
    expect(afterArchival).toBe(afterMigration);
    release();
    expect(await first).toMatchObject({ outcome: 'succeeded', counts: { runs: 1 } });
    expect(await afterMigration).toMatchObject({ outcome: 'succeeded', counts: { runs: 2 } });
    await runner.idle();
    expect(calls).toEqual(['daily', 'daily']);
  });

  it('uses a daily run still queued behind another job, and runs an idle job at once', async () => {
    const { runner, calls, release } = gatedRunner();
    release();
    const archival = runner.runJob('archival', 'catch_up');
    const queued = runner.runJob('daily', 'catch_up');
    // The queued daily has not begun: it will read the data as the change left it.
    const reevaluation = runner.runAfterChange('daily', 'manual');
    const [, queuedResult, reevaluationResult] = await Promise.all([archival, queued, reevaluation]);
    expect(reevaluationResult).toEqual(queuedResult);
    await runner.idle();
    expect(calls).toEqual(['archival', 'daily']);
    expect(await runner.runAfterChange('daily', 'manual')).toMatchObject({ outcome: 'succeeded' });
    expect(calls).toEqual(['archival', 'daily', 'daily']);
  });
});
