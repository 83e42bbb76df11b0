/**
 * The v1 migration's store side in Convex, for the `MigrationStore` port (`src/store/convex/migration-store.ts`
 * calls these): batches that patch records, write their undo journal and the run's checkpoint in ONE mutation
 * fenced by the lease (checked and extended in that same mutation), and the exact undo's batches. The run
 * registry and the steps that begin and finish runs are in `migrationRuns.ts`, the read-only pages in
 * `migrationPages.ts`. Internal functions only.
 *
 * The rules — which groupId a record gets, what makes a reference cross-group, how an undo entry turns out —
 * are the pure modules the SQLite adapter uses (`src/migration/rules.ts`), imported. Every page size and its
 * arithmetic against half of Convex's limits is in `migrationBounds.ts`; each loop also keeps a `ReadBudget`
 * and stops before the next record could cross it, so large documents shorten a page instead of failing it.
 */
import { ConvexError, getDocumentSize, v, type Value } from 'convex/values';
import { internalMutation, internalQuery } from './_generated/server.js';
import { groupIdOf } from '../src/ontology/naming.js';
import { isV1SchemaVersion } from '../src/quality/rules.js';
import { assignGroupId, classifyUndo, type JournalField } from '../src/migration/rules.js';
import type { AssignmentCounts, MigratedTable, UndoTotals } from '../src/migration/port.js';
import { ReadBudget, type ReadLimits } from './lib/budget.js';
import { physicalTableOf, readNaming } from './lib/tables.js';
import {
  decodeJournalPosition,
  decodeRecordPosition,
  encodeJournalPosition,
  encodeRecordPosition,
  fromUniformText,
  journalHead,
  MAX_BATCH_RECORDS,
  MAX_BATCH_SCAN,
  MAX_UNDO_ENTRIES,
  RecordWalk,
  recordsFrom,
  uniformText,
  WRITE_STEP_LIMITS,
} from './migrationBounds.js';

import {
  type AnyDoc,
  type JournalDoc,
  type Reader,
  type RunDoc,
  type Writer,
  assignmentsValidator,
  conflictValidator,
  emptyUndoTotals,
  EntityGroups,
  endpointsOf,
  fenceLease,
  fenceValidator,
  migratedTableValidator,
  requireRun,
  runningTotals,
  SCHEMA_VERSION_ONE,
  SCHEMA_VERSION_ONE_TEXT,
} from './migrationShared.js';

/** What `applyBatchIn` may do: records changed and looked at, and its read budget. */
export interface BatchBounds {
  maxRecords: number;
  maxScan: number;
  limits: ReadLimits;
}

/** The bounds `applyBatch` runs with (see `migrationBounds.ts`). */
export const BATCH_BOUNDS: BatchBounds = { maxRecords: MAX_BATCH_RECORDS, maxScan: MAX_BATCH_SCAN, limits: WRITE_STEP_LIMITS };

/** The arguments of a batch. */
export interface BatchArgs {
  runId: string;
  table: MigratedTable;
  cursor: string | null;
  limit: number;
  defaultGroupId: string;
  fence: { name: string; holder: string; ttlMs: number; now: number };
}

/**
 * One batch inside a mutation: exported so a test can run it with bounds larger than `BATCH_BOUNDS` and see
 * Convex refuse it.
 */
