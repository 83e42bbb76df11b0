import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobName } from '../../src/config.ts';
import { DeliveryError, type Notifier } from '../../src/alerts/ports.ts';
import { sqliteMonitorStores } from '../../src/store/sqlite/monitor-stores.ts';
import type { MonitorStores } from '../../monitors/ports.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { LEADER_LEASE, startScheduler, type SchedulerHandle } from '../../monitors/scheduler.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { checkReport, FakeQuality, metricsReport } from '../helpers/fake-quality.ts';
import { testConfig } from '../helpers/monitor-config.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { monitorPortsOf } from '../helpers/monitor-context.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const handles: SchedulerHandle[] = [];
afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.stop();
  vi.useRealTimers();
});

function track(handle: SchedulerHandle): SchedulerHandle {
  handles.push(handle);
  return handle;
}

const quiet = () => {};

/** Records a success of every job at `at`, so a scheduler started then has nothing to catch up. */
async function succeededJustNow(state: MonitorStores, at: number): Promise<void> {
  for (const job of ['hourly', 'daily', 'archival', 'weekly'] as const) {
    const id = await state.jobRuns.startJobRun({ job, trigger: 'manual', scheduledFor: null, startedAt: at, instanceId: 'x' });
    await state.jobRuns.finishJobRun(id, { finishedAt: at, outcome: 'succeeded', counts: {}, error: null });
  }
}

