/**
 * Ports of the monitors: the quality engine they run, the job-run log, and the `dataQualitySnapshots` table.
 * The SQLite adapter is `src/store/sqlite/monitor-store.ts`.
 */
import type { JobName } from '../src/config.ts';
import type { Category, Status } from '../src/quality/categories.ts';
import type { MetricsReport } from '../src/quality/metrics.ts';
import { toNumber } from '../src/ontology/values.ts';
import type { CheckReport } from '../src/quality/reports.ts';

export type { CheckReport };

/** The quality engine as the monitors use it (`createQualityService(store)` implements it). */
export interface QualitySource {
  check(options: { now: number; groupId?: string; limit?: number; categories?: readonly Category[] }): Promise<CheckReport>;
  metricsAllGroups(options: { now: number }): Promise<{ platform: MetricsReport; groups: MetricsReport[] }>;
}

/** How a job run was started. */
export type JobTrigger = 'scheduled' | 'catch_up' | 'manual';

/** How a job run ended (`running` while it runs; a crash leaves it so). */
export type JobOutcome = 'running' | 'succeeded' | 'failed' | 'skipped_overlap';

/** One recorded job run. */
export interface JobRun {
  id: number;
  job: JobName;
  trigger: JobTrigger;
  /** The cron slot it ran for (scheduled runs), else null. */
  scheduledFor: number | null;
  startedAt: number;
  finishedAt: number | null;
  outcome: JobOutcome;
  counts: Record<string, number>;
  error: string | null;
  instanceId: string;
}

/** The job-run log. */
export interface JobRunStore {
  startJobRun(run: Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>): Promise<number>;
  finishJobRun(id: number, result: Pick<JobRun, 'finishedAt' | 'outcome' | 'counts' | 'error'>): Promise<void>;
  /**
   * Records a run that did not start because the previous one was still going; `reason` (ids and times only)
   * says where, by default "the previous run was still going".
   */
  recordSkippedRun(run: Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>, reason?: string): Promise<void>;
  /**
   * Marks `failed` the scheduled and catch-up runs still `running` under another instance: a new leader calls it,
   * since only the leader runs them and the one before it stopped (or stalled) without finishing them. Manual
   * runs are left alone (the CLI runs them beside the scheduler). Returns how many were marked.
   */
  abandonRunsOfOthers(instanceId: string, at: number): Promise<number>;
  lastSucceededRun(job: JobName): Promise<JobRun | null>;
  recentJobRuns(options: { limit: number; job?: JobName }): Promise<JobRun[]>;
}

/** Metrics kept in a snapshot's `metadata` (the ones without a column of their own). */
export interface SnapshotMetadata {
  orphanedEntityCount: number;
  missingGroupIds: number;
  malformedPropertiesPercent: number;
  schemaComplianceScore: number;
  eventArchivalProgress: number;
  invalidMetadataCount: number;
  status: Status;
  /** Split of the orphan count, when the full check gave it (platform-wide). */
  orphanedKnowledge?: number;
}

/** One `dataQualitySnapshots` document. */
export interface QualitySnapshot {
  _id: string;
  _creationTime: number;
  timestamp: number;
  /** Absent platform-wide. */
  groupId?: string;
  referentialIntegrityScore: number;
  /** Orphaned references (`orphanedEntityCount`: orphaned connections + orphaned knowledge). */
  orphanedConnections: number;
  crossGroupViolations: number;
  /** Entities with malformed properties (`malformedPropertiesCount`). */
  malformedProperties: number;
  metadata: SnapshotMetadata;
}

/** The `dataQualitySnapshots` table. */
export interface SnapshotStore {
  saveSnapshots(snapshots: Omit<QualitySnapshot, '_id' | '_creationTime'>[], at: number): Promise<QualitySnapshot[]>;
  /** Snapshots with from ≤ timestamp ≤ to, all scopes, oldest first. */
  snapshotsBetween(from: number, to: number): Promise<QualitySnapshot[]>;
  /** The latest snapshot of a scope strictly before `before`, or null. */
  latestSnapshotBefore(groupId: string | null, before: number): Promise<QualitySnapshot | null>;
}

/** The metric values of a snapshot, by metric name (as in a metrics report); absent ones are left out. */
export function snapshotMetrics(snapshot: QualitySnapshot): Partial<Record<string, number>> {
  // Snapshots imported from a deployment may carry less metadata than the ones written here.
  const metadata: Partial<SnapshotMetadata> = snapshot.metadata ?? {};
  const values: Partial<Record<string, number>> = {
    referentialIntegrityScore: snapshot.referentialIntegrityScore,
    orphanedEntityCount: metadata.orphanedEntityCount ?? snapshot.orphanedConnections,
    crossGroupViolations: snapshot.crossGroupViolations,
    missingGroupIds: metadata.missingGroupIds,
    malformedPropertiesCount: snapshot.malformedProperties,
    malformedPropertiesPercent: metadata.malformedPropertiesPercent,
    schemaComplianceScore: metadata.schemaComplianceScore,
    eventArchivalProgress: metadata.eventArchivalProgress,
    invalidMetadataCount: metadata.invalidMetadataCount,
  };
  for (const [name, raw] of Object.entries(values)) {
    // Imported documents may hold int64 values (bigint) where this code writes float64.
    const value = toNumber(raw);
    if (value === undefined || !Number.isFinite(value)) delete values[name];
    else values[name] = value;
  }
  return values;
}
