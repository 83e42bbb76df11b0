/**
 * What `/ontology status` and the App Home tab show, gathered from the ports in one place: the integrity card
 * (the latest platform-wide snapshot against the thresholds, with the last and next check), the last run and next
 * slot of each monitor job, firing alerts and silences, the migration state and the approvals waiting. The Block
 * Kit builders (`blocks/status.ts`, `blocks/home.ts`) are pure functions of this data.
 */
import type { PlanSummary } from '../approvals/plan.ts';
import { createTask } from 'node-cron';
import type { AlertStore } from '../alerts/ports.ts';
import type { AlertState, Silence } from '../alerts/types.ts';
import { JOB_NAMES, type JobName, type MonitorsConfig } from '../config.ts';
import type { JobRun, JobRunStore, SnapshotStore } from '../../monitors/ports.ts';
import type { StatusReport } from '../migration/types.ts';
import { snapshotMetrics } from '../../monitors/ports.ts';
import { worstStatus, type Status } from '../quality/categories.ts';
import { readingsOf, type Subject } from '../quality/severity.ts';
import { DEFAULT_THRESHOLDS, type ThresholdTable } from '../quality/thresholds.ts';
import type { DocumentStore } from '../store/port.ts';
import { groupRefs, type GroupRef } from './group-names.ts';

/** One metric of the integrity card, against its threshold (a reading of the severity model). */
export interface CardMetric {
  metric: Subject;
  title: string;
  value: number;
  /** The value as every surface shows it (`formatMetric`). */
  display: string;
  unit: 'percent' | 'count';
  status: Status;
  /** The threshold in words (`critical when > 0`). */
  threshold: string;
}

/** The integrity card: the latest platform-wide snapshot (the daily full check). */
export interface IntegrityCard {
  /** The worst status of the card's metrics with a threshold row, as the metrics report's `status` (never a stored word judged by other rules). */
  status: Status;
  score: number;
  /** When that check ran: the card shows a snapshot, labelled with this time. */
  checkedAt: number;
  /** Whether the v1 migration had completed when the snapshot was taken (the rule its metrics are judged by). */
  v1MigrationCompleted: boolean;
  metrics: CardMetric[];
}

/** A monitor job: its last run and next slot. */
export interface JobOverview {
  job: JobName;
  last: JobRun | null;
  nextAt: number | null;
}

/**
 * A migration, rollback or fix request waiting for approval, as the approvals service describes it. Ids and Slack
 * user ids only.
 */
export interface PendingApproval {
  id: string;
  kind: 'migrate' | 'rollback' | 'fix';
  requestedBy: string;
  requestedAt: number;
  expiresAt: number;
  approvals: number;
  required: number;
  /** True when the viewer may approve or reject it (an approver, not the requester). */
  viewerMayAct: boolean;
  /** Where the request is, so the Home tab can link to it. */
  message: { channel: string; ts: string } | null;
  /** The plan hash the request's buttons carry, so the Home tab's Approve / Reject act on the plan it shows. */
  planHash: string;
  /** The plan, for the Approve confirm dialog (counts only). */
  plan: PlanSummary | null;
}

/** Where pending approvals come from (the approvals service); none until one is wired in. */
export type PendingApprovals = (viewer: string | null, now: number) => Promise<PendingApproval[]>;

/** The migration as status shows it: the lock, whether v1 completed, the latest run. */
export interface MigrationOverview {
  lock: StatusReport['lock'];
  v1MigrationCompletedAt: string | null;
  latestRun: StatusReport['runs'][number] | null;
}

/** Everything status and the Home tab show. */
export interface OpsOverview {
  at: number;
  integrity: IntegrityCard | null;
  /** The next check that updates the integrity card (the daily full check). */
  nextCheck: { job: JobName; at: number } | null;
  jobs: JobOverview[];
  firing: AlertState[];
  silences: Silence[];
  /** Null when the migration state could not be read (said so rather than failing the whole view). */
  migration: MigrationOverview | null;
  approvals: PendingApproval[];
  /** The groups the alerts and silences name, with their slugs (a group not looked up shows its id alone). */
  groups?: ReadonlyMap<string, GroupRef>;
  /** The dashboard to link to (`DASHBOARD_URL`), or null/absent for no link. */
  dashboardUrl?: string | null;
}