export async function applyBatchIn(db: Writer, args: BatchArgs, bounds: BatchBounds) {
  if (!Number.isSafeInteger(args.limit) || args.limit < 1 || args.limit > bounds.maxRecords) {
    throw new ConvexError({ code: 'InvalidArgument', message: `batch size must be a whole number from 1 to ${bounds.maxRecords}, got ${args.limit}` });
  }
  const table = args.table;
  const budget = new ReadBudget(bounds.limits);
  // Step 1: the lease, checked and extended in this mutation, the run, the naming and the journal's head.
  await fenceLease(db, args.fence, budget);
  const run = await requireRun(db, args.runId, 'migration run', budget);
  // The checkpoint in step 3 reads the run again and writes it (a few counts larger at most).
  budget.patched(run);
  const naming = await readNaming(db, budget);
  let seq = await journalHead(db, budget);
  const start = decodeRecordPosition(args.cursor);
  const groups = new EntityGroups(db, physicalTableOf('entities', naming), budget);
  const result = {
    changed: 0,
    cursor: args.cursor,
    finished: true,
    batches: run.batches + 1,
    groupIdsWritten: 0,
    schemaVersionsWritten: 0,
    assignments: {} as AssignmentCounts,
  };
  const walk = new RecordWalk(start);
  let looked = 0;
  // Step 2: the records after the cursor; each that needs it is patched and journalled.
  budget.range();
  const records = recordsFrom(db, physicalTableOf(table, naming), start)[Symbol.asyncIterator]() as AsyncIterator<AnyDoc>;
  for (;;) {
    // The next record (≤ 1 MiB) must fit before it is read.
    if (!budget.fits(0, 1)) {
      result.finished = false;
      break;
    }
    const next = await records.next();
    if (next.done) break;
    const doc = next.value;
    budget.read(doc);
    if (walk.alreadySeen(doc._creationTime)) continue;
    const hasGroup = groupIdOf(doc) !== null;
    const setVersion = table === 'entities' && !isV1SchemaVersion(doc.schemaVersion);
    // Its worst case from here: the endpoints not yet looked up in this call, its patch (read again, written)
    // and its journal entry. The first record is always handled: with the fixed reads (lease, run, naming,
    // head ≤ 1 MiB + a few KiB) its ≤ 4 MiB of reads and ≤ 2 MiB of writes are within half of each limit.
    const [firstId, secondId] = hasGroup ? [null, null] : endpointsOf(table, doc);
    const lookups = (groups.needsRead(firstId) ? 1 : 0) + (groups.needsRead(secondId) ? 1 : 0);
    const changes = !hasGroup || setVersion;
    if (looked > 0 && !budget.fits(lookups, lookups + (changes ? 1 : 0), changes ? 2 : 0)) {
      result.finished = false;
      break;
    }
    let assignment: ReturnType<typeof assignGroupId> | undefined;
    if (!hasGroup) {
      const firstGroup = await groups.groupOf(firstId);
      // The second endpoint is only looked up when the first gives no group.
      const secondGroup = firstGroup ? undefined : await groups.groupOf(secondId);
      assignment = assignGroupId(table, firstGroup, secondGroup, args.defaultGroupId);
    }
    if (assignment !== undefined || setVersion) {
      const patch: Record<string, Value> = {};
      const entry: Record<string, Value> = { seq: ++seq, runId: args.runId, table, recordId: doc._id };
      if (assignment !== undefined) {
        patch.groupId = assignment.groupId;
        if (doc.groupId !== undefined) entry.groupIdBefore = uniformText(doc.groupId);
        entry.groupIdWritten = uniformText(assignment.groupId);
      }
      if (setVersion) {
        patch.schemaVersion = SCHEMA_VERSION_ONE;
        if (doc.schemaVersion !== undefined) entry.schemaVersionBefore = uniformText(doc.schemaVersion);
        entry.schemaVersionWritten = SCHEMA_VERSION_ONE_TEXT;
      }
      budget.patched(doc);
      await db.patch(doc._id as never, patch as never);
      budget.wrote(getDocumentSize(entry));
      await db.insert('undoJournal', entry as never);
      result.changed++;
      if (assignment !== undefined) {
        result.groupIdsWritten++;
        result.assignments[assignment.source] = (result.assignments[assignment.source] ?? 0) + 1;
      }
      if (setVersion) result.schemaVersionsWritten++;
    }
    walk.lookedAt(doc._creationTime);
    looked++;
    if (result.changed >= args.limit || looked >= bounds.maxScan) {
      result.finished = false;
      break;
    }
  }
  result.cursor = encodeRecordPosition(walk.position) ?? args.cursor;
  // Step 3: the checkpoint — position, progress, batch count and running totals — with the patches.
  const progress = { ...run.progress };
  const entry = progress[table] ?? { total: 0, done: 0 };
  progress[table] = { total: entry.total, done: entry.done + result.changed };
  const totals = runningTotals(run);
  totals.schemaVersions += result.schemaVersionsWritten;
  for (const [source, count] of Object.entries(result.assignments)) {
    const key = source as keyof AssignmentCounts;
    totals.assignments[key] = (totals.assignments[key] ?? 0) + (count ?? 0);
  }
  await db.patch(run._id, { phase: table, cursor: result.cursor, progress, batches: result.batches, updatedAt: args.fence.now, result: { totals } });
  return result;
}

