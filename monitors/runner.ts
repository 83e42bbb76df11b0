/**
 * Runs monitor jobs safely: never two runs of a job at once (the second is skipped and recorded; across
 * processes a run holds the job's lease `monitor-job:<job>` in the store), every run
 * recorded (job, start, end, outcome, counts, error), a failure never escapes, and a failing job raises ONE
 * "monitor failed" alert per failure streak — through the alert pipeline when the store works, else posted
 * directly once — resolved in its thread when the job succeeds again.
 */
import { heldDeliveries, holdOf } from '../src/alerts/outbox.ts';
import { runAlertPipeline } from '../src/alerts/pipeline.ts';
import { MessageGoneError } from '../src/alerts/ports.ts';
import { remediationFor } from '../src/alerts/remediation.ts';
import { routeAlert } from '../src/alerts/route.ts';
import { alertKey, type Coverage, type MessageRef, type Signal } from '../src/alerts/types.ts';
import type { JobName } from '../src/config.ts';
import { OpsError } from '../src/errors.ts';
import type { Lease } from '../src/store/port.ts';
import { notificationMessage, resolvedReply, type NotificationView } from '../src/slack/blocks/alert.ts';
import { pipelineDeps, type MonitorContext } from './context.ts';
import { runArchival } from './jobs/archival.ts';
import { runDaily } from './jobs/daily.ts';
import { runHourly } from './jobs/hourly.ts';
import { runWeekly } from './jobs/weekly.ts';
import type { JobTrigger } from './ports.ts';

/** A job: does its work and returns counts to record. */
export type Job = (context: MonitorContext) => Promise<Record<string, number>>;

/** The four jobs by name. */
export const JOBS: Record<JobName, Job> = {
  hourly: runHourly,
  daily: runDaily,
  weekly: runWeekly,
  archival: runArchival,
};

/** Who runs a job in another process, and since when. */
export interface JobHolder {
  holder: string;
  since: number;
}

/**
 * How a run went. `heldBy` when the job was running in another process (its lease was held). `deliveryHeld` when
 * the job did its work but Slack refuses messages for a configuration problem (what Slack said and what to fix):
 * they wait in the outbox, and `monitor run` exits non-zero.
 */
export type JobResult =
  | { outcome: 'succeeded'; counts: Record<string, number>; deliveryHeld?: string }
  | { outcome: 'failed'; error: string }
  | { outcome: 'skipped_overlap'; heldBy?: JobHolder };

/** The store lease a run of `job` holds, so no two processes (scheduler replicas, the CLI) run it at once. */
export function jobLeaseName(job: JobName): string {
  return `monitor-job:${job}`;
}

/** A job lease this runner holds, with its renewal timer. */
interface HeldLease {
  timer: NodeJS.Timeout;
}

interface Streak {
  failures: number;
  since: number;
  /** An alert about this streak went through the store. */
  viaStore: boolean;
  /** The message posted directly when the store could not be used. */
  direct: MessageRef | null;
  directTried: boolean;
}

/** The alert subject of a job's failures. */
export function monitorSubject(job: JobName): string {
  return `monitor.${job}`;
}

function monitorCoverage(job: JobName): Coverage {
  return { subjects: [monitorSubject(job)], groupIds: [null], severities: ['critical'] };
}

/** The first line of an error, for the run record and the process log (never Slack: it may quote a record's value). */
function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0]!.slice(0, 300);
}

/** A name or code fit to show: an identifier, not free text. */
const IDENTIFIER = /^[A-Za-z_][\w.:-]{0,63}$/;

/**
 * What a "monitor failed" alert may say about an error: its class and code (`SqliteError SQLITE_BUSY`,
 * `OpsError store_unavailable`) and, for this project's coded errors only (`OpsError`, whose messages name ids
 * and fields, never values), the first line of the message. Any other message can quote a record's property
 * value, so it stays in the run record and the log.
 */
export function alertErrorText(error: unknown): string {
  if (!(error instanceof Error)) return `a thrown ${typeof error}`;
  const name = IDENTIFIER.test(error.name) ? error.name : 'Error';
  const code = (error as { code?: unknown }).code;
  const label = typeof code === 'string' && IDENTIFIER.test(code) ? `${name} ${code}` : name;
  if (!(error instanceof OpsError)) return label;
  return `${label}: ${error.message.split('\n')[0]!.slice(0, 300)}`;
}

