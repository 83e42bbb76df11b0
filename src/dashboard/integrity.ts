/**
 * The integrity card: the scope's latest daily snapshot judged against the threshold table (the same card the
 * Slack overview shows), the last daily or hourly run, and the next one from the cron schedules (UTC).
 */
import type { JobRun } from '../../monitors/ports.ts';
import { integrityCard, nextSlot } from '../slack/overview.ts';
import type { DashboardDeps } from './deps.ts';
import type { CheckRun, DashboardGroup, IntegrityAnswer } from './types.ts';

/** The jobs that check the data: the daily full check writes the snapshots, the hourly one the critical subset. */
const CHECK_JOBS = ['daily', 'hourly'] as const;

function checkRun(run: JobRun): CheckRun {
  return { job: run.job as CheckRun['job'], startedAt: run.startedAt, finishedAt: run.finishedAt, outcome: run.outcome };
}

/** The card of `group` (null: platform-wide) at `deps.now()`. */
export async function integrityAnswer(deps: DashboardDeps, group: DashboardGroup | null): Promise<IntegrityAnswer> {
  const at = deps.now();
  const { snapshots, jobRuns } = deps.backend.monitorPorts.stores;
  const [snapshot, v1MigrationCompleted, ...lastRuns] = await Promise.all([
    snapshots.latestSnapshotBefore(group?.id ?? null, at + 1),
    deps.backend.checks.v1MigrationCompleted(),
    ...CHECK_JOBS.map((job) => jobRuns.recentJobRuns({ limit: 1, job })),
  ]);
  const card = integrityCard(snapshot, { v1MigrationCompleted, thresholds: deps.config.alerts.thresholds });
  const runs = lastRuns.flatMap((runs) => runs.slice(0, 1)).sort((a, b) => b.startedAt - a.startedAt);
  const { schedules, timezone } = deps.config.monitors;
  const next = CHECK_JOBS.map((job) => ({ job, at: nextSlot(schedules[job], timezone, at) }));
  const upcoming = next.filter((slot): slot is { job: (typeof CHECK_JOBS)[number]; at: number } => slot.at !== null).sort((a, b) => a.at - b.at);
  return {
    at,
    group,
    card:
      card && snapshot
        ? {
            status: card.status,
            score: card.score,
            checkedAt: card.checkedAt,
            metrics: card.metrics.map((metric) => ({ ...metric })),
            v1MigrationCompletedAtSnapshot: card.v1MigrationCompleted,
            invalidMetadataCount: Number.isFinite(snapshot.metadata?.invalidMetadataCount) ? snapshot.metadata.invalidMetadataCount : null,
            malformedPropertiesCount: snapshot.malformedProperties,
          }
        : null,
    lastCheck: runs[0] ? checkRun(runs[0]) : null,
    nextCheck: upcoming[0] ?? null,
    nextDailyAt: next.find((slot) => slot.job === 'daily')!.at,
    dailyRunning: deps.runner?.isRunning('daily') ?? false,
    v1MigrationCompleted,
  };
}