/** Patches the next records of a table that need it, writes their journal and the run's checkpoint, fenced. */
export const applyBatch = internalMutation({
  args: {
    runId: v.string(),
    table: migratedTableValidator,
    cursor: v.union(v.string(), v.null()),
    limit: v.number(),
    defaultGroupId: v.string(),
    fence: fenceValidator,
  },
  returns: v.object({
    changed: v.number(),
    cursor: v.union(v.string(), v.null()),
    finished: v.boolean(),
    batches: v.number(),
    groupIdsWritten: v.number(),
    schemaVersionsWritten: v.number(),
    assignments: assignmentsValidator,
  }),
  handler: async (ctx, args) => {
    const result = await applyBatchIn(ctx.db, args, BATCH_BOUNDS);
    return { ...result, assignments: result.assignments as Record<string, number> };
  },
});

// ---- the exact undo -----------------------------------------------------------------------------------------

/** The arguments of an undo batch. */
export interface UndoArgs {
  targetRunId: string;
  cursor: string | null;
  limit: number;
  conflictLimit: number;
  defaultGroupId: string | null;
  apply: { undoRunId: string; fence: { name: string; holder: string; ttlMs: number; now: number } } | null;
}

/** One undo batch: classifies (and with `apply`, in a mutation, reverts and records) the next journal entries. */
async function undoBatchIn(db: Reader, writer: Writer | null, args: UndoArgs, maxEntries: number) {
  if (!Number.isSafeInteger(args.limit) || args.limit < 1 || args.limit > maxEntries) {
    throw new ConvexError({ code: 'InvalidArgument', message: `undo batch size must be a whole number from 1 to ${maxEntries}, got ${args.limit}` });
  }
  const budget = new ReadBudget(WRITE_STEP_LIMITS);
  const apply = writer === null ? null : args.apply;
  let undoRun: RunDoc | null = null;
  // Step 1: the lease and the undo run (apply only).
  if (apply !== null && writer !== null) {
    await fenceLease(writer, apply.fence, budget);
    undoRun = await requireRun(db, apply.undoRunId, 'undo run', budget);
    // The checkpoint in step 3 reads the undo run again and writes it.
    budget.patched(undoRun);
  }
  const target = await requireRun(db, args.targetRunId, 'migration run', budget);
  const naming = await readNaming(db, budget);
  const start = Math.max(decodeJournalPosition(args.cursor), decodeJournalPosition(target.journalStart));
  const defaultGroupText = args.defaultGroupId === null ? null : JSON.stringify(args.defaultGroupId);
  const result = {
    cursor: encodeJournalPosition(start),
    finished: true,
    batches: undoRun === null ? 0 : undoRun.batches + 1,
    entries: 0,
    reverted: 0,
    partial: 0,
    conflictCount: 0,
    conflicts: [] as { table: MigratedTable; recordId: string; fields: string[]; outcome: 'reverted' | 'partial' | 'conflict' | 'missing' }[],
    missing: 0,
    byTable: {} as Record<string, number>,
    defaultGroupReleased: 0,
  };
  let last = start;
  // Step 2: each entry, judged against the record as it is now by the shared rule.
  budget.range();
  const entries = db.query('undoJournal').withIndex('by_run_seq', (q) => q.eq('runId', args.targetRunId).gt('seq', start));
  // Each entry's worst case: the entry and its record read; applied, both read again and written by their patches.
  const stepReads = apply === null ? 2 : 4;
  const stepWrites = apply === null ? 0 : 2;
  for await (const entry of entries as AsyncIterable<JournalDoc>) {
    budget.read(entry);
    const table = entry.table as MigratedTable;
    const id = db.normalizeId(physicalTableOf(table, naming) as 'entities', entry.recordId);
    budget.range();
    const record = id === null ? null : ((await db.get(id)) as AnyDoc | null);
    budget.read(record);
    const fields: JournalField[] = [];
    if (entry.groupIdWritten !== undefined) fields.push({ name: 'groupId', before: entry.groupIdBefore ?? null, written: entry.groupIdWritten });
    if (entry.schemaVersionWritten !== undefined)
      fields.push({ name: 'schemaVersion', before: entry.schemaVersionBefore ?? null, written: entry.schemaVersionWritten });
    const current: Record<string, string> | null = record === null ? null : {};
    if (record !== null && current !== null)
      for (const field of fields) if (record[field.name] !== undefined) current[field.name] = uniformText(record[field.name]!);
    const { outcome, conflictFields, reverts } = classifyUndo(fields, current);
    if (outcome === 'reverted' || outcome === 'partial') {
      result.byTable[table] = (result.byTable[table] ?? 0) + 1;
      if (outcome === 'reverted') result.reverted++;
      else result.partial++;
      if (entry.groupIdWritten !== undefined && entry.groupIdWritten === defaultGroupText && !conflictFields.includes('groupId')) result.defaultGroupReleased++;
    }
    if (outcome === 'missing') result.missing++;
    if (outcome !== 'reverted') {
      result.conflictCount++;
      if (result.conflicts.length < args.conflictLimit) result.conflicts.push({ table, recordId: entry.recordId, fields: conflictFields, outcome });
    }
    if (writer !== null && apply !== null) {
      if (record !== null && reverts.length > 0) {
        const patch: Record<string, Value | undefined> = {};
        for (const revert of reverts) patch[revert.name] = revert.action === 'remove' ? undefined : fromUniformText(revert.value);
        budget.patched(record);
        await writer.patch(record._id as never, patch as never);
      }
      budget.patched(entry);
      await writer.patch(entry._id, {
        undoRunId: apply.undoRunId,
        undoOutcome: outcome,
        ...(conflictFields.length > 0 ? { undoConflicts: conflictFields } : {}),
      });
    }
    result.entries++;
    last = entry.seq;
    // Checked after each entry, so every batch makes progress (one entry's ≤ 4 MiB of reads and ≤ 2 MiB of writes
    // fit beside the fixed reads, lease and runs of a few KiB, naming ≤ 2 MiB); the next entry must still fit.
    if (result.entries >= args.limit || !budget.fits(1, stepReads, stepWrites)) {
      result.finished = false;
      break;
    }
  }
  result.cursor = encodeJournalPosition(last);
  // Step 3: the undo run's checkpoint and running totals, with the reverts.
  if (writer !== null && apply !== null && undoRun !== null) {
    const saved = (undoRun.result as { totals?: UndoTotals } | null | undefined)?.totals ?? emptyUndoTotals();
    const totals: UndoTotals = { ...saved, byTable: { ...saved.byTable } };
    totals.entries += result.entries;
    totals.reverted += result.reverted;
    totals.partial += result.partial;
    totals.conflictCount += result.conflictCount;
    totals.missing += result.missing;
    for (const [name, count] of Object.entries(result.byTable)) totals.byTable[name] = (totals.byTable[name] ?? 0) + count;
    const progress = { ...undoRun.progress, undo: { total: undoRun.progress.undo?.total ?? 0, done: totals.entries } };
    await writer.patch(undoRun._id, {
      phase: 'undo',
      cursor: result.cursor,
      progress,
      batches: result.batches,
      updatedAt: apply.fence.now,
      result: { totals },
    });
  }
  return result;
}

