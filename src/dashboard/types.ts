/**
 * The dashboard's JSON answers (`/dashboard/api/…`), shared by the server (`src/dashboard/`) and the page
 * (`web/dashboard/`). Plain data only, no imports, so the browser build can use these types too. Ids, slugs,
 * counts, metric values and times (epoch ms): never a property value of a record.
 */

/** A metric status, best to worst. */
export type DashboardStatus = 'healthy' | 'info' | 'warning' | 'critical';

/** How a metric is printed: a percentage or a count. */
export type MetricUnit = 'percent' | 'count';

/** A group as the dashboard names it: slug first, id after; the name when the group has one. */
export interface DashboardGroup {
  id: string;
  slug: string | null;
  name: string | null;
}

/** The scope an answer is about: a group, or null platform-wide. */
export interface ScopeFields {
  /** Epoch ms the answer was computed at. */
  at: number;
  group: DashboardGroup | null;
}

/** One metric of the integrity card, judged against the threshold table. */
export interface IntegrityMetric {
  metric: string;
  title: string;
  unit: MetricUnit;
  value: number;
  /** The value as every surface shows it (thousands separators, the metric's fixed decimals): `99.66%`, `9,450`. */
  display: string;
  status: DashboardStatus;
  /** The threshold the value is judged by, in words (`critical when > 0`). */
  threshold: string;
}

/** A monitor run that checks the data (the daily full check, or the hourly critical subset). */
export interface CheckRun {
  job: 'daily' | 'hourly';
  startedAt: number;
  finishedAt: number | null;
  outcome: 'running' | 'succeeded' | 'failed' | 'skipped_overlap';
}

/** `GET /dashboard/api/integrity`: the latest daily snapshot of the scope against the thresholds. */
export interface IntegrityAnswer extends ScopeFields {
  /** Null when the daily job has not written a snapshot of this scope yet. */
  card: {
    status: DashboardStatus;
    /** `referentialIntegrityScore`. */
    score: number;
    /** When the snapshot was taken (the daily check's time). */
    checkedAt: number;
    /** The severity model's subjects (the seven metrics with a threshold, then invalid metadata), in the guide's order. */
    metrics: IntegrityMetric[];
    /** Whether the v1 migration had completed when the snapshot was taken: the rule its metrics are judged by. */
    v1MigrationCompletedAtSnapshot: boolean;
    /** Reported alongside, without a threshold. */
    invalidMetadataCount: number | null;
    malformedPropertiesCount: number;
  } | null;
  /** The latest daily or hourly run (platform-wide: those jobs check every scope at once). */
  lastCheck: CheckRun | null;
  /** The next scheduled daily or hourly run (cron schedules, UTC). */
  nextCheck: { job: 'daily' | 'hourly'; at: number } | null;
  /** The next daily run, which writes the next snapshot. */
  nextDailyAt: number | null;
  /** True while this process runs the daily job. */
  dailyRunning: boolean;
  v1MigrationCompleted: boolean;
}

/** One alert, as the dashboard lists it. */
export interface DashboardAlert {
  id: string;
  key: string;
  /** A metric, `trend.<metric>` or `monitor.<job>`. */
  subject: string;
  title: string;
  severity: 'critical' | 'warning' | 'info';
  state: 'firing' | 'silenced' | 'acknowledged' | 'resolved';
  group: DashboardGroup | null;
  /** The metric value at the latest evaluation. */
  value: number | null;
  /** That value as every surface shows it (the severity model's format), or null without a value. */
  display: string | null;
  unit: MetricUnit;
  threshold: string;
  firstFiringAt: number;
  lastEvaluatedAt: number;
  resolvedAt: number | null;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
}

/** `GET /dashboard/api/alerts`: what fires now, and the latest alerts (firing or resolved). */
export interface AlertsAnswer extends ScopeFields {
  firing: DashboardAlert[];
  recent: DashboardAlert[];
}

/** One metric's series over the window, with its threshold bounds. */
export interface TrendSeries {
  metric: string;
  title: string;
  unit: MetricUnit;
  better: 'higher' | 'lower';
  /** The healthy bound and the warning bound (null: no warning band) of the threshold table. */
  thresholds: { healthy: number; warning: number | null } | null;
  /** Oldest first. */
  points: { at: number; value: number }[];
}

/** `GET /dashboard/api/trends?days=N`: the daily snapshots of the scope in the last N days. */
export interface TrendsAnswer extends ScopeFields {
  days: number;
  from: number;
  to: number;
  /** Daily snapshots found in the window. */
  snapshots: number;
  series: TrendSeries[];
}

/** `GET /dashboard/api/groups`: the groups for the selector, by slug (then id). */
export interface GroupsAnswer {
  at: number;
  groups: DashboardGroup[];
  /** Groups left out past the listing's bound. */
  omitted: number;
}

/** `GET /dashboard/api/versions`: entities by schema generation, counted now. */
export interface VersionsAnswer extends ScopeFields {
  v0Entities: number;
  v1Entities: number;
  distributionPercentage: { v0: number; v1: number };
  /** `schemaComplianceScore` of these counts (rounded down, like the metric), and its status. */
  schemaComplianceScore: number;
  /** The score as every surface shows it (`formatMetric`). */
  schemaComplianceDisplay: string;
  schemaComplianceStatus: DashboardStatus;
}

/** `GET /dashboard/api/migration`: the v1 migration's state (platform-wide). */
export interface MigrationAnswer {
  at: number;
  v1MigrationCompletedAt: string | null;
  lock: { held: boolean; holder: string | null; since: number | null };
  /** The newest migration, undo or restore run, or null when none ran. */
  latestRun: {
    id: string;
    kind: string;
    state: string;
    /** Records done as a share of the planned ones. */
    percent: number;
    phase: string | null;
    actor: string;
    startedAt: number;
    finishedAt: number | null;
    batches: number;
  } | null;
  /** Requests waiting for approval (not expired). */
  pendingApprovals: number;
}

/** `POST /dashboard/api/run-daily`: how the run ended. */
export interface RunDailyAnswer {
  outcome: 'succeeded';
  startedAt: number;
  finishedAt: number;
  counts: Record<string, number>;
  /** Set when Slack refuses the run's messages for a configuration problem (they wait in the outbox). */
  deliveryHeld: string | null;
}

/** Every error answer: one line saying what was wrong and what to do. */
export interface ErrorAnswer {
  ok: false;
  error: string;
}
