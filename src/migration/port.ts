/**
 * The ports of the v1 migration: `MigrationStore` (run registry, batches with their undo journal, the exact
 * undo, the counts a plan needs) and `BackupPort` (estimate, write, verify, compare, restore). Every
 * `MigrationStore` method is one named atomic step: one transaction on SQLite, one mutation (or query) on
 * Convex, with no callbacks into it. Cursors are opaque strings chosen by the adapter; null means "from the
 * start". The SQLite adapter is `src/store/sqlite/migration-store.ts` and `src/store/sqlite/migration-backup.ts`.
 */
import type { ConvexValue } from '../ontology/values.js';
import type { BackupResult, BackupVerification } from './backup.js';
import type { RestoreComparison } from './restore-diff.js';

/** Store setting (`MetaStore`) set while a completed v1 migration is in the data: missing groupIds are then critical. */
export const V1_MIGRATION_COMPLETED_KEY = 'v1_migration_completed_at';

/** The four tables the migration patches, in the order it patches them. */
export const MIGRATED_TABLES = ['entities', 'connections', 'events', 'knowledge'] as const;
/** A table the migration patches. */
export type MigratedTable = (typeof MIGRATED_TABLES)[number];

/** Kinds of rows in the run registry. */
export type RunKind = 'migrate' | 'undo' | 'restore' | 'fix';

/**
 * States of a run. migrate: backing_up → migrating → validating → completed | failed, and rolled_back once an
 * exact undo of it completed or a full restore replaced its data; superseded once its data was replaced by other
 * means (`import --replace`, `seed --replace`): none of its records holds what it wrote, so it is neither
 * resumed, nor undone, nor counted as a completed migration. undo / restore: running → completed | failed.
 * fix: backing_up → running → completed | failed, and rolled_back once its exact undo completed.
 */
export type RunState = 'backing_up' | 'migrating' | 'validating' | 'running' | 'completed' | 'failed' | 'rolled_back' | 'superseded';

/** Per-table progress of a run: records to change (`total`) and changed so far (`done`). */
export type TableProgress = Record<string, { total: number; done: number }>;

/** A row of the run registry. */
export interface RunRecord {
  id: string;
  kind: RunKind;
  state: RunState;
  /** Who started it (`--actor`, env USER, or the approving Slack user). */
  actor: string;
  /** The lease holder id of the process that last worked on it. */
  holder: string;
  /** For an undo: the migration run it reverts. */
  targetRunId: string | null;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  batchSize: number;
  backupFile: string | null;
  defaultGroupId: string | null;
  /** True when this run created the `legacy-default` group (an undo may then remove it). */
  defaultGroupCreated: boolean;
  /** Opaque journal position: the run's journal entries follow it (a migration run's entries are contiguous). */
  journalStart: string | null;
  /** Checkpoint: the table (or step) being worked on and the opaque cursor within it (null: its start). */
  phase: string | null;
  cursor: string | null;
  batches: number;
  progress: TableProgress;
  /** What pre-flight planned (counts per table), as JSON. */
  plan: unknown;
  /** The outcome (validation report, undo counts, restore summary), as JSON; batches keep running totals here. */
  result: unknown;
  error: string | null;
}

/** New-run fields. */
export interface NewRun {
  id: string;
  kind: RunKind;
  state: RunState;
  actor: string;
  holder: string;
  targetRunId?: string | null;
  startedAt: number;
  batchSize: number;
  backupFile?: string | null;
  phase?: string | null;
  plan?: unknown;
  progress?: TableProgress;
}

/** Fields of a run that can change. */
export type RunUpdate = Partial<
  Pick<
    RunRecord,
    'state' | 'holder' | 'backupFile' | 'defaultGroupId' | 'defaultGroupCreated' | 'phase' | 'cursor' | 'batches' | 'progress' | 'result' | 'error' | 'finishedAt' | 'updatedAt' | 'plan'
  >
>;

/** Which rule gave a record its groupId. */
export type AssignmentSource = 'legacyDefault' | 'fromEntity' | 'toEntity' | 'actor' | 'target' | 'sourceEntity' | 'existing';