const undoArgs = {
  targetRunId: v.string(),
  cursor: v.union(v.string(), v.null()),
  limit: v.number(),
  conflictLimit: v.number(),
  defaultGroupId: v.union(v.string(), v.null()),
};
const undoResultValidator = v.object({
  cursor: v.union(v.string(), v.null()),
  finished: v.boolean(),
  batches: v.number(),
  entries: v.number(),
  reverted: v.number(),
  partial: v.number(),
  conflictCount: v.number(),
  conflicts: v.array(conflictValidator),
  missing: v.number(),
  byTable: v.record(v.string(), v.number()),
  defaultGroupReleased: v.number(),
});

/** The dry run of an undo batch: classifies the next journal entries, writes nothing. */
export const previewUndoBatch = internalQuery({
  args: undoArgs,
  returns: undoResultValidator,
  handler: async (ctx, args) => undoBatchIn(ctx.db, null, { ...args, apply: null }, MAX_UNDO_ENTRIES),
});

/** Reverts the next journal entries still holding what the run wrote, records each outcome and the checkpoint, fenced. */
export const undoBatch = internalMutation({
  args: { ...undoArgs, undoRunId: v.string(), fence: fenceValidator },
  returns: undoResultValidator,
  handler: async (ctx, args) => {
    const { undoRunId, fence: leaseFence, ...rest } = args;
    return undoBatchIn(ctx.db, ctx.db, { ...rest, apply: { undoRunId, fence: leaseFence } }, MAX_UNDO_ENTRIES);
  },
});
