/**
 * The v1 migration's store side in Convex, for the `MigrationStore` port (`src/store/convex/migration-store.ts`
 * calls these): the run registry, pending counts and plan pages, batches that patch records, write their undo
 * journal and the run's checkpoint in ONE mutation fenced by the lease (checked and extended in that same
 * mutation), the exact undo, and the steps that begin and finish runs. Internal functions only.
 *
 * The rules — which groupId a record gets, what makes a reference cross-group, how an undo entry turns out —
 * are the pure modules the SQLite adapter uses (`src/migration/rules.ts`), imported. Every page size and its
 * arithmetic against half of Convex's limits is in `migrationBounds.ts`; each loop also keeps a `ReadBudget`
 * and stops before the next record could cross it, so large documents shorten a page instead of failing it.
 */
import { ConvexError, v, type Value } from 'convex/values';
import type { GenericDatabaseReader, GenericDatabaseWriter } from 'convex/server';
import { internalMutation, internalQuery } from './_generated/server.js';
import type { DataModel, Doc } from './_generated/dataModel.js';
import { connectionEndpoints, groupIdOf } from '../src/ontology/naming.ts';
import { eventReferences, knowledgeSource } from '../src/quality/record-rules.ts';
import { isV1SchemaVersion } from '../src/quality/rules.ts';
import { assignGroupId, becomesCrossGroup, classifyUndo, ENDPOINT_SOURCES, MIGRATION_EVENT_TYPES, type JournalField } from '../src/migration/rules.ts';
import type { AssignmentCounts, MigratedTable, MigrateTotals, UndoTotals } from '../src/migration/port.ts';
import { HALF_LIMITS, ReadBudget, type ReadLimits } from './lib/budget.ts';
import { physicalTableOf, readNaming, V1_COMPLETED_KEY } from './lib/tables.ts';
import {
  changeSetting,
  COUNT_PAGE_BYTES,
  COUNT_PAGE_DOCUMENTS,
  COUNT_PAGE_RECORDS,
  CROSS_GROUP_PAGE_RECORDS,
  decodeJournalPosition,
  decodeRecordPosition,
  encodeJournalPosition,
  encodeRecordPosition,
  fromUniformText,
  journalHead,
  laterPosition,
  MAX_BATCH_RECORDS,
  MAX_BATCH_SCAN,
  MAX_RUNS_PER_CALL,
  MAX_UNDO_ENTRIES,
  PLAN_PAGE_RECORDS,
  RecordWalk,
  recordsFrom,
  uniformText,
  WRITE_STEP_LIMITS,
} from './migrationBounds.ts';
import { migrationRunFields, runKindValidator, runStateValidator } from './validators.ts';

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;
type RunDoc = Doc<'migrationRuns'>;
type JournalDoc = Doc<'undoJournal'>;
type AnyDoc = Record<string, Value> & { _id: string; _creationTime: number };

const SCHEMA_VERSION_ONE = 1;
const SCHEMA_VERSION_ONE_TEXT = uniformText(SCHEMA_VERSION_ONE);
/** Placeholder for a legacy-default group a run would create: equal to no real id. */
const GROUP_TO_CREATE = '\u0000legacy-default';

// ---- validators ---------------------------------------------------------------------------------------------

