import { afterEach, describe, expect, it, vi } from 'vitest';
import { jobLeaseName, MonitorRunner, type Job } from '../../monitors/runner.ts';
import type { JobName } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeQuality } from '../helpers/fake-quality.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { testConfig } from '../helpers/monitor-config.ts';
import { tempStore } from '../helpers/temp-store.ts';

const TTL = testConfig('x').monitors.leaseTtlMs;
const T0 = Date.parse('2026-11-27T02:00:00Z');

afterEach(() => {
  vi.useRealTimers();
});

/** A job that counts its runs and, when `gated`, waits until `release()`. */
function gatedJob(gated = true) {
  let release: () => void = () => {};
  let started: () => void = () => {};
  const gate = gated ? new Promise<void>((resolve) => (release = resolve)) : null;
  const state = {
    calls: 0,
    started: new Promise<void>((resolve) => (started = resolve)),
    release: () => release(),
  };
  const job: Job = async () => {
    state.calls++;
    started();
    if (gate) await gate;
    return { done: 1 };
  };
  return { state, job };
}

function jobs(daily: Job): Record<JobName, Job> {
  const nothing: Job = async () => ({});
  return { hourly: nothing, daily, weekly: nothing, archival: nothing };
}

/** Two "processes": two store handles on one SQLite file, each with its own runner and instance id. */
function twoProcesses(clock: FakeClock) {
  const { store: storeA, path } = tempStore();
  const storeB = SqliteStore.open(path);
  const a = monitorContext(storeA, clock, new FakeQuality());
  const b = monitorContext(storeB, clock, new FakeQuality());
  return { storeA, storeB, a, b, close: () => storeB.close() };
}

describe('per-job lease across processes', () => {
  it('a scheduled run is skipped and recorded while another process runs the job, and runs once it has finished', async () => {
    const clock = new FakeClock(T0);
    const { storeB, a, b, close } = twoProcesses(clock);
    try {
      const cliJob = gatedJob();
      const schedulerJob = gatedJob(false);
      const cli = new MonitorRunner(a.context, 'cli-4242', jobs(cliJob.job));
      const scheduler = new MonitorRunner(b.context, 'replica-b', jobs(schedulerJob.job));

      const manual = cli.runJob('daily', 'manual');
      await cliJob.state.started;
      clock.set(T0 + 30_000);
      const skipped = await scheduler.runJob('daily', 'scheduled', T0);
      expect(skipped).toEqual({ outcome: 'skipped_overlap', heldBy: { holder: 'cli-4242', since: T0 } });
      expect(schedulerJob.state.calls).toBe(0);
      const runs = await b.stores.jobRuns.recentJobRuns({ limit: 10, job: 'daily' });
      expect(runs.find((run) => run.outcome === 'skipped_overlap')).toMatchObject({
        trigger: 'scheduled',
        instanceId: 'replica-b',
        scheduledFor: T0,
        error: 'running in cli-4242 since 2026-11-27T02:00:00.000Z',
      });

      cliJob.state.release();
      expect(await manual).toMatchObject({ outcome: 'succeeded' });
      expect(await storeB.getLease(jobLeaseName('daily'))).toBeNull(); // released at the end of the run
      expect(await scheduler.runJob('daily', 'scheduled', T0)).toMatchObject({ outcome: 'succeeded' });
      expect(schedulerJob.state.calls).toBe(1);
    } finally {
      close();
    }
  });

  it.each([
    { after: TTL - 1, outcome: 'skipped_overlap', calls: 0, why: 'a crashed holder still blocks the job until its lease expires' },
    { after: TTL, outcome: 'succeeded', calls: 1, why: 'after its TTL the lease of a crashed holder is taken over' },
  ])('$why', async ({ after, outcome, calls }) => {
    const clock = new FakeClock(T0);
    const { storeA, b, close } = twoProcesses(clock);
    try {
      // A process that took the lease and died without releasing it.
      await storeA.acquireLease(jobLeaseName('daily'), 'replica-dead', TTL, T0);
      const { state, job } = gatedJob(false);
      clock.set(T0 + after);
      const result = await new MonitorRunner(b.context, 'replica-b', jobs(job)).runJob('daily', 'catch_up');
      expect(result.outcome).toBe(outcome);
      expect(state.calls).toBe(calls);
    } finally {
      close();
    }
  });

  it('keeps renewing the lease while a long run goes on, so nobody takes it over mid-run', async () => {
    vi.useFakeTimers({ now: T0, toFake: ['setInterval', 'clearInterval'] });
    const clock = new FakeClock(T0);
    const { storeA, b, a, close } = twoProcesses(clock);
    try {
      const long = gatedJob();
      const other = gatedJob(false);
      const run = new MonitorRunner(a.context, 'replica-a', jobs(long.job)).runJob('daily', 'scheduled', T0);
      await long.state.started;
      // Three renewals (every third of the TTL) carry the lease past its first expiry.
      for (let step = 1; step <= 3; step++) {
        clock.set(T0 + (step * TTL) / 3);
        await vi.advanceTimersByTimeAsync(TTL / 3);
      }
      clock.set(T0 + TTL + TTL / 2);
      const lease = await storeA.getLease(jobLeaseName('daily'));
      expect(lease).toMatchObject({ holder: 'replica-a', acquiredAt: T0 });
      expect(lease!.expiresAt).toBeGreaterThan(T0 + TTL + TTL / 2);
      const second = await new MonitorRunner(b.context, 'replica-b', jobs(other.job)).runJob('daily', 'scheduled', T0);
      expect(second).toMatchObject({ outcome: 'skipped_overlap', heldBy: { holder: 'replica-a' } });
      expect(other.state.calls).toBe(0);
      long.state.release();
      expect(await run).toMatchObject({ outcome: 'succeeded' });
    } finally {
      close();
    }
  });
});