/** Assignment counts by rule. */
export type AssignmentCounts = Partial<Record<AssignmentSource, number>>;

/** Running totals a migration run's batches keep in `RunRecord.result.totals`. */
export interface MigrateTotals {
  assignments: AssignmentCounts;
  schemaVersions: number;
}

/** Running totals an exact undo's batches keep in `RunRecord.result.totals`. */
export interface UndoTotals {
  entries: number;
  reverted: number;
  partial: number;
  conflictCount: number;
  missing: number;
  byTable: Record<string, number>;
}

/** What one batch did. */
export interface BatchResult {
  /** Records patched. */
  changed: number;
  /** Opaque cursor after the batch (the last record looked at), also written as the run's checkpoint. */
  cursor: string | null;
  /** True when the batch reached the end of the table. */
  finished: boolean;
  /** The run's batch count after this batch (its number). */
  batches: number;
  groupIdsWritten: number;
  schemaVersionsWritten: number;
  assignments: AssignmentCounts;
}

/**
 * The lease a write step must still hold: checked and extended (to `now + ttlMs`) inside the step's
 * transaction, so a holder whose lease was taken over writes nothing (fencing).
 */
export interface LeaseFence {
  name: string;
  holder: string;
  ttlMs: number;
  now: number;
}

/** How one journal entry of an exact undo turned out. */
export type UndoOutcome = 'reverted' | 'partial' | 'conflict' | 'missing';

/** A record an exact undo left alone because it changed since the run (or was deleted). */
export interface UndoConflict {
  table: MigratedTable;
  recordId: string;
  /** Fields whose current value is no longer the one the run wrote. */
  fields: string[];
  outcome: UndoOutcome;
}

/** What one undo batch did. */
export interface UndoBatchResult {
  /** Opaque journal position after the batch. */
  cursor: string | null;
  finished: boolean;
  /** The undo run's batch count after this batch (0 for a dry run). */
  batches: number;
  entries: number;
  reverted: number;
  partial: number;
  /** Entries left alone in whole or in part (conflict, partial, missing); `conflicts` lists the first few. */
  conflictCount: number;
  conflicts: UndoConflict[];
  missing: number;
  byTable: Record<string, number>;
  /** Reverted groupIds that had been set to the run's legacy-default group. */
  defaultGroupReleased: number;
}

/** Records of a table the migration would change, counted over one page of it. */
export interface PendingCountPage {
  /** Records the run would change. */
  records: number;
  /** Entities only: records without a groupId, and records whose schemaVersion would be set. */
  missingGroupId: number;
  schemaVersion: number;
  /** Null when the page was the last. */
  continueCursor: string | null;
}

/** Cross-group references per group (`groupId` → references), as a list. */
export type CrossGroupByGroup = { groupId: string; count: number }[];

/** What the next page of a table would get from a run, for the dry run (bounded; writes nothing). */
export interface PlanPage {
  /** How the records without a groupId on this page would get one. */
  assignments: AssignmentCounts;
  /** Connections / events on this page that would become cross-group references. */
  crossGroupCreated: number;
  /**
   * The same references per group of the endpoint that already has one (the other endpoint lands in the
   * legacy-default group), at most one row per group, in no particular order.
   */
  crossGroupByGroup: CrossGroupByGroup;
  continueCursor: string | null;
}

/** An audit event a step writes with its other changes (into the `events` table). */
export interface AuditEvent {
  type: string;
  groupId: string | null;
  timestamp: number;
  metadata: Record<string, ConvexValue>;
}

/** A change to the store's v1-migration-completed marker: set it to an ISO time, clear it, or leave it. */
export type V1MarkerChange = { set: string } | 'clear' | 'keep';

/** What `MigrationStore.beginRun` takes. */
export type BeginRunInput = {
    runId: string;
    fence: LeaseFence;
    slug: string;
    group: Record<string, ConvexValue>;
    event: Omit<AuditEvent, 'groupId'>;
  };

/** What `MigrationStore.applyBatch` takes. */
export type ApplyBatchInput = { runId: string; table: MigratedTable; cursor: string | null; limit: number; defaultGroupId: string; fence: LeaseFence };

