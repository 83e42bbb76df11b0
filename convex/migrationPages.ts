/**
 * The migration's read-only pages for the `MigrationStore` port: pending counts, plan pages, the cross-group
 * references a run created, whether a run still holds what it wrote, references to a group, and the conflicts
 * an undo recorded. Each is one bounded query (page sizes and their arithmetic in `migrationBounds.ts`); the
 * adapter pages until done. Internal functions only.
 */
import { ConvexError, v } from 'convex/values';
import { internalQuery } from './_generated/server.js';
import { groupIdOf } from '../src/ontology/naming.js';
import { isV1SchemaVersion } from '../src/quality/rules.js';
import { assignGroupId, becomesCrossGroup, crossGroupOtherSide, ENDPOINT_SOURCES, MIGRATION_EVENT_TYPES } from '../src/migration/rules.js';
import type { AssignmentCounts, MigratedTable } from '../src/migration/port.js';
import { HALF_LIMITS, ReadBudget } from './lib/budget.js';
import { physicalTableOf, readNaming } from './lib/tables.js';
import {
  COUNT_PAGE_BYTES,
  COUNT_PAGE_DOCUMENTS,
  COUNT_PAGE_RECORDS,
  CROSS_GROUP_PAGE_RECORDS,
  decodeJournalPosition,
  decodeRecordPosition,
  encodeRecordPosition,
  laterPosition,
  MAX_RUNS_PER_CALL,
  MAX_UNDO_ENTRIES,
  PLAN_PAGE_RECORDS,
  RecordWalk,
  recordsFrom,
  uniformText,
} from './migrationBounds.js';

import {
  type AnyDoc,
  assignmentsValidator,
  conflictValidator,
  EntityGroups,
  endpointsOf,
  GROUP_TO_CREATE,
  migratedTableValidator,
  requireRun,
  runRow,
} from './migrationShared.js';

// ---- counts and plan pages ----------------------------------------------------------------------------------

function isPendingRecord(table: MigratedTable, doc: Record<string, unknown>): { missingGroupId: boolean; schemaVersion: boolean } {
  const missingGroupId = groupIdOf(doc) === null;
  const schemaVersion = table === 'entities' && !isV1SchemaVersion(doc.schemaVersion);
  return { missingGroupId, schemaVersion };
}

