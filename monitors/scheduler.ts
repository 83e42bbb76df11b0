/**
 * The scheduler: node-cron tasks (UTC, expressions from the configuration) that run the monitor jobs, only on
 * the replica holding the `monitor-leader` lease. On start (and whenever this replica becomes leader) missed
 * runs are caught up; the outbox is flushed on an interval so undelivered messages go out once Slack is back.
 */
import { createTask, type ScheduledTask } from 'node-cron';
import { setTimeout as delay } from 'node:timers/promises';
import { deliverOutbox, type Sleep } from '../src/alerts/outbox.ts';
import type { Notifier } from '../src/alerts/ports.ts';
import { JOB_NAMES, type Config, type JobName } from '../src/config.ts';
import { reevaluateAfterArchival } from './after-change.ts';
import { createMonitorContext } from './context.ts';
import type { MonitorPorts, QualitySource } from './ports.ts';
import { JOBS, MonitorRunner, type Job } from './runner.ts';

/** Name of the lease only the leader holds. */
export const LEADER_LEASE = 'monitor-leader';

/** Minutes a catch-up looks back for a missed slot (the weekly job's period plus a day). */
const CATCH_UP_LOOKBACK_MINUTES = 8 * 24 * 60;

/** Jobs caught up on a store where they never succeeded (a first weekly summary of nothing is noise). */
const CATCH_UP_WHEN_NEVER_RUN: Record<JobName, boolean> = { hourly: true, daily: true, archival: true, weekly: false };

/**
 * Catch-up order: archival first, so the daily evaluation judges the data as archival leaves it (a daily run
 * before it would alert on archival progress that is fixed a second later); the daily snapshot before the weekly
 * summary that reads it.
 */
const CATCH_UP_ORDER: readonly JobName[] = ['archival', 'hourly', 'daily', 'weekly'];

/** What the scheduler needs: configuration, the store, the quality engine and a notifier. */
export interface SchedulerDeps {
  config: Pick<Config, 'alerts' | 'monitors'>;
  /** The store ports (from the composition root, `openBackend`). */
  ports: MonitorPorts;
  quality: QualitySource;
  notifier: Notifier;
  /** The clock; `Date.now` by default. */
  now?: () => number;
  sleep?: Sleep;
  log?: (line: string) => void;
  /** Replace jobs (tests). */
  jobs?: Partial<Record<JobName, Job>>;
}

/** A running scheduler. */
export interface SchedulerHandle {
  readonly runner: MonitorRunner;
  readonly instanceId: string;
  /** Resolves once the start-up leadership check and catch-up have finished. */
  readonly ready: Promise<void>;
  /** True while this replica holds the leader lease. */
  isLeader(): boolean;
  /** Runs the jobs whose cron expression matches the minute of `at` (what a node-cron tick does). */
  tick(at: number): Promise<void>;
  /** Stops the tasks and timers and the notifier's calls in flight, waits for running jobs, and gives the lease up. */
  stop(): Promise<void>;
}

/** The latest instant ≤ `now` (to the minute) at which `task`'s expression matches, or null within the lookback. */
export function previousSlot(task: Pick<ScheduledTask, 'match'>, now: number, lookbackMinutes = CATCH_UP_LOOKBACK_MINUTES): number | null {
  const start = Math.floor(now / 60_000) * 60_000;
  for (let minute = 0; minute <= lookbackMinutes; minute++) {
    const candidate = start - minute * 60_000;
    if (task.match(new Date(candidate))) return candidate;
  }
  return null;
}

