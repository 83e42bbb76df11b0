import { describe, expect, it } from 'vitest';
import { MonitorRunner, type Job, type JobResult } from '../../monitors/runner.ts';
import type { JobName } from '../../src/config.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeQuality } from '../helpers/fake-quality.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { tempStore } from '../helpers/temp-store.ts';

function jobs(daily: Job): Record<JobName, Job> {
  const nothing: Job = async () => ({ things: 1 });
  return { hourly: nothing, weekly: nothing, archival: nothing, daily };
}

describe('after-run listeners (the Home tab refresh)', () => {
  it('are called after each run is recorded, succeeded or failed, and a failing listener never fails the run', async () => {
    const { store } = tempStore();
    const { context, stores, lines } = monitorContext(store, new FakeClock('2026-11-27T02:00:00Z'), new FakeQuality());
    let fail = false;
    const runner = new MonitorRunner(
      context,
      'solo',
      jobs(async () => {
        if (fail) throw new Error('boom');
        return {};
      }),
    );
    const seen: [JobName, JobResult['outcome'], string | undefined][] = [];
    runner.onRunFinished(async (job, result) => {
      // The run is already in the log when a listener runs.
      const [run] = await stores.jobRuns.recentJobRuns({ limit: 1, job });
      seen.push([job, result.outcome, run?.outcome]);
    });
    runner.onRunFinished(() => {
      throw new Error('listener broke');
    });
    expect((await runner.runJob('hourly', 'manual')).outcome).toBe('succeeded');
    fail = true;
    expect((await runner.runJob('daily', 'manual')).outcome).toBe('failed');
    expect(seen).toEqual([
      ['hourly', 'succeeded', 'succeeded'],
      ['daily', 'failed', 'failed'],
    ]);
    expect(lines.filter((line) => line.includes('after-run listener failed: Error: listener broke'))).toHaveLength(2);
  });
});