describe('scheduler', () => {
  it('fires each job at its UTC instants across a week (real node-cron, fake timers)', async () => {
    const start = Date.parse('2026-11-23T00:00:30Z'); // a Monday
    vi.useFakeTimers({ now: start });
    const { store } = tempStore();
    const fired: { job: JobName; at: number }[] = [];
    const job = (name: JobName) => async () => {
      fired.push({ job: name, at: Date.now() });
      return {};
    };
    const handle = track(
      startScheduler({
        config: testConfig('solo'),
        ports: monitorPortsOf(store),
        quality: new FakeQuality(),
        notifier: new RecordingNotifier(),
        now: () => Date.now(),
        log: quiet,
        jobs: { hourly: job('hourly'), daily: job('daily'), weekly: job('weekly'), archival: job('archival') },
      }),
    );
    await handle.ready;
    fired.length = 0; // start-up catch-up runs are tested separately
    await vi.advanceTimersByTimeAsync(7 * DAY);

    const at = (job: JobName) => fired.filter((run) => run.job === job).map((run) => new Date(run.at).toISOString());
    const midnight = Date.parse('2026-11-23T00:00:00Z');
    expect(at('hourly')).toEqual(Array.from({ length: 168 }, (_, index) => new Date(midnight + (index + 1) * HOUR).toISOString()));
    expect(at('daily')).toEqual(Array.from({ length: 7 }, (_, day) => new Date(midnight + day * DAY + 2 * HOUR).toISOString()));
    expect(at('archival')).toEqual(Array.from({ length: 7 }, (_, day) => new Date(midnight + day * DAY + 3 * HOUR).toISOString()));
    expect(at('weekly')).toEqual(['2026-11-23T06:00:00.000Z']);

    const runs = await sqliteMonitorStores(store).jobRuns.recentJobRuns({ limit: 1000, job: 'daily' });
    const scheduled = runs.filter((run) => run.trigger === 'scheduled');
    expect(scheduled).toHaveLength(7);
    expect(scheduled.every((run) => run.outcome === 'succeeded' && run.scheduledFor === run.startedAt)).toBe(true);
  });

  it('skips a tick while the previous run is still going, and records the skip', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T01:59:00Z');
    const state = sqliteMonitorStores(store);
    await succeededJustNow(state, clock.now());
    const quality = new FakeQuality();
    let release!: () => void;
    quality.gate = new Promise((resolve) => (release = resolve));
    const handle = track(
      startScheduler({ config: testConfig('solo'), ports: monitorPortsOf(store), quality, notifier: new RecordingNotifier(), now: clock.now, sleep: clock.sleep, log: quiet }),
    );
    await handle.ready;
    clock.set('2026-11-27T02:00:00Z');
    const first = handle.tick(clock.now()); // hourly and daily start and block on the gate
    await vi.waitFor(() => expect(handle.runner.isRunning('daily')).toBe(true));
    clock.set('2026-11-27T02:00:30Z');
    await handle.tick(Date.parse('2026-11-27T02:00:00Z')); // a second tick for the same slot while both still run
    release();
    await first;
    const runs = (await state.jobRuns.recentJobRuns({ limit: 10, job: 'daily' })).filter((run) => run.trigger === 'scheduled');
    expect(runs.map((run) => run.outcome).sort()).toEqual(['skipped_overlap', 'succeeded']);
    expect(runs.find((run) => run.outcome === 'skipped_overlap')).toMatchObject({
      scheduledFor: Date.parse('2026-11-27T02:00:00Z'),
      startedAt: Date.parse('2026-11-27T02:00:30Z'),
      error: 'the previous run was still going',
    });
    expect(quality.calls).toBe(2); // one hourly, one daily: the skipped ticks never reached the store
  });

  it('runs jobs due at the same minute one after another, so a shared alert is posted once', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T01:59:00Z');
    const state = sqliteMonitorStores(store);
    await succeededJustNow(state, clock.now());
    const quality = new FakeQuality();
    quality.check_ = checkReport({ crossGroupReferences: 2 });
    quality.platform = metricsReport({ crossGroupViolations: 2, referentialIntegrityScore: 99.5, statusByMetric: { crossGroupViolations: 'critical' } as never });
    const notifier = new RecordingNotifier();
    const handle = track(startScheduler({ config: testConfig('solo'), ports: monitorPortsOf(store), quality, notifier, now: clock.now, sleep: clock.sleep, log: quiet }));
    await handle.ready;
    clock.set('2026-11-27T02:00:00Z');
    await handle.tick(clock.now()); // hourly and daily both evaluate crossGroupViolations|platform|critical
    expect(notifier.topLevelPosts.filter((post) => post.text.includes('Cross-group violations'))).toHaveLength(1);
  });

  it('catches up missed runs on start (daily last succeeded more than a day ago), not ones already done', async () => {
    const { store } = tempStore();
    const state = sqliteMonitorStores(store);
    const record = async (job: JobName, at: string) => {
      const id = await state.jobRuns.startJobRun({ job, trigger: 'scheduled', scheduledFor: Date.parse(at), startedAt: Date.parse(at), instanceId: 'old' });
      await state.jobRuns.finishJobRun(id, { finishedAt: Date.parse(at) + 1000, outcome: 'succeeded', counts: {}, error: null });
    };
    await record('daily', '2026-11-25T02:00:00Z'); // down since the 25th: the 26th's and 27th's dailies were missed
    await record('hourly', '2026-11-27T10:00:00Z'); // already ran this hour
    await record('archival', '2026-11-27T03:00:00Z'); // already ran today
    // The previous leader died mid-run; a manual CLI run may still be going.
    const crashed = await state.jobRuns.startJobRun({ job: 'daily', trigger: 'scheduled', scheduledFor: 0, startedAt: Date.parse('2026-11-26T02:00:00Z'), instanceId: 'old' });
    const manual = await state.jobRuns.startJobRun({ job: 'weekly', trigger: 'manual', scheduledFor: null, startedAt: Date.parse('2026-11-27T10:19:00Z'), instanceId: 'cli-1' });
    const clock = new FakeClock('2026-11-27T10:20:00Z');
    const handle = track(
      startScheduler({ config: testConfig('solo'), ports: monitorPortsOf(store), quality: new FakeQuality(), notifier: new RecordingNotifier(), now: clock.now, sleep: clock.sleep, log: quiet }),
    );
    await handle.ready;
    const runs = await state.jobRuns.recentJobRuns({ limit: 20 });
    const catchUps = runs.filter((run) => run.trigger === 'catch_up');
    expect(catchUps.map((run) => [run.job, run.outcome, new Date(run.scheduledFor!).toISOString()])).toEqual([
      ['daily', 'succeeded', '2026-11-27T02:00:00.000Z'],
    ]);
    // The weekly job never ran here: no summary of nothing on a fresh install.
    expect(runs.some((run) => run.job === 'weekly' && run.trigger !== 'manual')).toBe(false);
    // The new leader closes the run the dead one left open; the manual run is not the scheduler's to judge.
    expect(runs.filter((run) => run.id === crashed || run.id === manual).map((run) => [run.id, run.outcome, run.finishedAt, run.error])).toEqual([
      [manual, 'running', null, null],
      [crashed, 'failed', Date.parse('2026-11-27T10:20:00Z'), 'abandoned: instance old stopped before the run finished'],
    ]);
  });

  it('runs jobs only on the replica holding the leader lease; another takes over when it stops or its lease expires', async () => {
    const path = join(tempDir(), 'ontology.db');
    const storeA = SqliteStore.open(path);
    const storeB = SqliteStore.open(path);
    const clock = new FakeClock('2026-11-27T09:59:00Z');
    const common = { quality: new FakeQuality(), now: clock.now, sleep: clock.sleep, log: quiet };
    try {
      const a = track(startScheduler({ ...common, config: testConfig('replica-a'), ports: monitorPortsOf(storeA), notifier: new RecordingNotifier() }));
      await a.ready;
      const linesB: string[] = [];
      const b = track(
        startScheduler({ ...common, config: testConfig('replica-b'), ports: monitorPortsOf(storeB), notifier: new RecordingNotifier(), log: (line) => linesB.push(line) }),
      );
      await b.ready;
      expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);

      const state = sqliteMonitorStores(storeA);
      const hourlyRunsBy = async (instance: string) =>
        (await state.jobRuns.recentJobRuns({ limit: 100, job: 'hourly' })).filter((run) => run.instanceId === instance && run.trigger === 'scheduled').length;
      clock.set('2026-11-27T10:00:00Z');
      await Promise.all([a.tick(clock.now()), b.tick(clock.now())]);
      expect([await hourlyRunsBy('replica-a'), await hourlyRunsBy('replica-b')]).toEqual([1, 0]);
      // The standby says so once, not on every lease check.
      expect(linesB.filter((line) => line.includes('stands by'))).toEqual([
        'monitor: replica-b stands by; replica-a holds the leader lease (until 2026-11-27T10:01:00.000Z unless renewed)',
      ]);

      // A crashes (no release): B takes over once A's lease has expired.
      clock.set('2026-11-27T11:00:00Z');
      await b.tick(clock.now());
      expect(b.isLeader()).toBe(true);
      expect(await hourlyRunsBy('replica-b')).toBe(1);
      expect((await storeA.getLease(LEADER_LEASE))!.holder).toBe('replica-b');

      // B stops cleanly and releases: A leads again at once.
      await b.stop();
      clock.advance(MINUTE);
      await a.tick(Date.parse('2026-11-27T12:00:00Z'));
      expect(a.isLeader()).toBe(true);
    } finally {
      for (const handle of handles.splice(0)) await handle.stop();
      storeA.close();
      storeB.close();
    }
  });

  it('posts one "monitor failed" alert per failure streak and resolves it in the thread on recovery', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T09:59:00Z');
    const quality = new FakeQuality();
    const notifier = new RecordingNotifier();
    const handle = track(startScheduler({ config: testConfig('solo'), ports: monitorPortsOf(store), quality, notifier, now: clock.now, sleep: clock.sleep, log: quiet }));
    await handle.ready;
    notifier.sent.length = 0;
    quality.fail = new Error('SQLITE_CANTOPEN: unable to open database file');
    for (let hour = 10; hour <= 13; hour++) {
      clock.set(`2026-11-27T${hour}:00:00Z`);
      await handle.tick(clock.now());
    }
    expect(notifier.topLevelPosts).toHaveLength(1);
    expect(notifier.topLevelPosts[0]).toMatchObject({ channel: 'C_CRIT' });
    expect(notifier.topLevelPosts[0]!.text).toContain('Monitor job "hourly" is failing');
    expect(JSON.stringify(notifier.updates.at(-1)!.blocks)).toContain('consecutiveFailures: 4');
    const failed = await sqliteMonitorStores(store).jobRuns.recentJobRuns({ limit: 10, job: 'hourly' });
    expect(failed.slice(0, 4).map((run) => [run.outcome, run.error])).toEqual(
      Array(4).fill(['failed', 'Error: SQLITE_CANTOPEN: unable to open database file']),
    );

    quality.fail = null;
    clock.set('2026-11-27T14:00:00Z');
    await handle.tick(clock.now());
    expect(notifier.replies.map((reply) => reply.threadTs)).toEqual([notifier.topLevelPosts[0]!.ts]);
    expect(notifier.replies[0]!.text).toContain('Resolved');
    expect(notifier.topLevelPosts).toHaveLength(1);
  });

  it('still posts just one alert when the store itself is gone, and never crashes', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T09:59:00Z');
    const notifier = new RecordingNotifier();
    const handle = track(
      startScheduler({ config: testConfig('solo'), ports: monitorPortsOf(store), quality: new FakeQuality(), notifier, now: clock.now, sleep: clock.sleep, log: quiet }),
    );
    await handle.ready;
    notifier.sent.length = 0;
    store.close();
    for (let hour = 10; hour <= 12; hour++) {
      clock.set(`2026-11-27T${hour}:00:00Z`);
      await expect(handle.tick(clock.now())).resolves.toBeUndefined();
    }
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ kind: 'post', channel: 'C_CRIT' });
    expect(notifier.sent[0]!.text).toContain('Monitor job "hourly" is failing');
  });

  it('stops without waiting out a Slack retry: the run is recorded and the message stays in the outbox', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T09:59:00Z');
    const state = sqliteMonitorStores(store);
    await succeededJustNow(state, clock.now());
    const quality = new FakeQuality();
    quality.check_ = checkReport({ crossGroupReferences: 2 });
    let attempts = 0;
    const slackDown: Notifier = {
      name: 'down',
      post: async () => {
        attempts++;
        throw new DeliveryError('could not reach Slack', true);
      },
      update: async () => {
        throw new DeliveryError('could not reach Slack', true);
      },
      upload: async () => {
        throw new DeliveryError('could not reach Slack', true);
      },
    };
    // A wait that would never end on its own: only the stop can cut it short.
    const handle = startScheduler({ config: testConfig('solo'), ports: monitorPortsOf(store), quality, notifier: slackDown, now: clock.now, sleep: () => new Promise(() => {}), log: quiet });
    await handle.ready;
    clock.set('2026-11-27T10:00:00Z');
    const ticking = handle.tick(clock.now());
    await vi.waitFor(() => expect(attempts).toBe(1));
    await handle.stop();
    await ticking;
    const [run] = await state.jobRuns.recentJobRuns({ limit: 1, job: 'hourly' });
    expect(run).toMatchObject({ trigger: 'scheduled', outcome: 'succeeded' });
    expect(await state.outbox.outboxCounts()).toMatchObject({ pending: 1, sent: 0 });
  });

  it('starts nothing when the monitors are disabled', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const handle = track(
      startScheduler({
        config: testConfig('solo', { enabled: false }),
        ports: monitorPortsOf(store),
        quality: new FakeQuality(),
        notifier: new RecordingNotifier(),
        now: clock.now,
        sleep: clock.sleep,
        log: quiet,
      }),
    );
    await handle.ready;
    await handle.tick(Date.parse('2026-11-27T10:00:00Z')); // an hourly slot
    expect(handle.isLeader()).toBe(false);
    expect(await sqliteMonitorStores(store).jobRuns.recentJobRuns({ limit: 10 })).toEqual([]);
  });
});