/** What `MigrationStore.finishRun` takes. */
export type FinishRunInput = { runId: string; fence: LeaseFence | null; update: RunUpdate; v1Marker: V1MarkerChange; event: AuditEvent | null };

/** What `MigrationStore.markSuperseded` takes. */
export type MarkSupersededInput = { runIds: readonly string[]; fence: LeaseFence; reason: string; v1Marker: V1MarkerChange };

/** What `MigrationStore.undoBatch` takes. */
export type UndoBatchInput = {
    targetRunId: string;
    cursor: string | null;
    limit: number;
    conflictLimit: number;
    defaultGroupId: string | null;
    apply?: { undoRunId: string; fence: LeaseFence };
  };

/** What `MigrationStore.finishUndo` takes. */
export type FinishUndoInput = {
    undoRunId: string;
    targetRunId: string;
    fence: LeaseFence;
    finishedAt: number;
    clearV1Marker: boolean;
    event: AuditEvent;
  };

/** What `MigrationStore.finishRestore` takes. */
export type FinishRestoreInput = {
    restoreRunId: string;
    fence: LeaseFence;
    finishedAt: number;
    v1MarkerAt: string | null;
    backupRunId: string | null;
    backupCreatedAt: number;
    result: unknown;
    slug: string;
    event: Omit<AuditEvent, 'groupId'>;
    /** Events written again after the replace, in the group with `kept.slug` (else the group with `slug`). */
    kept?: { slug: string; events: Omit<AuditEvent, 'groupId'>[] };
  };

/**
 * The store side of the v1 migration. Every method is one atomic step; write steps that take a `fence` check
 * and extend the lease inside their transaction and write nothing when it was lost (`LeaseLostError`).
 *
 * Bounds (for a Convex adapter): a batch reads one index range for its records plus, for connections and
 * events, up to two endpoint entities per record (one `db.get` each): 2,000 records is ~4,000 index ranges,
 * just inside the 4,096 limit, so a Convex adapter sets `maxBatchSize` to about 2,000 (and writes 2 documents
 * per record: the patch and its journal entry, 4,000 of 16,000). Pages of the counts and plan are the adapter's
 * own size (each endpoint read counts: ~2,000 records a page); run listings are paged by `limit`.
 */
export interface MigrationStore {
  /** The largest batch this adapter can do in one step; the service never asks for more. */
  readonly maxBatchSize: number;
  /**
   * Marks the start of a long operation (a run, an undo, a restore); call `end()` after it. An adapter may trim
   * its caches meanwhile (SQLite lowers its page cache: each record is read and written about once).
   */
  operationScope(): { end(): void };

  // Run registry.
  createRun(run: NewRun): Promise<RunRecord>;
  getRun(id: string): Promise<RunRecord | null>;
  /** Changes fields of a run (no fence: callers hold the lease, or record a failure best effort). */
  updateRun(id: string, update: RunUpdate): Promise<void>;
  /** Runs, newest first, optionally of one kind / in some states / of one target, one page at a time. */
  findRuns(
    query: { kind?: RunKind; states?: readonly RunState[]; targetRunId?: string },
    cursor: string | null,
    limit: number,
  ): Promise<{ runs: RunRecord[]; continueCursor: string | null }>;

  // Counts and plan pages (read only).
  /** Pending records of `table` after the batch cursor `after`, over one page starting at `page`. */
  countPendingPage(table: MigratedTable, after: string | null, page: string | null): Promise<PendingCountPage>;
  /**
   * What a run would do to the next page of `table` (connections, events or knowledge): assignments of the
   * records without a groupId and cross-group references created, reading endpoints as they will be after the
   * entity pass. `defaultGroupId` is the existing legacy-default group, or null when the run would create it.
   */
  planPage(table: Exclude<MigratedTable, 'entities'>, page: string | null, defaultGroupId: string | null): Promise<PlanPage>;
  /** Cross-group references now in the store that involve an entity whose groupId `runId` wrote. */
  crossGroupCreatedByRun(runId: string): Promise<{ connections: number; events: number }>;
  /** True when a record in the run's journal still holds a value the run wrote. */
  holdsWrittenValues(runId: string): Promise<boolean>;
  /** Records referencing a group (the migration's own audit events excepted; child groups included). */
  groupReferences(groupId: string): Promise<number>;
  /** Conflicts an undo recorded, up to `limit`, and their total. */
  recordedConflicts(undoRunId: string, limit: number): Promise<{ total: number; conflicts: UndoConflict[] }>;