/** Runs jobs for one process. */
export class MonitorRunner {
  /** Jobs queued or running. */
  private readonly running = new Set<JobName>();
  /** Runs execute one after another: two jobs evaluating the same alert at once would both post it. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Jobs whose run is queued behind another job's turn, not yet begun, with the run's turn. */
  private readonly queued = new Map<JobName, Promise<JobResult>>();
  /** Jobs whose run has begun its work (not just queued), with the run's turn. */
  private readonly started = new Map<JobName, Promise<JobResult>>();
  /** The one run per job requested to start after the run that is going (`runAfterChange`). */
  private readonly reruns = new Map<JobName, Promise<JobResult>>();
  private readonly streaks = new Map<JobName, Streak>();
  private readonly finishedListeners: ((job: JobName, result: JobResult) => void | Promise<void>)[] = [];

  constructor(
    private readonly context: MonitorContext,
    private readonly instanceId: string,
    private readonly jobs: Record<JobName, Job> = JOBS,
  ) {}

  /**
   * Calls `listener` after every run of this runner has finished and been recorded (e.g. to refresh Slack's Home
   * tabs). A listener's failure is logged, never the run's.
   */
  onRunFinished(listener: (job: JobName, result: JobResult) => void | Promise<void>): void {
    this.finishedListeners.push(listener);
  }

  /** True while a run of `job` is queued or going. */
  isRunning(job: JobName): boolean {
    return this.running.has(job);
  }

  /** Resolves when every run started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Runs `job` so that its work begins after this call: at once when it is idle; a run still queued is that run; while
   * a run is already working (it may have read the data before a change), once more right after it, one such run
   * shared by every caller meanwhile. For re-evaluating after a change, which a skipped overlap would lose. Never throws.
   */
  runAfterChange(job: JobName, trigger: JobTrigger): Promise<JobResult> {
    const pending = this.reruns.get(job);
    if (pending) return pending;
    const working = this.started.get(job);
    if (!working) return this.running.has(job) ? this.queuedRun(job, trigger) : this.runJob(job, trigger);
    const rerun = (async () => {
      await working;
      // Later callers changed data while this run may already be reading: they ask for their own run.
      this.reruns.delete(job);
      return this.runAfterChange(job, trigger);
    })();
    this.reruns.set(job, rerun);
    return rerun;
  }

  /** The turn of the queued, not yet begun, run of `job`. */
  private queuedRun(job: JobName, trigger: JobTrigger): Promise<JobResult> {
    return this.queued.get(job) ?? this.runJob(job, trigger);
  }