/** What the overview reads. */
export interface OverviewDeps {
  alerts: AlertStore;
  jobRuns: JobRunStore;
  snapshots: SnapshotStore;
  monitors: Pick<MonitorsConfig, 'schedules' | 'timezone'>;
  thresholds?: ThresholdTable;
  /** The migration's status (`MigrationService.status`). */
  migrationStatus: () => Promise<StatusReport>;
  /** Where group slugs are looked up (groups named slug first); ids alone without it. */
  documents?: DocumentStore;
  /** Pending approvals the viewer may see; none by default. */
  pendingApprovals?: PendingApprovals;
  /** The dashboard the views link to (`DASHBOARD_URL`); no link when absent. */
  dashboardUrl?: string | null;
  now: () => number;
}

/** How far ahead a next slot is looked for (the weekly job's period plus a day). */
const LOOKAHEAD_MINUTES = 8 * 24 * 60;

/** The first minute after `now` at which a cron expression matches, or null within eight days. */
export function nextSlot(expression: string, timezone: string, now: number): number | null {
  const task = createTask(expression, () => {}, { timezone });
  const start = Math.floor(now / 60_000) * 60_000;
  for (let minute = 1; minute <= LOOKAHEAD_MINUTES; minute++) {
    const candidate = start + minute * 60_000;
    if (task.match(new Date(candidate))) return candidate;
  }
  return null;
}

/**
 * The card of a snapshot, each metric judged by the rules that applied when it was taken: the thresholds, and
 * whether the v1 migration had completed then (recorded with the snapshot; the current state for older snapshots
 * that lack it). An old pre-migration snapshot is therefore never judged by the post-migration rule.
 */
export function integrityCard(
  snapshot: Awaited<ReturnType<SnapshotStore['latestSnapshotBefore']>>,
  options: { v1MigrationCompleted: boolean; thresholds?: ThresholdTable },
): IntegrityCard | null {
  if (!snapshot) return null;
  const table = options.thresholds ?? DEFAULT_THRESHOLDS;
  const recorded = snapshot.metadata?.v1MigrationCompleted;
  const v1MigrationCompleted = typeof recorded === 'boolean' ? recorded : options.v1MigrationCompleted;
  const values = snapshotMetrics(snapshot) as Partial<Record<Subject, number>>;
  const metrics = readingsOf(values, { v1MigrationCompleted }, table).map(
    (reading): CardMetric => ({
      metric: reading.subject,
      title: reading.title,
      value: reading.value,
      display: reading.display,
      unit: reading.unit,
      status: reading.status,
      threshold: reading.rule,
    }),
  );
  // The status of the metrics report the snapshot was taken from: the worst of the metrics with a threshold row.
  const status = worstStatus(metrics.filter((metric) => metric.metric !== 'invalidMetadataCount').map((metric) => metric.status));
  return { status, score: snapshot.referentialIntegrityScore, checkedAt: snapshot.timestamp, v1MigrationCompleted, metrics };
}

/** Reads everything status and the Home tab show, for `viewer` (a Slack user id, or null). */
export async function gatherOverview(deps: OverviewDeps, viewer: string | null): Promise<OpsOverview> {
  const at = deps.now();
  let migration: MigrationOverview | null = null;
  try {
    const report = await deps.migrationStatus();
    migration = { lock: report.lock, v1MigrationCompletedAt: report.v1MigrationCompletedAt, latestRun: report.runs[0] ?? null };
  } catch {
    migration = null;
  }
  const [snapshot, firing, silences, approvals, ...lastRuns] = await Promise.all([
    deps.snapshots.latestSnapshotBefore(null, at + 1),
    deps.alerts.firingAlerts(),
    deps.alerts.activeSilences(at),
    deps.pendingApprovals ? deps.pendingApprovals(viewer, at) : Promise.resolve([]),
    ...JOB_NAMES.map((job) => deps.jobRuns.recentJobRuns({ limit: 1, job })),
  ]);
  const jobs = JOB_NAMES.map((job, index): JobOverview => ({
    job,
    last: lastRuns[index]![0] ?? null,
    nextAt: nextSlot(deps.monitors.schedules[job], deps.monitors.timezone, at),
  }));
  const daily = jobs.find((job) => job.job === 'daily')!;
  const named = [...firing.map((alert) => alert.groupId), ...silences.map((silence) => (silence.groupId === '*' ? null : silence.groupId))];
  const groups = deps.documents ? await groupRefs(deps.documents, named, 50) : undefined;
  return {
    ...(groups ? { groups } : {}),
    ...(deps.dashboardUrl ? { dashboardUrl: deps.dashboardUrl } : {}),
    at,
    integrity: integrityCard(snapshot, { v1MigrationCompleted: migration?.v1MigrationCompletedAt != null, thresholds: deps.thresholds }),
    nextCheck: daily.nextAt !== null ? { job: 'daily', at: daily.nextAt } : null,
    jobs,
    firing,
    silences,
    migration,
    approvals,
  };
}
