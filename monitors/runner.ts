/**
 * Runs monitor jobs safely: never two runs of a job at once (the second is skipped and recorded), every run
 * recorded (job, start, end, outcome, counts, error), a failure never escapes, and a failing job raises ONE
 * "monitor failed" alert per failure streak — through the alert pipeline when the store works, else posted
 * directly once — resolved in its thread when the job succeeds again.
 */
import { runAlertPipeline } from '../src/alerts/pipeline.ts';
import { remediationFor } from '../src/alerts/remediation.ts';
import { routeAlert } from '../src/alerts/route.ts';
import { alertKey, type Coverage, type MessageRef, type Signal } from '../src/alerts/types.ts';
import type { JobName } from '../src/config.ts';
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

/** How a run went. */
export type JobResult =
  | { outcome: 'succeeded'; counts: Record<string, number> }
  | { outcome: 'failed'; error: string }
  | { outcome: 'skipped_overlap' };

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

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0]!.slice(0, 300);
}

/** Runs jobs for one process. */
export class MonitorRunner {
  /** Jobs queued or running. */
  private readonly running = new Set<JobName>();
  /** Runs execute one after another: two jobs evaluating the same alert at once would both post it. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly streaks = new Map<JobName, Streak>();

  constructor(
    private readonly context: MonitorContext,
    private readonly instanceId: string,
    private readonly jobs: Record<JobName, Job> = JOBS,
  ) {}

  /** True while a run of `job` is queued or going. */
  isRunning(job: JobName): boolean {
    return this.running.has(job);
  }

  /** Resolves when every run started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
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
        await context.state.recordSkippedRun({ job, trigger, scheduledFor, startedAt: context.now(), instanceId: this.instanceId });
      } catch (error) {
        context.log(`monitor ${job}: could not record the skipped run: ${errorText(error)}`);
      }
      return { outcome: 'skipped_overlap' };
    }
    this.running.add(job);
    const turn = this.chain.then(() => this.attempt(job, trigger, scheduledFor));
    this.chain = turn.catch(() => {});
    return turn;
  }

  private async attempt(job: JobName, trigger: JobTrigger, scheduledFor: number | null): Promise<JobResult> {
    const { context } = this;
    let runId: number | null = null;
    try {
      runId = await context.state.startJobRun({ job, trigger, scheduledFor, startedAt: context.now(), instanceId: this.instanceId });
      const counts = await this.jobs[job](context);
      await context.state.finishJobRun(runId, { finishedAt: context.now(), outcome: 'succeeded', counts, error: null });
      const listed = Object.entries(counts).map(([name, count]) => `${name} ${count}`);
      context.log(`monitor ${job}: succeeded${listed.length > 0 ? `: ${listed.join(', ')}` : ''}`);
      await this.onSuccess(job);
      return { outcome: 'succeeded', counts };
    } catch (error) {
      const text = errorText(error);
      context.log(`monitor ${job}: failed: ${text}`);
      if (runId !== null) {
        try {
          await context.state.finishJobRun(runId, { finishedAt: context.now(), outcome: 'failed', counts: {}, error: text });
        } catch (recordError) {
          context.log(`monitor ${job}: could not record the failure: ${errorText(recordError)}`);
        }
      }
      await this.onFailure(job, text);
      return { outcome: 'failed', error: text };
    } finally {
      this.running.delete(job);
    }
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
      note: `Last error: ${error}`,
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
        await context.notifier.update({ ...streak.direct, ...notificationMessage(view) });
        const resolution = { member: view.members[0]!, cause: 'resolved' as const, nowSeverity: null };
        await context.notifier.post({ channel: streak.direct.channel, threadTs: streak.direct.ts, ...resolvedReply(view, [resolution]) });
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