/** Pending records of one page of a table after a batch cursor (see `COUNT_PAGE_RECORDS`). */
export const countPendingPage = internalQuery({
  args: { table: migratedTableValidator, after: v.union(v.string(), v.null()), page: v.union(v.string(), v.null()) },
  returns: v.object({ records: v.number(), missingGroupId: v.number(), schemaVersion: v.number(), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    const start = laterPosition(decodeRecordPosition(args.after), decodeRecordPosition(args.page, 'page cursor'));
    const physical = physicalTableOf(args.table, await readNaming(ctx.db));
    const budget = new ReadBudget(HALF_LIMITS);
    budget.reserve(3, 3);
    budget.range();
    const walk = new RecordWalk(start);
    const counts = { records: 0, missingGroupId: 0, schemaVersion: 0 };
    let looked = 0;
    let finished = true;
    for await (const doc of recordsFrom(ctx.db, physical, start)) {
      budget.read(doc);
      if (walk.alreadySeen(doc._creationTime)) continue;
      const pending = isPendingRecord(args.table, doc);
      if (pending.missingGroupId || pending.schemaVersion) counts.records++;
      if (args.table === 'entities') {
        if (pending.missingGroupId) counts.missingGroupId++;
        if (pending.schemaVersion) counts.schemaVersion++;
      }
      walk.lookedAt(doc._creationTime);
      if (++looked >= COUNT_PAGE_RECORDS || !budget.fits(0, 1)) {
        finished = false;
        break;
      }
    }
    return { ...counts, continueCursor: finished ? null : encodeRecordPosition(walk.position) };
  },
});

/** What a run would do to one page of connections, events or knowledge (see `PLAN_PAGE_RECORDS`). */
export const planPage = internalQuery({
  args: {
    table: v.union(v.literal('connections'), v.literal('events'), v.literal('knowledge')),
    page: v.union(v.string(), v.null()),
    defaultGroupId: v.union(v.string(), v.null()),
  },
  returns: v.object({
    assignments: assignmentsValidator,
    crossGroupCreated: v.number(),
    // One row per group on the page: at most PLAN_PAGE_RECORDS rows of two small fields.
    crossGroupByGroup: v.array(v.object({ groupId: v.string(), count: v.number() })),
    continueCursor: v.union(v.string(), v.null()),
  }),
  handler: async (ctx, args) => {
    const table = args.table;
    const start = decodeRecordPosition(args.page, 'page cursor');
    const budget = new ReadBudget(HALF_LIMITS);
    const naming = await readNaming(ctx.db, budget);
    budget.range();
    const groups = new EntityGroups(ctx.db, physicalTableOf('entities', naming), budget);
    const fallback = args.defaultGroupId ?? GROUP_TO_CREATE;
    const [firstSource, secondSource] = ENDPOINT_SOURCES[table];
    const assignments: AssignmentCounts = { [firstSource]: 0, [secondSource]: 0, legacyDefault: 0 };
    let crossGroupCreated = 0;
    const byGroup = new Map<string, number>();
    const walk = new RecordWalk(start);
    let looked = 0;
    let finished = true;
    const records = recordsFrom(ctx.db, physicalTableOf(table, naming), start)[Symbol.asyncIterator]() as AsyncIterator<AnyDoc>;
    for (;;) {
      // The next record must fit before it is read, and its endpoints not yet read in this page before it is judged.
      if (!budget.fits(0, 1)) {
        finished = false;
        break;
      }
      const next = await records.next();
      if (next.done) break;
      const doc = next.value;
      budget.read(doc);
      if (walk.alreadySeen(doc._creationTime)) continue;
      const [firstId, secondId] = endpointsOf(table, doc);
      const unread = (groups.needsRead(firstId) ? 1 : 0) + (groups.needsRead(secondId) ? 1 : 0);
      if (looked > 0 && !budget.fits(unread, unread)) {
        finished = false;
        break;
      }
      const firstGroup = await groups.groupOf(firstId);
      const secondGroup = await groups.groupOf(secondId);
      const first = { exists: firstGroup !== undefined, groupId: firstGroup ?? null };
      const second = { exists: secondGroup !== undefined, groupId: secondGroup ?? null };
      if (groupIdOf(doc) === null) {
        const { source } = assignGroupId(
          table,
          first.exists ? (first.groupId ?? fallback) : undefined,
          second.exists ? (second.groupId ?? fallback) : undefined,
          fallback,
        );
        assignments[source] = (assignments[source] ?? 0) + 1;
      }
      if (table !== 'knowledge' && becomesCrossGroup(first, second, fallback)) {
        crossGroupCreated++;
        const other = crossGroupOtherSide(first, second);
        byGroup.set(other, (byGroup.get(other) ?? 0) + 1);
      }
      walk.lookedAt(doc._creationTime);
      if (++looked >= PLAN_PAGE_RECORDS) {
        finished = false;
        break;
      }
    }
    return {
      assignments: assignments as Record<string, number>,
      crossGroupCreated,
      crossGroupByGroup: [...byGroup].map(([groupId, count]) => ({ groupId, count })),
      continueCursor: finished ? null : encodeRecordPosition(walk.position),
    };
  },
});

/**
 * Cross-group references in one page of connections or events that involve an entity whose groupId the run
 * wrote (see `CROSS_GROUP_PAGE_RECORDS`). The run gives an entity only its legacy-default group, so only an
 * endpoint now in that group can be one the run wrote: when the run created the group, every such endpoint
 * is; otherwise the run's journal is asked (one index range per entity), as the SQLite adapter does for all.
 */
export const crossGroupPage = internalQuery({
  args: { runId: v.string(), table: v.union(v.literal('connections'), v.literal('events')), cursor: v.union(v.string(), v.null()) },
  returns: v.object({ count: v.number(), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    const start = decodeRecordPosition(args.cursor);
    const budget = new ReadBudget(HALF_LIMITS);
    const run = await requireRun(ctx.db, args.runId, 'migration run', budget);
    const defaultGroupId = run.defaultGroupId;
    if (defaultGroupId === null) return { count: 0, continueCursor: null };
    const naming = await readNaming(ctx.db, budget);
    budget.range();
    const groups = new EntityGroups(ctx.db, physicalTableOf('entities', naming), budget);
    const written = new Map<string, boolean>();
    const wroteGroupOf = async (entityId: string, groupId: string): Promise<boolean> => {
      if (groupId !== defaultGroupId) return false;
      if (run.defaultGroupCreated) return true;
      const known = written.get(entityId);
      if (known !== undefined) return known;
      budget.range();
      const entries = await ctx.db
        .query('undoJournal')
        .withIndex('by_run_record', (q) => q.eq('runId', args.runId).eq('recordId', entityId))
        .take(2);
      for (const entry of entries) budget.read(entry);
      const wrote = entries.some((entry) => entry.table === 'entities' && entry.groupIdWritten !== undefined);
      written.set(entityId, wrote);
      return wrote;
    };
    let count = 0;
    const walk = new RecordWalk(start);
    let looked = 0;
    let finished = true;
    const records = recordsFrom(ctx.db, physicalTableOf(args.table, naming), start)[Symbol.asyncIterator]() as AsyncIterator<AnyDoc>;
    for (;;) {
      // As in `planPage`; the journal look-ups are index ranges of entries < 1 KiB (two documents each).
      if (!budget.fits(0, 1)) {
        finished = false;
        break;
      }
      const next = await records.next();
      if (next.done) break;
      const doc = next.value;
      budget.read(doc);
      if (walk.alreadySeen(doc._creationTime)) continue;
      const [firstId, secondId] = endpointsOf(args.table, doc);
      const unread = (groups.needsRead(firstId) ? 1 : 0) + (groups.needsRead(secondId) ? 1 : 0);
      if (looked > 0 && !budget.fits(unread + 2, unread)) {
        finished = false;
        break;
      }
      if (firstId !== null && secondId !== null) {
        const first = await groups.groupOf(firstId);
        const second = await groups.groupOf(secondId);
        if (
          typeof first === 'string' &&
          typeof second === 'string' &&
          first !== second &&
          ((await wroteGroupOf(firstId, first)) || (await wroteGroupOf(secondId, second)))
        )
          count++;
      }
      walk.lookedAt(doc._creationTime);
      if (++looked >= CROSS_GROUP_PAGE_RECORDS) {
        finished = false;
        break;
      }
    }
    return { count, continueCursor: finished ? null : encodeRecordPosition(walk.position) };
  },
});

/** Whether a record in one page of the run's journal still holds a value the run wrote (see `MAX_UNDO_ENTRIES`). */
export const holdsWrittenPage = internalQuery({
  args: { runId: v.string(), cursor: v.union(v.string(), v.null()) },
  returns: v.object({ holds: v.boolean(), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    const run = await runRow(ctx.db, args.runId);
    if (run === null) return { holds: false, continueCursor: null };
    const start = Math.max(decodeJournalPosition(args.cursor), decodeJournalPosition(run.journalStart));
    const naming = await readNaming(ctx.db);
    const budget = new ReadBudget(HALF_LIMITS);
    budget.reserve(5, 5);
    budget.range();
    let last = start;
    let entries = 0;
    for await (const entry of ctx.db.query('undoJournal').withIndex('by_run_seq', (q) => q.eq('runId', args.runId).gt('seq', start))) {
      budget.read(entry);
      const id = ctx.db.normalizeId(physicalTableOf(entry.table as MigratedTable, naming) as 'entities', entry.recordId);
      budget.range();
      const record = id === null ? null : await ctx.db.get(id);
      budget.read(record);
      if (record !== null) {
        if (entry.groupIdWritten !== undefined && record.groupId !== undefined && uniformText(record.groupId) === entry.groupIdWritten)
          return { holds: true, continueCursor: null };
        if (entry.table === 'entities' && entry.schemaVersionWritten !== undefined && Number(record.schemaVersion) === 1)
          return { holds: true, continueCursor: null };
      }
      last = entry.seq;
      if (++entries >= MAX_UNDO_ENTRIES || !budget.fits(2, 2)) return { holds: false, continueCursor: String(last) };
    }
    return { holds: false, continueCursor: null };
  },
});

const REFERENCE_SOURCES = ['entities', 'connections', 'knowledge', 'events', 'groups'] as const;

/**
 * Records referencing a group, one source (entities, connections, knowledge, events — the migration's own
 * events excepted — and child groups) per page: one `paginate` of at most `COUNT_PAGE_DOCUMENTS`.
 */
export const groupReferencesPage = internalQuery({
  args: { groupId: v.string(), cursor: v.union(v.string(), v.null()) },
  returns: v.object({ count: v.number(), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    let source = 0;
    let inner: string | null = null;
    if (args.cursor !== null) {
      const match = /^(\d):(.*)$/s.exec(args.cursor);
      if (!match || Number(match[1]) >= REFERENCE_SOURCES.length)
        throw new ConvexError({ code: 'InvalidArgument', message: `reference cursor "${args.cursor}" was not handed out by this deployment` });
      source = Number(match[1]);
      inner = match[2] === '' ? null : match[2]!;
    }
    const name = REFERENCE_SOURCES[source]!;
    const groupId = args.groupId;
    const query =
      name === 'groups'
        ? ctx.db.query('groups').withIndex('by_parent', (q) => q.eq('parentGroupId', groupId))
        : ctx.db.query(physicalTableOf(name, await readNaming(ctx.db)) as 'entities').withIndex('by_group', (q) => q.eq('groupId', groupId));
    const page = await query.paginate({
      cursor: inner,
      numItems: COUNT_PAGE_DOCUMENTS,
      maximumRowsRead: COUNT_PAGE_DOCUMENTS,
      maximumBytesRead: COUNT_PAGE_BYTES,
    });
    const migrationTypes: readonly string[] = MIGRATION_EVENT_TYPES;
    const count = name === 'events' ? page.page.filter((event) => !migrationTypes.includes(String((event as AnyDoc).type ?? ''))).length : page.page.length;
    const next = !page.isDone ? `${source}:${page.continueCursor}` : source + 1 < REFERENCE_SOURCES.length ? `${source + 1}:` : null;
    return { count, continueCursor: next };
  },
});

/** Conflicts an undo recorded with one outcome: a count page, and its first `limit` entries (≤ 1,000). */
export const recordedConflictsPage = internalQuery({
  args: {
    undoRunId: v.string(),
    outcome: v.union(v.literal('partial'), v.literal('conflict'), v.literal('missing')),
    cursor: v.union(v.string(), v.null()),
    limit: v.number(),
  },
  returns: v.object({
    count: v.number(),
    conflicts: v.array(v.object({ seq: v.number(), conflict: conflictValidator })),
    continueCursor: v.union(v.string(), v.null()),
  }),
  handler: async (ctx, args) => {
    const page = await ctx.db
      .query('undoJournal')
      .withIndex('by_undo_outcome', (q) => q.eq('undoRunId', args.undoRunId).eq('undoOutcome', args.outcome))
      .paginate({ cursor: args.cursor, numItems: COUNT_PAGE_DOCUMENTS, maximumRowsRead: COUNT_PAGE_DOCUMENTS, maximumBytesRead: COUNT_PAGE_BYTES });
    const conflicts = page.page.slice(0, Math.max(0, Math.min(args.limit, MAX_RUNS_PER_CALL))).map((entry) => ({
      seq: entry.seq,
      conflict: { table: entry.table as MigratedTable, recordId: entry.recordId, fields: entry.undoConflicts ?? [], outcome: args.outcome },
    }));
    return { count: page.page.length, conflicts, continueCursor: page.isDone ? null : page.continueCursor };
  },
});