const migratedTableValidator = v.union(v.literal('entities'), v.literal('connections'), v.literal('events'), v.literal('knowledge'));
const fenceValidator = v.object({ name: v.string(), holder: v.string(), ttlMs: v.number(), now: v.number() });
const markerValidator = v.union(v.object({ set: v.string() }), v.literal('clear'), v.literal('keep'));
const auditEventValidator = v.object({ type: v.string(), groupId: v.union(v.string(), v.null()), timestamp: v.number(), metadata: v.any() });
const progressValidator = migrationRunFields.progress;
const assignmentsValidator = v.record(v.string(), v.number());
/** A run as the port returns it (`RunRecord`). */
const runRecordValidator = v.object({
  id: v.string(),
  kind: runKindValidator,
  state: runStateValidator,
  actor: v.string(),
  holder: v.string(),
  targetRunId: v.union(v.string(), v.null()),
  startedAt: v.number(),
  updatedAt: v.number(),
  finishedAt: v.union(v.number(), v.null()),
  batchSize: v.number(),
  backupFile: v.union(v.string(), v.null()),
  defaultGroupId: v.union(v.string(), v.null()),
  defaultGroupCreated: v.boolean(),
  journalStart: v.union(v.string(), v.null()),
  phase: v.union(v.string(), v.null()),
  cursor: v.union(v.string(), v.null()),
  batches: v.number(),
  progress: progressValidator,
  plan: v.any(),
  result: v.any(),
  error: v.union(v.string(), v.null()),
});
/** The changeable fields of a run (`RunUpdate`); `plan`/`result` may be null. */
const runUpdateValidator = v.object({
  state: v.optional(runStateValidator),
  holder: v.optional(v.string()),
  backupFile: v.optional(v.union(v.string(), v.null())),
  defaultGroupId: v.optional(v.union(v.string(), v.null())),
  defaultGroupCreated: v.optional(v.boolean()),
  phase: v.optional(v.union(v.string(), v.null())),
  cursor: v.optional(v.union(v.string(), v.null())),
  batches: v.optional(v.number()),
  progress: v.optional(progressValidator),
  result: v.optional(v.any()),
  error: v.optional(v.union(v.string(), v.null())),
  finishedAt: v.optional(v.union(v.number(), v.null())),
  updatedAt: v.optional(v.number()),
  plan: v.optional(v.any()),
});
const conflictValidator = v.object({
  table: migratedTableValidator,
  recordId: v.string(),
  fields: v.array(v.string()),
  outcome: v.union(v.literal('reverted'), v.literal('partial'), v.literal('conflict'), v.literal('missing')),
});

// ---- helpers ------------------------------------------------------------------------------------------------

function toRecord(run: RunDoc) {
  return {
    id: run.runId,
    kind: run.kind,
    state: run.state,
    actor: run.actor,
    holder: run.holder,
    targetRunId: run.targetRunId,
    startedAt: run.startedAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
    batchSize: run.batchSize,
    backupFile: run.backupFile,
    defaultGroupId: run.defaultGroupId,
    defaultGroupCreated: run.defaultGroupCreated,
    journalStart: run.journalStart,
    phase: run.phase,
    cursor: run.cursor,
    batches: run.batches,
    progress: run.progress,
    plan: run.plan ?? null,
    result: run.result ?? null,
    error: run.error,
  };
}

async function runRow(db: Reader, runId: string): Promise<RunDoc | null> {
  return db
    .query('migrationRuns')
    .withIndex('by_run_id', (q) => q.eq('runId', runId))
    .first();
}

async function requireRun(db: Reader, runId: string, what = 'migration run', budget?: ReadBudget): Promise<RunDoc> {
  budget?.range();
  const run = await runRow(db, runId);
  budget?.read(run);
  if (run === null) throw new ConvexError({ code: 'NotFound', message: `No ${what} ${runId} in this deployment: see \`ontology-ops migration-status\` for run ids` });
  return run;
}

/** Checks the lease is still `fence.holder`'s and extends it, in the caller's mutation (fencing). */
async function fenceLease(db: Writer, fence: { name: string; holder: string; ttlMs: number; now: number }, budget?: ReadBudget): Promise<void> {
  budget?.range();
  const lease = await db
    .query('leases')
    .withIndex('by_name', (q) => q.eq('name', fence.name))
    .unique();
  if (lease === null || lease.holder !== fence.holder) {
    throw new ConvexError({ code: 'LeaseLost', message: `The lease ${fence.name} is no longer held by ${fence.holder}`, name: fence.name, holder: fence.holder });
  }
  budget?.read(lease);
  await db.patch(lease._id, { expiresAt: fence.now + fence.ttlMs });
}

async function writeEvent(db: Writer, event: { type: string; groupId: string | null; timestamp: number; metadata: unknown }): Promise<void> {
  const fields: Record<string, unknown> = { type: event.type, timestamp: event.timestamp, metadata: event.metadata };
  if (event.groupId !== null) fields.groupId = event.groupId;
  await db.insert('events', fields as never);
}

