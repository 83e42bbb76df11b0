/**
 * Ports of the monitors: the quality engine they run, the job-run log, the `dataQualitySnapshots` table and
 * event archival, plus `MonitorStores`, every store port a job touches. SQLite adapters, one class per port:
 * `src/store/sqlite/sqlite-job-run-store.ts`, `sqlite-snapshot-store.ts`, `sqlite-event-archive.ts` (and the
 * alert ports' `sqlite-alert-store.ts`, `sqlite-outbox-store.ts`). This module imports no job module, so an
 * adapter may import it.
 */
import type { AlertStore, OutboxStore } from '../src/alerts/ports.ts';
import type { JobName } from '../src/config.ts';
import type { Category, Status } from '../src/quality/categories.ts';
import type { MetricsReport } from '../src/quality/metrics.ts';
import { toNumber } from '../src/ontology/values.ts';
import type { CheckReport } from '../src/quality/reports.ts';
import type { DocumentStore, LeaseStore, MetaStore } from '../src/store/port.ts';

export type { CheckReport };

/** The quality engine as the monitors use it (the backend's `quality` service implements it). */
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
  /** Opaque, assigned by the store; carries no order. */
  id: string;
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
  /** Records a run as `running`; returns its id. */
  startJobRun(run: Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>): Promise<string>;
  finishJobRun(id: string, result: Pick<JobRun, 'finishedAt' | 'outcome' | 'counts' | 'error'>): Promise<void>;
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
  /** The job's succeeded run with the latest `startedAt` (ties: the later created), or null. */
  lastSucceededRun(job: JobName): Promise<JobRun | null>;
  /** Runs newest `startedAt` first (ties: the later created first), at most `limit`, of one job or all. */
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
  /** Whether the v1 migration had completed when the snapshot was taken (the rule its metrics were judged by). */
  v1MigrationCompleted?: boolean;
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
  /** Inserts the documents (the store assigns `_id` and increasing `_creationTime`s); returns them as stored. */
  saveSnapshots(snapshots: Omit<QualitySnapshot, '_id' | '_creationTime'>[], at: number): Promise<QualitySnapshot[]>;
  /** Snapshots with from ≤ timestamp ≤ to, all scopes, oldest `timestamp` first (ties by `_creationTime`). */
  snapshotsBetween(from: number, to: number): Promise<QualitySnapshot[]>;
  /**
   * The latest snapshot (by `timestamp`, ties by `_creationTime`) of a scope (a group id, or null platform-wide)
   * with timestamp strictly before `before`, or null.
   */
  latestSnapshotBefore(groupId: string | null, before: number): Promise<QualitySnapshot | null>;
}

/** The `events_archived` event that records an archival run, written with the run's batches. */
export interface ArchivalRecord {
  /** The group owning the bot's events (`EventLog.ownerGroupId`). */
  groupId: string;
  /** The event's timestamp: when the run started. */
  at: number;
  /** The run's event: null before its first batch archived anything; the id the previous batch returned after. */
  eventId: string | null;
  /** Fields of the event's metadata besides `count` and `batches`, which the store keeps up to date. */
  metadata: Record<string, string | number | boolean | null>;
}

/** What one archival batch did. */
export interface ArchivalBatch {
  /** Events archived by this batch (0: nothing was left, and nothing was written). */
  archived: number;
  /** The run's `events_archived` event (null while nothing was archived yet). */
  eventId: string | null;
}

/**
 * Marks old events archived, one bounded batch per call (one transaction / one mutation). Each batch also
 * records itself in the run's `events_archived` event in the same transaction: the first batch that archives
 * anything inserts the event (`count`, `batches` = 1), later ones add to it, so a crash between batches never
 * leaves archived events that no event accounts for.
 */
export interface EventArchiveStore {
  /** Sets `archived: true` on up to `limit` events with timestamp < `cutoff` that are not archived, oldest first. */
  archiveEventsBefore(cutoff: number, limit: number, record: ArchivalRecord): Promise<ArchivalBatch>;
}

/** Every store port the monitor jobs use, one adapter object per port. */
export interface MonitorStores {
  alerts: AlertStore;
  outbox: OutboxStore;
  jobRuns: JobRunStore;
  snapshots: SnapshotStore;
  archive: EventArchiveStore;
}

/** Every port the monitors run on: their own state, plus the documents, leases and settings they share. */
export interface MonitorPorts {
  stores: MonitorStores;
  documents: DocumentStore;
  leases: LeaseStore;
  meta: MetaStore;
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
