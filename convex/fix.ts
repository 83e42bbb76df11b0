/**
 * `fix orphans` on a Convex deployment, for the `FixStore` port (`src/store/convex/fix-store.ts` calls these):
 * pages of orphaned records (read only), batches that move orphaned connections to `archivedConnections` and
 * unlink dead knowledge sources with their fix journal and the run's checkpoint in ONE mutation fenced by the
 * lease, and the exact undo's batches. Internal functions only.
 *
 * Which records are orphaned, what the archive document holds and what an unlinked knowledge record looks like
 * are the pure rules of `src/fix/rules.ts`, shared with the SQLite adapter. Each page size and its arithmetic
 * against half of Convex's limits is next to it; every loop also keeps a `ReadBudget` and stops before the next
 * record could cross it, so large documents shorten a page instead of failing it.
 *
 * Convex gives an inserted document a new id, so a connection the undo moves back keeps its fields but not its
 * `_id` and `_creationTime`; the journal entry records the id it came back with.
 */
import { ConvexError, getDocumentSize, v, type Value } from 'convex/values';
import { internalMutation, internalQuery } from './_generated/server.js';
import type { Doc, Id } from './_generated/dataModel.js';
import { groupIdOf } from '../src/ontology/naming.js';
import { archiveFields, missingReferences, referencedIds, unlinkedKnowledge } from '../src/fix/rules.js';
import type { OrphanRecord, OrphanTable } from '../src/fix/port.js';
import type { ConvexValue } from '../src/ontology/values.js';
import { ReadBudget } from './lib/budget.js';
import { physicalTableOf, readNaming } from './lib/tables.js';
import { decodeJournalPosition, decodeRecordPosition, encodeJournalPosition, encodeRecordPosition, RecordWalk, recordsFrom, WRITE_STEP_LIMITS } from './migrationBounds.js';
import { fenceLease, fenceValidator, requireRun, type AnyDoc, type Reader, type Writer } from './migrationShared.js';
import { orphanTableValidator } from './validators.js';

/**
 * Records a fix batch changes at most. Index ranges: lease 1 + run 1 + naming 3 + journal head 1 + the table's
 * range 1 + up to two entity `db.get`s per record = 7 + 2 × 1,000 = 2,007 ≤ 2,048. Documents written: the archive
 * document, the delete (or the replace) and the journal entry per record + the run + the lease = 3,002 ≤ 8,000.
 */
export const MAX_FIX_RECORDS = 1_000;
/** Records a batch or a plan page looks at: 8,000 + 2,000 entities + 1,000 re-reads + 7 ≤ 16,000 documents. */
export const MAX_FIX_SCAN = 8_000;
/** Records a plan page judges: 1 + 3 + two entity reads per record = 2,004 ≤ 2,048 index ranges. */
export const ORPHAN_PAGE_RECORDS = 1_000;
/**
 * Journal entries an undo batch reverts: one `db.get` each (the record or the archive document) + 5 fixed ≤ 2,048
 * index ranges; writes: the record, the archive delete and the entry's outcome = 3 × 1,000 + 2 ≤ 8,000.
 */
export const MAX_FIX_UNDO_ENTRIES = 1_000;
/** Archive documents per listing page (`paginate`, one index range): 4,000 ≤ 16,000, bytes bounded by the read. */
const ARCHIVE_PAGE_DOCUMENTS = 4_000;

type JournalDoc = Doc<'fixJournal'>;

/** Looks entities up once per call, counted in the budget: true when an entity with the id exists. */
class EntityExistence {
  private readonly known = new Map<string, boolean>();

  constructor(
    private readonly db: Reader,
    private readonly entities: string,
    private readonly budget: ReadBudget,
  ) {}

  /** `db.get`s the next `ids` would take. */
  reads(ids: string[]): number {
    return ids.filter((id) => !this.known.has(id) && this.db.normalizeId(this.entities as 'entities', id) !== null).length;
  }

  async load(ids: string[]): Promise<void> {
    for (const id of ids) {
      if (this.known.has(id)) continue;
      const normalized = this.db.normalizeId(this.entities as 'entities', id);
      let found = false;
      if (normalized !== null) {
        this.budget.range();
        const entity = await this.db.get(normalized);
        this.budget.read(entity);
        found = entity !== null;
      }
      this.known.set(id, found);
    }
  }

  exists = (id: string): boolean => this.known.get(id) === true;
}