async function groupBySlug(db: Reader, slug: string) {
  return db
    .query('groups')
    .withIndex('by_slug', (q) => q.eq('slug', slug))
    .first();
}

/** The entity ids a record names, in the order the assignment rule tries them. */
function endpointsOf(table: MigratedTable, doc: Record<string, unknown>): [string | null, string | null] {
  if (table === 'connections') {
    const { fromId, toId } = connectionEndpoints(doc);
    return [fromId, toId];
  }
  if (table === 'events') {
    const { actorId, targetId } = eventReferences(doc);
    return [actorId, targetId];
  }
  if (table === 'knowledge') return [knowledgeSource(doc), null];
  return [null, null];
}

/** Looks entities up once per call: undefined when no such entity, else its groupId (null: none). */
class EntityGroups {
  private readonly known = new Map<string, string | null | undefined>();

  constructor(
    private readonly db: Reader,
    private readonly entities: string,
    private readonly budget: ReadBudget,
  ) {}

  async groupOf(id: string | null): Promise<string | null | undefined> {
    if (id === null) return undefined;
    if (this.known.has(id)) return this.known.get(id);
    const normalized = this.db.normalizeId(this.entities as 'entities', id);
    let group: string | null | undefined;
    if (normalized === null) group = undefined;
    else {
      this.budget.range();
      const entity = await this.db.get(normalized);
      this.budget.read(entity);
      group = entity === null ? undefined : groupIdOf(entity);
    }
    this.known.set(id, group);
    return group;
  }
}

function runningTotals(run: RunDoc): MigrateTotals {
  const saved = (run.result as { totals?: MigrateTotals } | null | undefined)?.totals;
  return { assignments: { ...(saved?.assignments ?? {}) }, schemaVersions: saved?.schemaVersions ?? 0 };
}

function emptyUndoTotals(): UndoTotals {
  return { entries: 0, reverted: 0, partial: 0, conflictCount: 0, missing: 0, byTable: {} };
}

// ---- run registry -------------------------------------------------------------------------------------------

/** Creates a run; its journal starts after the journal's current head. Two index ranges. */
export const createRun = internalMutation({
  args: {
    id: v.string(),
    kind: runKindValidator,
    state: runStateValidator,
    actor: v.string(),
    holder: v.string(),
    targetRunId: v.union(v.string(), v.null()),
    startedAt: v.number(),
    batchSize: v.number(),
    backupFile: v.union(v.string(), v.null()),
    phase: v.union(v.string(), v.null()),
    plan: v.any(),
    progress: progressValidator,
  },
  returns: runRecordValidator,
  handler: async (ctx, args) => {
    if ((await runRow(ctx.db, args.id)) !== null) throw new ConvexError({ code: 'InvalidArgument', message: `A run with id ${args.id} exists already` });
    const fields = {
      runId: args.id,
      kind: args.kind,
      state: args.state,
      actor: args.actor,
      holder: args.holder,
      targetRunId: args.targetRunId,
      startedAt: args.startedAt,
      updatedAt: args.startedAt,
      finishedAt: null,
      batchSize: args.batchSize,
      backupFile: args.backupFile,
      defaultGroupId: null,
      defaultGroupCreated: false,
      journalStart: encodeJournalPosition(await journalHead(ctx.db)),
      phase: args.phase,
      cursor: null,
      batches: 0,
      progress: args.progress,
      plan: args.plan ?? null,
      result: null,
      error: null,
    };
    const id = await ctx.db.insert('migrationRuns', fields);
    return toRecord((await ctx.db.get(id))!);
  },
});

/** One run by id, or null. One index range. */
export const getRun = internalQuery({
  args: { id: v.string() },
  returns: v.union(runRecordValidator, v.null()),
  handler: async (ctx, args) => {
    const run = await runRow(ctx.db, args.id);
    return run === null ? null : toRecord(run);
  },
});

async function applyUpdate(db: Writer, run: RunDoc, update: Record<string, unknown>): Promise<void> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(update)) if (value !== undefined) fields[key] = value;
  if (Object.keys(fields).length > 0) await db.patch(run._id, fields as never);
}