  // Steps of a run.
  /** Extends the lease when still held; throws `LeaseLostError` otherwise. */
  fence(fence: LeaseFence): Promise<void>;
  /**
   * Step 3 of a run: finds the group with `slug` (or creates it from `group`), records it on the run with the
   * first checkpoint, and writes the `migration_started` event (its groupId is the group's).
   */
  beginRun(input: BeginRunInput): Promise<{ defaultGroupId: string; created: boolean }>;
  /**
   * Patches the next `limit` records of `table` that need it after `cursor`, writes their undo journal, and
   * the run's checkpoint (phase, cursor, progress done, batch count, running totals), all at once.
   */
  applyBatch(input: ApplyBatchInput): Promise<BatchResult>;
  /** Records a run's outcome, the marker change and its audit event at once (fence null: best effort). */
  finishRun(input: FinishRunInput): Promise<void>;
  /** Marks runs superseded with `reason`, and changes the marker, at once. */
  markSuperseded(input: MarkSupersededInput): Promise<void>;

  // The exact undo.
  /**
   * Reverts the next `limit` journal entries of `targetRunId` after `cursor` (null: the run's first) where the
   * current value is still the one written. Without `apply`: classifies only (dry run). With `apply`: writes
   * the reverts, each entry's outcome, and the undo run's checkpoint and running totals at once.
   */
  undoBatch(input: UndoBatchInput): Promise<UndoBatchResult>;
  /**
   * Finishes an undo at once: removes the legacy-default group when the target created it and nothing
   * references it any more, marks the target rolled_back and the undo completed (with its totals), changes
   * the marker, and writes the `rollback_completed` event (plus `legacyDefaultGroupRemoved`).
   */
  finishUndo(input: FinishUndoInput): Promise<{ removed: boolean; references: number; cleared: boolean }>;
  /**
   * Finishes a full restore at once: sets the marker as the backup had it, marks rolled_back the migration
   * runs the backup predates (or was taken for), completes the restore run, and writes the event (its groupId:
   * the group with `slug`, if any).
   */
  finishRestore(input: FinishRestoreInput): Promise<void>;
}

/** Backups of the whole store and the full restore from one. */
export interface BackupPort {
  /**
   * About the uncompressed size of a backup, the documents it would hold, and how many of them are ontology
   * records (groups, entities, connections, events, knowledge). Cheap: counts and samples.
   */
  estimate(): Promise<{ bytes: number; documents: number; ontologyRecords: number }>;
  /** The default folder for backups of this store. */
  defaultDir(): string;
  /** File name stem of this store's backups. */
  fileStem(): string;
  /**
   * Writes and verifies a backup to `zipPath` with its manifest. `onProgress` gets documents written; with
   * `fence`, the lease it describes is checked and renewed as the backup goes, so a long backup keeps it.
   */
  write(
    zipPath: string,
    options: { now: number; runId: string | null; v1MigrationCompletedAt: string | null; onProgress?: (documents: number) => void; fence?: () => LeaseFence },
  ): Promise<BackupResult>;
  /** Checks a backup (manifest, checksums, every line, counts); changes nothing. */
  verify(file: string): Promise<BackupVerification>;
  /** What a restore of the verified backup at `zipPath` would change. */
  compare(zipPath: string, idLimit: number): Promise<RestoreComparison>;
  /**
   * Replaces the ontology with the backup at `zipPath`, atomically. The lease `fence` is checked and renewed
   * inside the restore's own transaction at every progress report, so it cannot expire under a live restore
   * however long it takes (see the implementation for how).
   */
  restore(zipPath: string, options: { fence: () => LeaseFence; onProgress?: (doneBytes: number, totalBytes: number) => void }): Promise<{ documents: number }>;
  /** Where this store lives (a backup's `source`). */
  readonly location: string;
}