/** The fields of a document without the system fields. */
function fieldsOf(doc: AnyDoc): Record<string, Value> {
  const { _id, _creationTime, ...fields } = doc;
  return fields;
}

/** Walks the orphaned records of a table from a cursor within a budget; `visit` acts on each orphan and may stop the walk. */
async function walkOrphans(
  db: Reader,
  budget: ReadBudget,
  args: { table: OrphanTable; groupId: string | null; cursor: string | null },
  bounds: { maxOrphans: number; maxScan: number; perOrphan: { reads: number; writes: number } },
  visit: (doc: AnyDoc, missingIds: string[]) => Promise<void>,
): Promise<{ cursor: string | null; finished: boolean; orphans: number }> {
  const naming = await readNaming(db, budget);
  const entities = new EntityExistence(db, physicalTableOf('entities', naming), budget);
  const walk = new RecordWalk(decodeRecordPosition(args.cursor));
  budget.range();
  const records = recordsFrom(db, physicalTableOf(args.table, naming), walk.position)[Symbol.asyncIterator]() as AsyncIterator<AnyDoc>;
  let looked = 0;
  let orphans = 0;
  let finished = true;
  for (;;) {
    if (!budget.fits(0, 1)) {
      finished = false;
      break;
    }
    const next = await records.next();
    if (next.done) break;
    const doc = next.value;
    budget.read(doc);
    if (walk.alreadySeen(doc._creationTime)) continue;
    if (args.groupId === null || groupIdOf(doc) === args.groupId) {
      const ids = referencedIds(args.table, doc);
      const lookups = entities.reads(ids);
      // The first record is always handled (its few reads fit beside the fixed ones), so every call progresses.
      if (looked > 0 && !budget.fits(lookups, lookups + bounds.perOrphan.reads, bounds.perOrphan.writes)) {
        finished = false;
        break;
      }
      await entities.load(ids);
      const missingIds = missingReferences(args.table, doc, entities.exists);
      if (missingIds !== null) {
        await visit(doc, missingIds);
        orphans++;
      }
    }
    walk.lookedAt(doc._creationTime);
    looked++;
    if (orphans >= bounds.maxOrphans || looked >= bounds.maxScan) {
      finished = false;
      break;
    }
  }
  return { cursor: encodeRecordPosition(walk.position) ?? args.cursor, finished, orphans };
}

const orphanRecordValidator = v.object({ table: orphanTableValidator, recordId: v.string(), groupId: v.union(v.string(), v.null()), missingIds: v.array(v.string()) });