  /** Runs a job once (or records that it was skipped because it is still running). Never throws. */
  runJob(job: JobName, trigger: JobTrigger, scheduledFor: number | null = null): Promise<JobResult> {
    const run = this.execute(job, trigger, scheduledFor);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  private async execute(job: JobName, trigger: JobTrigger, scheduledFor: number | null): Promise<JobResult> {
    const { context } = this;
    if (this.running.has(job)) {
      context.log(`monitor ${job}: skipped, the previous run is still going`);
      try {
        await context.stores.jobRuns.recordSkippedRun({ job, trigger, scheduledFor, startedAt: context.now(), instanceId: this.instanceId });
      } catch (error) {
        context.log(`monitor ${job}: could not record the skipped run: ${errorText(error)}`);
      }
      return { outcome: 'skipped_overlap' };
    }
    this.running.add(job);
    const turn: Promise<JobResult> = this.chain.then(async () => {
      this.queued.delete(job);
      this.started.set(job, turn);
      const result = await this.attempt(job, trigger, scheduledFor);
      this.started.delete(job);
      for (const listener of this.finishedListeners) {
        try {
          await listener(job, result);
        } catch (error) {
          context.log(`monitor ${job}: after-run listener failed: ${errorText(error)}`);
        }
      }
      return result;
    });
    this.queued.set(job, turn);
    this.chain = turn.catch(() => {});
    return turn;
  }

  private async attempt(job: JobName, trigger: JobTrigger, scheduledFor: number | null): Promise<JobResult> {
    const { context } = this;
    let runId: string | null = null;
    let lease: HeldLease | null = null;
    try {
      const acquired = await this.acquireJobLease(job);
      if (!acquired.acquired) return await this.skippedElsewhere(job, trigger, scheduledFor, acquired.heldBy);
      lease = acquired.lease;
      runId = await context.stores.jobRuns.startJobRun({ job, trigger, scheduledFor, startedAt: context.now(), instanceId: this.instanceId });
      const counts = await this.jobs[job](context);
      const held = await this.deliveryHeld(job);
      if (held) counts.messages_held = held.pending;
      // The work succeeded; the run record still says loudly that its messages are not reaching Slack.
      await context.stores.jobRuns.finishJobRun(runId, { finishedAt: context.now(), outcome: 'succeeded', counts, error: held?.text ?? null });
      const listed = Object.entries(counts).map(([name, count]) => `${name} ${count}`);
      context.log(`monitor ${job}: succeeded${listed.length > 0 ? `: ${listed.join(', ')}` : ''}`);
      if (held) context.log(`monitor ${job}: ${held.text}`);
      await this.onSuccess(job);
      return { outcome: 'succeeded', counts, ...(held ? { deliveryHeld: held.text } : {}) };
    } catch (error) {
      const text = errorText(error);
      context.log(`monitor ${job}: failed: ${text}`);
      if (runId !== null) {
        try {
          await context.stores.jobRuns.finishJobRun(runId, { finishedAt: context.now(), outcome: 'failed', counts: {}, error: text });
        } catch (recordError) {
          context.log(`monitor ${job}: could not record the failure: ${errorText(recordError)}`);
        }
      }
      await this.onFailure(job, alertErrorText(error));
      return { outcome: 'failed', error: text };
    } finally {
      if (lease) await this.releaseJobLease(job, lease);
      this.running.delete(job);
    }
  }

  /** Messages held back by a Slack configuration problem, said in one line; null when none is. */
  private async deliveryHeld(job: JobName): Promise<{ pending: number; text: string } | null> {
    try {
      const held = await heldDeliveries(this.context.stores.outbox);
      if (held.length === 0) return null;
      const problems = [...new Set(held.map((row) => holdOf(row)!))];
      const { pending } = await this.context.stores.outbox.outboxCounts();
      return { pending, text: `Slack delivery held: ${problems.join(' · ')} (${pending} message(s) wait in the outbox and go out in order once fixed)` };
    } catch (error) {
      this.context.log(`monitor ${job}: could not read the outbox: ${errorText(error)}`);
      return null;
    }
  }

  /** Takes the job's lease and keeps renewing it (every third of its TTL) until released. */
  private async acquireJobLease(job: JobName): Promise<{ acquired: true; lease: HeldLease } | { acquired: false; heldBy: Lease }> {
    const { context } = this;
    const name = jobLeaseName(job);
    const ttl = context.monitors.leaseTtlMs;
    const clock = context.wallClock ?? context.now;
    const result = await context.leases.acquireLease(name, this.instanceId, ttl, clock());
    if (!result.acquired) return result;
    let lost = false;
    const renew = async () => {
      try {
        if (await context.leases.renewLease(name, this.instanceId, ttl, clock())) return;
        // Expired (a stalled event loop): take it back if nobody else has.
        const again = await context.leases.acquireLease(name, this.instanceId, ttl, clock());
        if (!again.acquired && !lost) {
          lost = true;
          context.log(`monitor ${job}: lost the job lease to ${again.heldBy.holder}; this run may overlap theirs`);
        }
      } catch (error) {
        context.log(`monitor ${job}: could not renew the job lease: ${errorText(error)}`);
      }
    };
    const timer = setInterval(() => void renew(), Math.max(1_000, Math.floor(ttl / 3)));
    timer.unref();
    return { acquired: true, lease: { timer } };
  }

  private async releaseJobLease(job: JobName, lease: HeldLease): Promise<void> {
    clearInterval(lease.timer);
    try {
      await this.context.leases.releaseLease(jobLeaseName(job), this.instanceId);
    } catch (error) {
      // It expires on its own after its TTL.
      this.context.log(`monitor ${job}: could not release the job lease: ${errorText(error)}`);
    }
  }

  /** Another process runs the job: a scheduled or catch-up run is recorded as skipped; a manual one is refused by the caller. */
  private async skippedElsewhere(job: JobName, trigger: JobTrigger, scheduledFor: number | null, heldBy: Lease): Promise<JobResult> {
    const { context } = this;
    const reason = `running in ${heldBy.holder} since ${new Date(heldBy.acquiredAt).toISOString()}`;
    if (trigger !== 'manual') {
      context.log(`monitor ${job}: skipped, ${reason}`);
      try {
        await context.stores.jobRuns.recordSkippedRun({ job, trigger, scheduledFor, startedAt: context.now(), instanceId: this.instanceId }, reason);
      } catch (error) {
        context.log(`monitor ${job}: could not record the skipped run: ${errorText(error)}`);
      }
    }
    return { outcome: 'skipped_overlap', heldBy: { holder: heldBy.holder, since: heldBy.acquiredAt } };
  }

  private failureSignal(job: JobName, streak: Streak, error: string): Signal {
    return {
      subject: monitorSubject(job),
      groupId: null,
      severity: 'critical',
      title: `Monitor job "${job}" is failing`,
      value: streak.failures,
      unit: 'count',
      threshold: 'every run must succeed',
      breakdown: { consecutiveFailures: streak.failures },
      topIssueIds: [],
      remediation: remediationFor('monitor').map((step) => step.replace('<job>', job)),
      note: `Last error: ${error} (the full error is in the run record: \`ontology-ops monitor status\`)`,
    };
  }

  private async onFailure(job: JobName, error: string): Promise<void> {
    const { context } = this;
    const now = context.now();
    const streak = this.streaks.get(job) ?? { failures: 0, since: now, viaStore: false, direct: null, directTried: false };
    streak.failures++;
    this.streaks.set(job, streak);
    const signal = this.failureSignal(job, streak, error);
    try {
      await runAlertPipeline(pipelineDeps(context), { source: 'monitor', signals: [signal], coverage: monitorCoverage(job) });
      streak.viaStore = true;
      return;
    } catch (pipelineError) {
      context.log(`monitor ${job}: alert state unavailable (${errorText(pipelineError)}); posting directly`);
    }
    // The store is down too: tell people directly, but only once per streak.
    if (streak.viaStore || streak.directTried) return;
    streak.directTried = true;
    const route = routeAlert('critical', context.alerts);
    if (route.kind !== 'channel') return;
    try {
      streak.direct = await context.notifier.post({
        channel: route.channel,
        ...notificationMessage(this.view(job, streak, signal, route.mention, null)),
      });
    } catch (deliveryError) {
      context.log(`monitor ${job}: could not post the failure alert: ${errorText(deliveryError)}`);
    }
  }

  private async onSuccess(job: JobName): Promise<void> {
    const { context } = this;
    const streak = this.streaks.get(job);
    this.streaks.delete(job);
    try {
      await runAlertPipeline(pipelineDeps(context), { source: 'monitor', signals: [], coverage: monitorCoverage(job) });
    } catch (error) {
      context.log(`monitor ${job}: could not resolve the failure alert: ${errorText(error)}`);
    }
    if (streak?.direct) {
      const view = this.view(job, streak, this.failureSignal(job, streak, ''), null, context.now());
      try {
        let message = streak.direct;
        try {
          await context.notifier.update({ ...message, ...notificationMessage(view) });
        } catch (error) {
          // Deleted in Slack meanwhile: the recovery goes into a new message rather than nowhere.
          if (!(error instanceof MessageGoneError)) throw error;
          message = await context.notifier.post({ channel: message.channel, ...notificationMessage(view) });
        }
        const resolution = { member: view.members[0]!, cause: 'resolved' as const, nowSeverity: null };
        await context.notifier.post({ channel: message.channel, threadTs: message.ts, ...resolvedReply(view, [resolution]) });
      } catch (error) {
        context.log(`monitor ${job}: could not post the recovery: ${errorText(error)}`);
      }
    }
  }

  /** The failure alert as a one-member notification, for when the store cannot hold it. */
  private view(job: JobName, streak: Streak, signal: Signal, mention: string | null, resolvedAt: number | null): NotificationView {
    return {
      subject: signal.subject,
      title: signal.title,
      severity: 'critical',
      unit: 'count',
      threshold: signal.threshold,
      remediation: signal.remediation,
      mention,
      source: 'monitor',
      at: this.context.now(),
      openedAt: streak.since,
      resolvedAt,
      ...(this.context.alerts.dashboardUrl ? { dashboardUrl: this.context.alerts.dashboardUrl } : {}),
      members: [
        {
          key: alertKey(signal),
          groupId: null,
          value: streak.failures,
          previous: null,
          firstFiringAt: streak.since,
          state: resolvedAt === null ? 'firing' : 'resolved',
          resolvedAt,
          acknowledgedBy: null,
          topIssueIds: [],
          breakdown: signal.breakdown,
          note: signal.note ?? null,
        },
      ],
    };
  }
}
