/**
 * The store side of the named fixes (`ontology-ops fix <name>`): the records a fix would change, one bounded
 * page at a time, and the atomic steps of a run and of its exact undo. Every write step is one SQLite
 * transaction or one Convex mutation, fenced by the migration lease, that writes its changes, their fix
 * journal and the run's checkpoint together. Runs live in the migration run registry (kind `fix`, the fix name
 * in the run's plan), so `migration-status` lists them and `rollback --run <id>` undoes them.
 */
import type { LeaseFence } from '../migration/port.js';

/** The named fixes, in the order they are meant to run. */
export const FIX_NAMES = ['orphans', 'cross-group', 'legacy-default'] as const;
/** A named fix. */
export type FixName = (typeof FIX_NAMES)[number];

/** The tables `fix orphans` changes, in the order it changes them. */
export const ORPHAN_TABLES = ['connections', 'knowledge'] as const;
/** A table `fix orphans` changes. */
export type OrphanTable = (typeof ORPHAN_TABLES)[number];

/**
 * The table orphaned connections move to. Each document holds the connection's id, creation time and fields
 * (`connection`), the ids it pointed at that do not exist, and the fix run that moved it. It is part of
 * exports and backups like any other table, and an exact undo moves each connection back.
 */
export const ARCHIVE_TABLE = 'archivedConnections';

/** What stands for a reference field that is absent or empty in a plan's list of missing ids. */
export const NO_ID = '(none)';

/** One record `fix orphans` would change, and the ids it names that do not exist. */
export interface OrphanRecord {
  table: OrphanTable;
  recordId: string;
  /** The record's own groupId (null: none). */
  groupId: string | null;
  /** The referenced ids that name no entity (`NO_ID` for an absent end). */
  missingIds: string[];
}

/** One bounded page of orphaned records of a table. */
export interface OrphanPage {
  records: OrphanRecord[];
  /** Null when the page was the last. */
  continueCursor: string | null;
}

/** What `FixStore.applyOrphanBatch` takes. */
export interface OrphanBatchInput {
  runId: string;
  table: OrphanTable;
  /** Only records of this group (their own groupId); null: every group. */
  groupId: string | null;
  cursor: string | null;
  /** Records changed at most. */
  limit: number;
  fence: LeaseFence;
}

/** What one batch of a fix did. */
export interface FixBatchResult {
  /** Records changed (connections archived, knowledge unlinked). */
  changed: number;
  /** Opaque cursor after the batch, also written as the run's checkpoint. */
  cursor: string | null;
  finished: boolean;
  /** The run's batch count after this batch. */
  batches: number;
}

/** What `FixStore.undoFixBatch` takes. */
export interface FixUndoBatchInput {
  targetRunId: string;
  undoRunId: string;
  cursor: string | null;
  limit: number;
  fence: LeaseFence;
}

/** How one journal entry of a fix undo turned out. */
export type FixUndoOutcome = 'reverted' | 'conflict';

/** What one undo batch of a fix did. */
export interface FixUndoBatchResult {
  cursor: string | null;
  finished: boolean;
  batches: number;
  entries: number;
  reverted: number;
  /** Entries left alone: the record changed since the fix (or a connection with its id exists again). */
  conflicts: { table: OrphanTable; recordId: string }[];
  byTable: Record<string, number>;
}

/** What `FixStore.finishFixUndo` takes. */
export interface FinishFixUndoInput {
  undoRunId: string;
  targetRunId: string;
  fence: LeaseFence;
  finishedAt: number;
  /** The undo's running totals, kept on the undo run. */
  result: unknown;
}

/** The store side of the named fixes. */
export interface FixStore {
  /** The largest batch this adapter does in one step. */
  readonly maxBatchSize: number;
  /** Orphaned records of `table` (of `groupId`'s records, or all) over one bounded page after `cursor`. */
  orphanPage(table: OrphanTable, groupId: string | null, cursor: string | null): Promise<OrphanPage>;
  /** Documents in the archive table, over one bounded page after `cursor` (`count` of them). */
  archivePage(cursor: string | null): Promise<{ count: number; connectionIds: string[]; continueCursor: string | null }>;
  /**
   * Fixes the next orphaned records of `table` after `cursor`: a connection moves to the archive table, a
   * knowledge record loses its `sourceThingId`; each is journalled, and the run's checkpoint (phase, cursor,
   * progress, batch count) is written with them, at once.
   */
  applyOrphanBatch(input: OrphanBatchInput): Promise<FixBatchResult>;
  /**
   * Reverts the next journal entries of a fix run where the record still holds what the fix wrote: the
   * connection moves back from the archive with its id, creation time and fields, the knowledge record gets
   * its document back as it was; with the undo run's checkpoint, at once.
   */
  undoFixBatch(input: FixUndoBatchInput): Promise<FixUndoBatchResult>;
  /**
   * Marks the fix run rolled back and the undo completed at once. Fixes write no audit events into the data
   * (the run registry is their trail), so the undo gives the data back byte for byte.
   */
  finishFixUndo(input: FinishFixUndoInput): Promise<void>;
}