/** Orphaned records of a table (of one group's records, or all) over one bounded page after `cursor`. */
export const orphanPage = internalQuery({
  args: { table: orphanTableValidator, groupId: v.union(v.string(), v.null()), cursor: v.union(v.string(), v.null()) },
  returns: v.object({ records: v.array(orphanRecordValidator), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    const budget = new ReadBudget();
    const records: OrphanRecord[] = [];
    const walked = await walkOrphans(ctx.db, budget, args, { maxOrphans: ORPHAN_PAGE_RECORDS, maxScan: MAX_FIX_SCAN, perOrphan: { reads: 0, writes: 0 } }, async (doc, missingIds) => {
      records.push({ table: args.table, recordId: doc._id, groupId: groupIdOf(doc), missingIds });
    });
    return { records, continueCursor: walked.finished ? null : walked.cursor };
  },
});

/** Archive documents over one page (their count and the connection ids they hold). */
export const archivePage = internalQuery({
  args: { cursor: v.union(v.string(), v.null()) },
  returns: v.object({ count: v.number(), connectionIds: v.array(v.string()), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    const page = await ctx.db
      .query('archivedConnections')
      .paginate({ numItems: ARCHIVE_PAGE_DOCUMENTS, cursor: args.cursor, maximumRowsRead: ARCHIVE_PAGE_DOCUMENTS, maximumBytesRead: 4 * 1024 * 1024 });
    return { count: page.page.length, connectionIds: page.page.map((doc) => doc.connectionId), continueCursor: page.isDone ? null : page.continueCursor };
  },
});

/** The highest fix journal `seq` so far (one index range). */
async function fixJournalHead(db: Reader, budget: ReadBudget): Promise<number> {
  budget.range();
  const last = await db.query('fixJournal').withIndex('by_seq').order('desc').first();
  budget.read(last);
  return last?.seq ?? 0;
}

/** Moves the next orphaned connections to the archive or unlinks the next dead knowledge sources, with journal and checkpoint, fenced. */
export const applyOrphanBatch = internalMutation({
  args: {
    runId: v.string(),
    table: orphanTableValidator,
    groupId: v.union(v.string(), v.null()),
    cursor: v.union(v.string(), v.null()),
    limit: v.number(),
    fence: fenceValidator,
  },
  returns: v.object({ changed: v.number(), cursor: v.union(v.string(), v.null()), finished: v.boolean(), batches: v.number() }),
  handler: async (ctx, args) => {
    if (!Number.isSafeInteger(args.limit) || args.limit < 1 || args.limit > MAX_FIX_RECORDS) {
      throw new ConvexError({ code: 'InvalidArgument', message: `batch size must be a whole number from 1 to ${MAX_FIX_RECORDS}, got ${args.limit}` });
    }
    const db: Writer = ctx.db;
    const budget = new ReadBudget(WRITE_STEP_LIMITS);
    // Step 1: the lease (checked and extended here), the run and the journal's head.
    await fenceLease(db, args.fence, budget);
    const run = await requireRun(db, args.runId, 'fix run', budget);
    budget.patched(run);
    let seq = await fixJournalHead(db, budget);
    // Step 2: each orphan after the cursor, fixed and journalled (a connection: archive insert, delete, entry).
    const perOrphan = args.table === 'connections' ? { reads: 1, writes: 3 } : { reads: 1, writes: 2 };
    const walked = await walkOrphans(db, budget, args, { maxOrphans: args.limit, maxScan: MAX_FIX_SCAN, perOrphan }, async (doc, missingIds) => {
      const entry: Record<string, Value> = { seq: ++seq, runId: args.runId, table: args.table, recordId: doc._id, creationTime: doc._creationTime, before: fieldsOf(doc) };
      if (args.table === 'connections') {
        const archive = archiveFields(doc as Record<string, ConvexValue>, missingIds, args.runId, args.fence.now);
        budget.wrote(getDocumentSize(archive as Record<string, Value>));
        entry.archiveId = await db.insert('archivedConnections', archive as never);
        budget.reread(doc);
        await db.delete(doc._id as Id<'connections'>);
      } else {
        budget.patched(doc);
        await db.replace(doc._id as Id<'knowledge'>, unlinkedKnowledge(fieldsOf(doc) as Record<string, ConvexValue>) as never);
      }
      budget.wrote(getDocumentSize(entry));
      await db.insert('fixJournal', entry as never);
    });
    // Step 3: the checkpoint with the changes.
    const progress = { ...run.progress };
    const done = progress[args.table] ?? { total: 0, done: 0 };
    progress[args.table] = { total: done.total, done: done.done + walked.orphans };
    const batches = run.batches + 1;
    await db.patch(run._id, { phase: args.table, cursor: walked.cursor, progress, batches, updatedAt: args.fence.now });
    return { changed: walked.orphans, cursor: walked.cursor, finished: walked.finished, batches };
  },
});

/** A knowledge document as it was, with what changed since the fix kept (fields in their original order). */
function knowledgeAsBefore(before: Record<string, Value>, current: AnyDoc): Record<string, Value> {
  const now = fieldsOf(current);
  const out: Record<string, Value> = {};
  for (const key of Object.keys(before)) {
    if (key === 'sourceThingId') out[key] = before[key]!;
    else if (key in now) out[key] = now[key]!;
  }
  for (const key of Object.keys(now)) if (!(key in out)) out[key] = now[key]!;
  return out;
}

/** Reverts the next journal entries of a fix run where the record still holds what the fix wrote, with the undo's checkpoint, fenced. */
export const undoFixBatch = internalMutation({
  args: { targetRunId: v.string(), undoRunId: v.string(), cursor: v.union(v.string(), v.null()), limit: v.number(), fence: fenceValidator },
  returns: v.object({
    cursor: v.union(v.string(), v.null()),
    finished: v.boolean(),
    batches: v.number(),
    entries: v.number(),
    reverted: v.number(),
    conflicts: v.array(v.object({ table: orphanTableValidator, recordId: v.string() })),
    byTable: v.record(v.string(), v.number()),
  }),
  handler: async (ctx, args) => {
    if (!Number.isSafeInteger(args.limit) || args.limit < 1 || args.limit > MAX_FIX_UNDO_ENTRIES) {
      throw new ConvexError({ code: 'InvalidArgument', message: `undo batch size must be a whole number from 1 to ${MAX_FIX_UNDO_ENTRIES}, got ${args.limit}` });
    }
    const db: Writer = ctx.db;
    const budget = new ReadBudget(WRITE_STEP_LIMITS);
    // Step 1: the lease and the undo run.
    await fenceLease(db, args.fence, budget);
    const undo = await requireRun(db, args.undoRunId, 'undo run', budget);
    budget.patched(undo);
    const start = decodeJournalPosition(args.cursor);
    const result = { cursor: args.cursor, finished: true, batches: undo.batches + 1, entries: 0, reverted: 0, conflicts: [] as { table: OrphanTable; recordId: string }[], byTable: {} as Record<string, number> };
    // Step 2: each entry, judged against the record (or the archive document) as it is now.
    budget.range();
    const entries = db.query('fixJournal').withIndex('by_run_seq', (q) => q.eq('runId', args.targetRunId).gt('seq', start));
    let last = start;
    for await (const entry of entries as AsyncIterable<JournalDoc>) {
      budget.read(entry);
      let reverted = false;
      let restoredId: string | undefined;
      if (entry.table === 'connections') {
        const archiveId = entry.archiveId === undefined ? null : db.normalizeId('archivedConnections', entry.archiveId);
        budget.range();
        const archived = archiveId === null ? null : await db.get(archiveId);
        budget.read(archived);
        if (archived !== null) {
          budget.wrote(getDocumentSize(entry.before as Record<string, Value>));
          restoredId = await db.insert('connections', entry.before as never);
          budget.reread(archived);
          await db.delete(archived._id);
          reverted = true;
        }
      } else {
        const id = db.normalizeId('knowledge', entry.recordId);
        budget.range();
        const record = id === null ? null : ((await db.get(id)) as AnyDoc | null);
        budget.read(record);
        // What the fix wrote is a record without `sourceThingId`: one that has one again changed since.
        if (record !== null && record.sourceThingId === undefined) {
          budget.patched(record);
          await db.replace(record._id as Id<'knowledge'>, knowledgeAsBefore(entry.before as Record<string, Value>, record) as never);
          reverted = true;
        }
      }
      if (reverted) {
        result.reverted++;
        result.byTable[entry.table] = (result.byTable[entry.table] ?? 0) + 1;
      } else result.conflicts.push({ table: entry.table, recordId: entry.recordId });
      budget.patched(entry);
      await db.patch(entry._id, { undoRunId: args.undoRunId, undoOutcome: reverted ? 'reverted' : 'conflict', ...(restoredId ? { restoredId } : {}) });
      result.entries++;
      last = entry.seq;
      // Checked after each entry, so every batch progresses; the next entry (≤ 3 documents read, 3 written) must fit.
      if (result.entries >= args.limit || !budget.fits(1, 3, 3)) {
        result.finished = false;
        break;
      }
    }
    result.cursor = encodeJournalPosition(last) ?? args.cursor;
    // Step 3: the undo run's checkpoint and running totals, with the reverts.
    const saved = (undo.result as { totals?: { entries: number; reverted: number; conflictCount: number; byTable: Record<string, number> } } | null | undefined)?.totals ?? {
      entries: 0,
      reverted: 0,
      conflictCount: 0,
      byTable: {},
    };
    const byTable = { ...saved.byTable };
    for (const [table, count] of Object.entries(result.byTable)) byTable[table] = (byTable[table] ?? 0) + count;
    const totals = { entries: saved.entries + result.entries, reverted: saved.reverted + result.reverted, conflictCount: saved.conflictCount + result.conflicts.length, byTable };
    await db.patch(undo._id, {
      phase: 'undo',
      cursor: result.cursor,
      batches: result.batches,
      progress: { undo: { total: undo.progress.undo?.total ?? 0, done: totals.entries } },
      updatedAt: args.fence.now,
      result: { totals },
    });
    return result;
  },
});

/** Marks a fix run rolled back and its undo completed, fenced. */
export const finishFixUndo = internalMutation({
  args: { undoRunId: v.string(), targetRunId: v.string(), fence: fenceValidator, finishedAt: v.number(), result: v.any() },
  returns: v.null(),
  handler: async (ctx, args) => {
    await fenceLease(ctx.db, args.fence);
    const target = await requireRun(ctx.db, args.targetRunId, 'fix run');
    const undo = await requireRun(ctx.db, args.undoRunId, 'undo run');
    await ctx.db.patch(target._id, { state: 'rolled_back', updatedAt: args.finishedAt });
    await ctx.db.patch(undo._id, { state: 'completed', finishedAt: args.finishedAt, updatedAt: args.finishedAt, result: args.result });
    return null;
  },
});
