/**
 * The types of the v1 migration's store operations. They are bounded (a batch from a cursor, a page of a
 * count), so a Convex adapter can provide the same operations one page per call; the SQLite adapter is
 * `src/store/sqlite/migration-store.ts`.
 */

/** The four tables the migration patches, in the order it patches them. */
export const MIGRATED_TABLES = ['entities', 'connections', 'events', 'knowledge'] as const;
/** A table the migration patches. */
export type MigratedTable = (typeof MIGRATED_TABLES)[number];

/** Kinds of rows in the run registry. */
export type RunKind = 'migrate' | 'undo' | 'restore';

/**
 * States of a run. migrate: backing_up → migrating → validating → completed | failed, and rolled_back once an
 * exact undo of it completed or a full restore replaced its data; superseded once its data was replaced by other
 * means (`import --replace`, `seed --replace`): none of its records holds what it wrote, so it is neither
 * resumed, nor undone, nor counted as a completed migration. undo / restore: running → completed | failed.
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
  /** The run's journal rows have sequence numbers above this (a migration run's rows are contiguous). */
  journalStart: number;
  /** Checkpoint: the table (or step) being worked on and the cursor within it. */
  phase: string | null;
  cursor: number;
  batches: number;
  progress: TableProgress;
  /** What pre-flight planned (counts per table), as JSON. */
  plan: unknown;
  /** The outcome (validation report, undo counts, restore summary), as JSON. */
  result: unknown;
  error: string | null;
}

/** Where a batch writes its checkpoint, in the same transaction as its patches. */
export interface Checkpoint {
  phase: string;
  cursor: number;
  progress: TableProgress;
  /** Running totals kept with the checkpoint (the exact undo's outcome counts). */
  result?: unknown;
}

/** Which rule gave a record its groupId. */
export type AssignmentSource = 'legacyDefault' | 'fromEntity' | 'toEntity' | 'actor' | 'target' | 'sourceEntity' | 'existing';

/** What one batch did. */
export interface BatchResult {
  /** Records patched. */
  changed: number;
  /** Cursor after the batch (storage position of the last record looked at). */
  cursor: number;
  /** True when the batch reached the end of the table. */
  finished: boolean;
  groupIdsWritten: number;
  schemaVersionsWritten: number;
  assignments: Partial<Record<AssignmentSource, number>>;
}

/** Lease the batch must still hold; checked and extended inside the batch's transaction (fencing). */
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
  cursor: number;
  finished: boolean;
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