/** Changes fields of a run (no fence). One index range, one write. */
export const updateRun = internalMutation({
  args: { id: v.string(), update: runUpdateValidator },
  returns: v.null(),
  handler: async (ctx, args) => {
    const run = await runRow(ctx.db, args.id);
    if (run !== null) await applyUpdate(ctx.db, run, args.update);
    return null;
  },
});

/**
 * Runs newest first (ties: the later created first), optionally of one kind, in some states, of one target:
 * one `paginate` page of at most `limit` runs (≤ 1,000), scanning at most 8,000 run documents and 4 MiB.
 */
export const findRuns = internalQuery({
  args: {
    kind: v.union(runKindValidator, v.null()),
    states: v.union(v.array(runStateValidator), v.null()),
    targetRunId: v.union(v.string(), v.null()),
    cursor: v.union(v.string(), v.null()),
    limit: v.number(),
  },
  returns: v.object({ runs: v.array(runRecordValidator), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    if (!Number.isSafeInteger(args.limit) || args.limit < 1) throw new ConvexError({ code: 'InvalidArgument', message: `limit must be a whole number of at least 1, got ${args.limit}` });
    if (args.states !== null && args.states.length === 0) return { runs: [], continueCursor: null };
    const kind = args.kind;
    const base =
      kind === null
        ? ctx.db.query('migrationRuns').withIndex('by_start').order('desc')
        : ctx.db
            .query('migrationRuns')
            .withIndex('by_kind_start', (q) => q.eq('kind', kind))
            .order('desc');
    const states = args.states;
    const target = args.targetRunId;
    const filtered = base.filter((q) =>
      q.and(
        states === null ? true : q.or(...states.map((state) => q.eq(q.field('state'), state))),
        target === null ? true : q.eq(q.field('targetRunId'), target),
      ),
    );
    const page = await filtered.paginate({
      cursor: args.cursor,
      numItems: Math.min(args.limit, MAX_RUNS_PER_CALL),
      maximumRowsRead: COUNT_PAGE_DOCUMENTS,
      maximumBytesRead: COUNT_PAGE_BYTES,
    });
    return { runs: page.page.map(toRecord), continueCursor: page.isDone ? null : page.continueCursor };
  },
});

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
  args: { table: v.union(v.literal('connections'), v.literal('events'), v.literal('knowledge')), page: v.union(v.string(), v.null()), defaultGroupId: v.union(v.string(), v.null()) },
  returns: v.object({ assignments: assignmentsValidator, crossGroupCreated: v.number(), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    const table = args.table;
    const start = decodeRecordPosition(args.page, 'page cursor');
    const naming = await readNaming(ctx.db);
    const budget = new ReadBudget(HALF_LIMITS);
    budget.reserve(3, 3);
    budget.range();
    const groups = new EntityGroups(ctx.db, physicalTableOf('entities', naming), budget);
    const fallback = args.defaultGroupId ?? GROUP_TO_CREATE;
    const [firstSource, secondSource] = ENDPOINT_SOURCES[table];
    const assignments: AssignmentCounts = { [firstSource]: 0, [secondSource]: 0, legacyDefault: 0 };
    let crossGroupCreated = 0;
    const walk = new RecordWalk(start);
    let looked = 0;
    let finished = true;
    for await (const doc of recordsFrom(ctx.db, physicalTableOf(table, naming), start)) {
      budget.read(doc);
      if (walk.alreadySeen(doc._creationTime)) continue;
      const [firstId, secondId] = endpointsOf(table, doc);
      const firstGroup = await groups.groupOf(firstId);
      const secondGroup = await groups.groupOf(secondId);
      const first = { exists: firstGroup !== undefined, groupId: firstGroup ?? null };
      const second = { exists: secondGroup !== undefined, groupId: secondGroup ?? null };
      if (groupIdOf(doc) === null) {
        const { source } = assignGroupId(table, first.exists ? (first.groupId ?? fallback) : undefined, second.exists ? (second.groupId ?? fallback) : undefined, fallback);
        assignments[source] = (assignments[source] ?? 0) + 1;
      }
      if (table !== 'knowledge' && becomesCrossGroup(first, second, fallback)) crossGroupCreated++;
      walk.lookedAt(doc._creationTime);
      if (++looked >= PLAN_PAGE_RECORDS || !budget.fits(2, 3)) {
        finished = false;
        break;
      }
    }
    return { assignments: assignments as Record<string, number>, crossGroupCreated, continueCursor: finished ? null : encodeRecordPosition(walk.position) };
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
    const naming = await readNaming(ctx.db);
    budget.reserve(3, 3);
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
    for await (const doc of recordsFrom(ctx.db, physicalTableOf(args.table, naming), start)) {
      budget.read(doc);
      if (walk.alreadySeen(doc._creationTime)) continue;
      const [firstId, secondId] = endpointsOf(args.table, doc);
      if (firstId !== null && secondId !== null) {
        const first = await groups.groupOf(firstId);
        const second = await groups.groupOf(secondId);
        if (typeof first === 'string' && typeof second === 'string' && first !== second && ((await wroteGroupOf(firstId, first)) || (await wroteGroupOf(secondId, second)))) count++;
      }
      walk.lookedAt(doc._creationTime);
      // The next record, its two endpoints (≤ 1 MiB each) and two journal look-ups (ranges; entries are < 1 KiB).
      if (++looked >= CROSS_GROUP_PAGE_RECORDS || !budget.fits(4, 3)) {
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
    for await (const entry of ctx.db
      .query('undoJournal')
      .withIndex('by_run_seq', (q) => q.eq('runId', args.runId).gt('seq', start))) {
      budget.read(entry);
      const id = ctx.db.normalizeId(physicalTableOf(entry.table as MigratedTable, naming) as 'entities', entry.recordId);
      budget.range();
      const record = id === null ? null : await ctx.db.get(id);
      budget.read(record);
      if (record !== null) {
        if (entry.groupIdWritten !== undefined && record.groupId !== undefined && uniformText(record.groupId) === entry.groupIdWritten) return { holds: true, continueCursor: null };
        if (entry.table === 'entities' && entry.schemaVersionWritten !== undefined && Number(record.schemaVersion) === 1) return { holds: true, continueCursor: null };
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
      if (!match || Number(match[1]) >= REFERENCE_SOURCES.length) throw new ConvexError({ code: 'InvalidArgument', message: `reference cursor "${args.cursor}" was not handed out by this deployment` });
      source = Number(match[1]);
      inner = match[2] === '' ? null : match[2]!;
    }
    const name = REFERENCE_SOURCES[source]!;
    const groupId = args.groupId;
    const query =
      name === 'groups'
        ? ctx.db.query('groups').withIndex('by_parent', (q) => q.eq('parentGroupId', groupId))
        : ctx.db.query(physicalTableOf(name, await readNaming(ctx.db)) as 'entities').withIndex('by_group', (q) => q.eq('groupId', groupId));
    const page = await query.paginate({ cursor: inner, numItems: COUNT_PAGE_DOCUMENTS, maximumRowsRead: COUNT_PAGE_DOCUMENTS, maximumBytesRead: COUNT_PAGE_BYTES });
    const migrationTypes: readonly string[] = MIGRATION_EVENT_TYPES;
    const count =
      name === 'events' ? page.page.filter((event) => !migrationTypes.includes(String((event as AnyDoc).type ?? ''))).length : page.page.length;
    const next = !page.isDone ? `${source}:${page.continueCursor}` : source + 1 < REFERENCE_SOURCES.length ? `${source + 1}:` : null;
    return { count, continueCursor: next };
  },
});

/** Conflicts an undo recorded with one outcome: a count page, and its first `limit` entries (≤ 1,000). */
export const recordedConflictsPage = internalQuery({
  args: { undoRunId: v.string(), outcome: v.union(v.literal('partial'), v.literal('conflict'), v.literal('missing')), cursor: v.union(v.string(), v.null()), limit: v.number() },
  returns: v.object({ count: v.number(), conflicts: v.array(v.object({ seq: v.number(), conflict: conflictValidator })), continueCursor: v.union(v.string(), v.null()) }),
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

// ---- steps of a run -----------------------------------------------------------------------------------------

/** Extends the lease when still held; a `LeaseLost` error otherwise. */
export const fence = internalMutation({
  args: { fence: fenceValidator },
  returns: v.null(),
  handler: async (ctx, args) => {
    await fenceLease(ctx.db, args.fence);
    return null;
  },
});

/**
 * Step 3 of a run: finds or creates the legacy-default group, records it and the first checkpoint on the run,
 * and writes `migration_started`, in one mutation.
 */
export const beginRun = internalMutation({
  args: { runId: v.string(), fence: fenceValidator, slug: v.string(), group: v.any(), event: v.object({ type: v.string(), timestamp: v.number(), metadata: v.any() }) },
  returns: v.object({ defaultGroupId: v.string(), created: v.boolean() }),
  handler: async (ctx, args) => {
    // Step 1: the lease.
    await fenceLease(ctx.db, args.fence);
    const run = await requireRun(ctx.db, args.runId);
    // Step 2: the group, found by slug or created.
    const existing = await groupBySlug(ctx.db, args.slug);
    const groupId = existing?._id ?? (await ctx.db.insert('groups', { ...(args.group as object), slug: args.slug } as never));
    // Step 3: the run's checkpoint.
    await ctx.db.patch(run._id, { defaultGroupId: groupId, defaultGroupCreated: existing === null, phase: 'entities', cursor: null, updatedAt: args.fence.now });
    // Step 4: the audit event.
    await writeEvent(ctx.db, { ...args.event, groupId });
    return { defaultGroupId: groupId, created: existing === null };
  },
});

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
  budget.reserve(3, 3);
  const naming = await readNaming(db);
  let seq = await journalHead(db, budget);
  const start = decodeRecordPosition(args.cursor);
  const groups = new EntityGroups(db, physicalTableOf('entities', naming), budget);
  const result = { changed: 0, cursor: args.cursor, finished: true, batches: run.batches + 1, groupIdsWritten: 0, schemaVersionsWritten: 0, assignments: {} as AssignmentCounts };
  const walk = new RecordWalk(start);
  const lookups = table === 'entities' ? 0 : table === 'knowledge' ? 1 : 2;
  let looked = 0;
  // Step 2: the records after the cursor; each that needs it is patched and journalled.
  budget.range();
  for await (const doc of recordsFrom(db, physicalTableOf(table, naming), start)) {
    budget.read(doc);
    if (walk.alreadySeen(doc._creationTime)) continue;
    const hasGroup = groupIdOf(doc) !== null;
    let assignment: ReturnType<typeof assignGroupId> | undefined;
    if (!hasGroup) {
      const [firstId, secondId] = endpointsOf(table, doc);
      const firstGroup = await groups.groupOf(firstId);
      // The second endpoint is only looked up when the first gives no group.
      const secondGroup = firstGroup ? undefined : await groups.groupOf(secondId);
      assignment = assignGroupId(table, firstGroup, secondGroup, args.defaultGroupId);
    }
    const setVersion = table === 'entities' && !isV1SchemaVersion(doc.schemaVersion);
    if (assignment !== undefined || setVersion) {
      const patch: Record<string, Value> = {};
      const entry: Record<string, unknown> = { seq: ++seq, runId: args.runId, table, recordId: doc._id };
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
      await db.patch(doc._id, patch as never);
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
    if (result.changed >= args.limit || looked >= bounds.maxScan || !budget.fits(lookups, 1 + lookups)) {
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
  args: { runId: v.string(), table: migratedTableValidator, cursor: v.union(v.string(), v.null()), limit: v.number(), defaultGroupId: v.string(), fence: fenceValidator },
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

/** Records a run's outcome, the marker change and its audit event in one mutation (fence null: best effort). */
export const finishRun = internalMutation({
  args: { runId: v.string(), fence: v.union(fenceValidator, v.null()), update: runUpdateValidator, v1Marker: markerValidator, event: v.union(auditEventValidator, v.null()) },
  returns: v.null(),
  handler: async (ctx, args) => {
    if (args.fence !== null) await fenceLease(ctx.db, args.fence);
    const run = await runRow(ctx.db, args.runId);
    if (run !== null) await applyUpdate(ctx.db, run, args.update);
    await changeSetting(ctx.db, V1_COMPLETED_KEY, args.v1Marker);
    if (args.event !== null) await writeEvent(ctx.db, args.event);
    return null;
  },
});

/** Marks runs superseded with a reason (keeping an earlier error) and changes the marker, in one mutation. */
export const markSuperseded = internalMutation({
  args: { runIds: v.array(v.string()), fence: fenceValidator, reason: v.string(), v1Marker: markerValidator },
  returns: v.null(),
  handler: async (ctx, args) => {
    if (args.runIds.length > MAX_RUNS_PER_CALL) throw new ConvexError({ code: 'InvalidArgument', message: `at most ${MAX_RUNS_PER_CALL} runs at once` });
    await fenceLease(ctx.db, args.fence);
    for (const id of args.runIds) {
      const run = await runRow(ctx.db, id);
      if (run === null) continue;
      await ctx.db.patch(run._id, { state: 'superseded', updatedAt: args.fence.now, error: run.error ? `${args.reason}; before: ${run.error}` : args.reason });
    }
    await changeSetting(ctx.db, V1_COMPLETED_KEY, args.v1Marker);
    return null;
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
  }
  const target = await requireRun(db, args.targetRunId, 'migration run', budget);
  budget.reserve(3, 3);
  const naming = await readNaming(db);
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
  for await (const entry of entries as AsyncIterable<JournalDoc>) {
    budget.read(entry);
    const table = entry.table as MigratedTable;
    const id = db.normalizeId(physicalTableOf(table, naming) as 'entities', entry.recordId);
    budget.range();
    const record = id === null ? null : ((await db.get(id)) as AnyDoc | null);
    budget.read(record);
    const fields: JournalField[] = [];
    if (entry.groupIdWritten !== undefined) fields.push({ name: 'groupId', before: entry.groupIdBefore ?? null, written: entry.groupIdWritten });
    if (entry.schemaVersionWritten !== undefined) fields.push({ name: 'schemaVersion', before: entry.schemaVersionBefore ?? null, written: entry.schemaVersionWritten });
    const current: Record<string, string> | null = record === null ? null : {};
    if (record !== null && current !== null) for (const field of fields) if (record[field.name] !== undefined) current[field.name] = uniformText(record[field.name]!);
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
        await writer.patch(record._id as never, patch as never);
      }
      await writer.patch(entry._id, { undoRunId: apply.undoRunId, undoOutcome: outcome, ...(conflictFields.length > 0 ? { undoConflicts: conflictFields } : {}) });
    }
    result.entries++;
    last = entry.seq;
    // Checked after each entry, so every batch makes progress; the next entry and its record must still fit.
    if (result.entries >= args.limit || !budget.fits(1, 2)) {
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
    await writer.patch(undoRun._id, { phase: 'undo', cursor: result.cursor, progress, batches: result.batches, updatedAt: apply.fence.now, result: { totals } });
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

/**
 * Whether anything references a group (the migration's own events excepted): at most one document per source,
 * and up to 1,000 events of the group, else it counts as referenced (never removed on a guess). ≤ 6 index
 * ranges and 1,005 documents.
 */
async function isReferenced(db: Reader, groupId: string): Promise<boolean> {
  const naming = await readNaming(db);
  for (const table of ['entities', 'connections', 'knowledge'] as const) {
    const found = await db
      .query(physicalTableOf(table, naming) as 'entities')
      .withIndex('by_group', (q) => q.eq('groupId', groupId))
      .first();
    if (found !== null) return true;
  }
  if ((await db.query('groups').withIndex('by_parent', (q) => q.eq('parentGroupId', groupId)).first()) !== null) return true;
  const migrationTypes: readonly string[] = MIGRATION_EVENT_TYPES;
  const events = await db
    .query('events')
    .withIndex('by_group', (q) => q.eq('groupId', groupId))
    .take(1_001);
  return events.length > 1_000 || events.some((event) => !migrationTypes.includes(event.type ?? ''));
}

/**
 * Finishes an undo in one mutation: removes the legacy-default group when the target created it and nothing
 * references it, marks the target rolled_back and the undo completed, changes the marker, writes the event.
 */
export const finishUndo = internalMutation({
  args: { undoRunId: v.string(), targetRunId: v.string(), fence: fenceValidator, finishedAt: v.number(), clearV1Marker: v.boolean(), event: auditEventValidator },
  returns: v.object({ removed: v.boolean(), referenced: v.boolean(), cleared: v.boolean() }),
  handler: async (ctx, args) => {
    // Step 1: the lease and both runs.
    await fenceLease(ctx.db, args.fence);
    const target = await requireRun(ctx.db, args.targetRunId);
    const undo = await requireRun(ctx.db, args.undoRunId, 'undo run');
    // Step 2: the legacy-default group, when the target created it and nothing references it.
    let removed = false;
    let referenced = false;
    if (target.defaultGroupId !== null) {
      referenced = await isReferenced(ctx.db, target.defaultGroupId);
      const id = ctx.db.normalizeId('groups', target.defaultGroupId);
      if (target.defaultGroupCreated && !referenced && id !== null && (await ctx.db.get(id)) !== null) {
        await ctx.db.delete(id);
        removed = true;
      }
    }
    // Step 3: both runs and the marker.
    await ctx.db.patch(target._id, { state: 'rolled_back', updatedAt: args.finishedAt });
    const marker = await ctx.db
      .query('storeMeta')
      .withIndex('by_key', (q) => q.eq('key', V1_COMPLETED_KEY))
      .unique();
    const cleared = args.clearV1Marker && marker !== null;
    if (cleared) await changeSetting(ctx.db, V1_COMPLETED_KEY, 'clear');
    const totals = (undo.result as { totals?: UndoTotals } | null | undefined)?.totals ?? emptyUndoTotals();
    await ctx.db.patch(undo._id, {
      state: 'completed',
      finishedAt: args.finishedAt,
      updatedAt: args.finishedAt,
      result: { totals, legacyDefaultGroupRemoved: removed, v1MigrationCompletedCleared: cleared },
    });
    // Step 4: the audit event.
    await writeEvent(ctx.db, { ...args.event, metadata: { ...(args.event.metadata as object), legacyDefaultGroupRemoved: removed } });
    return { removed, referenced, cleared };
  },
});

/**
 * Records a full restore in one mutation: the marker as the backup had it, rolled_back for the migration runs
 * the backup predates (or was taken for; at most `MAX_RUNS_PER_CALL` migration runs are read), the restore run
 * completed, and the event.
 */
export const finishRestore = internalMutation({
  args: {
    restoreRunId: v.string(),
    fence: fenceValidator,
    finishedAt: v.number(),
    v1MarkerAt: v.union(v.string(), v.null()),
    backupRunId: v.union(v.string(), v.null()),
    backupCreatedAt: v.number(),
    result: v.any(),
    slug: v.string(),
    event: v.object({ type: v.string(), timestamp: v.number(), metadata: v.any() }),
  },
  returns: v.null(),
  handler: async (ctx, args) => {
    await fenceLease(ctx.db, args.fence);
    await changeSetting(ctx.db, V1_COMPLETED_KEY, args.v1MarkerAt === null ? 'clear' : { set: args.v1MarkerAt });
    const runs = await ctx.db
      .query('migrationRuns')
      .withIndex('by_kind_start', (q) => q.eq('kind', 'migrate'))
      .take(MAX_RUNS_PER_CALL);
    for (const run of runs) {
      if (run.state === 'rolled_back' || run.state === 'superseded') continue;
      if (run.runId === args.backupRunId || run.startedAt >= args.backupCreatedAt) await ctx.db.patch(run._id, { state: 'rolled_back', updatedAt: args.finishedAt });
    }
    const restore = await requireRun(ctx.db, args.restoreRunId, 'restore run');
    await ctx.db.patch(restore._id, { state: 'completed', finishedAt: args.finishedAt, updatedAt: args.finishedAt, result: args.result ?? null });
    const group = await groupBySlug(ctx.db, args.slug);
    await writeEvent(ctx.db, { ...args.event, groupId: group?._id ?? null });
    return null;
  },
});