/** Starts the monitors. Returns at once; `ready` resolves after the start-up catch-up. */
export function startScheduler(deps: SchedulerDeps): SchedulerHandle {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { stores, leases } = deps.ports;
  const instanceId = config.monitors.instanceId;
  let leader = false;
  /** Who held the lease at the last check while this replica stood by (logged once per holder). */
  let standingByFor: string | null = null;
  let stopped = false;
  // Stopping cuts short any wait for a Slack retry: what is undelivered stays in the outbox for the next start.
  const stopping = new AbortController();
  const baseSleep = deps.sleep;
  const sleep: Sleep = (ms) => {
    if (stopping.signal.aborted) return Promise.resolve();
    if (!baseSleep) return delay(ms, undefined, { signal: stopping.signal }).catch(() => {});
    return new Promise<void>((resolve) => {
      const done = () => {
        stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      stopping.signal.addEventListener('abort', done);
      void baseSleep(ms).then(done, done);
    });
  };
  const context = createMonitorContext({
    quality: deps.quality,
    stores,
    meta: deps.ports.meta,
    leases,
    documents: deps.ports.documents,
    config,
    notifier: deps.notifier,
    now,
    sleep,
    log,
    isStopping: () => stopped,
  });
  const runner = new MonitorRunner(context, instanceId, { ...JOBS, ...deps.jobs });
  reevaluateAfterArchival(runner, log);
  let flushing: Promise<unknown> | null = null;
  let catchingUp: Promise<void> | null = null;

  const tasks = new Map<JobName, ScheduledTask>();
  for (const job of JOB_NAMES) {
    const task = createTask(config.monitors.schedules[job], (taskContext) => onSlot(job, taskContext.date.getTime()), {
      timezone: config.monitors.timezone,
      name: `monitor-${job}`,
      // The runner records overlaps itself; node-cron would drop them silently.
      noOverlap: false,
    });
    tasks.set(job, task);
  }

  async function claimLeadership(): Promise<boolean> {
    try {
      const result = await leases.acquireLease(LEADER_LEASE, instanceId, config.monitors.leaseTtlMs, now());
      const wasLeader = leader;
      leader = result.acquired;
      if (leader && !wasLeader) {
        log(`monitor: ${instanceId} is the leader`);
        try {
          const abandoned = await stores.jobRuns.abandonRunsOfOthers(instanceId, now());
          if (abandoned > 0) log(`monitor: ${abandoned} run(s) the previous leader left unfinished recorded as failed`);
        } catch (error) {
          log(`monitor: could not close the previous leader's runs: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (!stopped) catchingUp = catchUp();
      }
      if (!leader && wasLeader) log(`monitor: ${instanceId} lost the leader lease to ${result.acquired ? '' : result.heldBy.holder}`);
      if (result.acquired) standingByFor = null;
      else if (!wasLeader && standingByFor !== result.heldBy.holder) {
        standingByFor = result.heldBy.holder;
        log(
          `monitor: ${instanceId} stands by; ${result.heldBy.holder} holds the leader lease ` +
            `(until ${new Date(result.heldBy.expiresAt).toISOString()} unless renewed)`,
        );
      }
    } catch (error) {
      // Cannot reach the store: keep the last known role so a leader still runs (and reports) its failing jobs.
      log(`monitor: lease check failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return leader;
  }

  async function catchUp(): Promise<void> {
    for (const job of CATCH_UP_ORDER) {
      if (stopped) return;
      try {
        // A re-evaluation an earlier catch-up queued (archival changed data) counts before deciding.
        await runner.idle();
        const last = await stores.jobRuns.lastSucceededRun(job);
        const slot = previousSlot(tasks.get(job)!, now());
        const missed = last === null ? CATCH_UP_WHEN_NEVER_RUN[job] : slot === null ? true : last.startedAt < slot;
        if (!missed) continue;
        log(`monitor ${job}: catching up (last success ${last ? new Date(last.startedAt).toISOString() : 'never'})`);
        await runner.runJob(job, 'catch_up', slot);
      } catch (error) {
        log(`monitor ${job}: catch-up check failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  async function onSlot(job: JobName, slot: number): Promise<void> {
    if (stopped || !config.monitors.enabled) return;
    if (!(await claimLeadership())) return;
    await runner.runJob(job, 'scheduled', slot);
  }

  async function flush(): Promise<void> {
    // A running job delivers its own messages; a second round beside it would only probe a failing Slack twice.
    if (stopped || flushing || !leader || JOB_NAMES.some((job) => runner.isRunning(job))) return;
    flushing = deliverOutbox({ outbox: stores.outbox, notifier: deps.notifier, now, sleep, log, maxInlineWaitMs: 0, isStopping: () => stopped })
      .catch((error: unknown) => log(`monitor: outbox flush failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        flushing = null;
      });
    await flushing;
  }

  const timers: NodeJS.Timeout[] = [];
  if (config.monitors.enabled) {
    timers.push(setInterval(() => void claimLeadership(), Math.max(1_000, Math.floor(config.monitors.leaseTtlMs / 3))));
    timers.push(setInterval(() => void flush(), config.monitors.outboxIntervalMs));
    for (const timer of timers) timer.unref();
  }

  const ready = (async () => {
    if (!config.monitors.enabled) return;
    await claimLeadership();
    if (catchingUp) await catchingUp;
    await flush();
  })();
  if (config.monitors.enabled) for (const task of tasks.values()) void task.start();

  return {
    runner,
    instanceId,
    ready,
    isLeader: () => leader,
    async tick(at: number) {
      const minute = new Date(Math.floor(at / 60_000) * 60_000);
      const due = JOB_NAMES.filter((job) => tasks.get(job)!.match(minute));
      await Promise.all(due.map((job) => onSlot(job, minute.getTime())));
    },
    async stop() {
      stopped = true;
      stopping.abort();
      // A Slack call in flight (one that never answers, say) must not hold the stop: it fails as `stopped` and
      // its message stays in the outbox.
      deps.notifier.stop?.();
      for (const timer of timers) clearInterval(timer);
      for (const task of tasks.values()) await task.destroy();
      await ready.catch(() => {});
      await runner.idle();
      if (flushing) await flushing;
      if (leader) {
        try {
          await leases.releaseLease(LEADER_LEASE, instanceId);
        } catch {
          // The lease expires on its own.
        }
        leader = false;
      }
    },
  };
}
