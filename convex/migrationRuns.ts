/**
 * The migration's run registry and the steps that begin and finish runs, for the `MigrationStore` port
 * (`src/store/convex/migration-store.ts`): each write step is one mutation fenced by the lease (checked and
 * extended in that mutation). Internal functions only; bounds in `migrationBounds.ts`.
 */
import { ConvexError, getDocumentSize, v, type Value } from 'convex/values';
import { internalMutation, internalQuery } from './_generated/server.js';
import { MIGRATION_EVENT_TYPES } from '../src/migration/rules.js';
import type { UndoTotals } from '../src/migration/port.js';
import { physicalTableOf, readNaming, V1_COMPLETED_KEY } from './lib/tables.js';
import { HALF_LIMITS, PATCH_GROWTH_BYTES, ReadBudget } from './lib/budget.js';
import {
  changeSetting,
  COUNT_PAGE_BYTES,
  COUNT_PAGE_DOCUMENTS,
  decodeRecordPosition,
  encodeJournalPosition,
  encodeRecordPosition,
  journalHead,
  MAX_RUNS_PER_CALL,
  RecordWalk,
  type RecordPosition,
} from './migrationBounds.js';
import { runKindValidator, runStateValidator } from './validators.js';

import {
  type Reader,
  type RunDoc,
  type Writer,
  auditEventValidator,
  emptyUndoTotals,
  fenceLease,
  fenceValidator,
  groupBySlug,
  markerValidator,
  progressValidator,
  requireRun,
  runRecordValidator,
  runRow,
  runUpdateValidator,
  toRecord,
  writeEvent,
} from './migrationShared.js';

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
    if (!Number.isSafeInteger(args.limit) || args.limit < 1)
      throw new ConvexError({ code: 'InvalidArgument', message: `limit must be a whole number of at least 1, got ${args.limit}` });
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
  args: {
    runId: v.string(),
    fence: fenceValidator,
    slug: v.string(),
    group: v.any(),
    event: v.object({ type: v.string(), timestamp: v.number(), metadata: v.any() }),
  },
  returns: v.object({ defaultGroupId: v.string(), created: v.boolean() }),
  handler: async (ctx, args) => {
    // Step 1: the lease.
    await fenceLease(ctx.db, args.fence);
    const run = await requireRun(ctx.db, args.runId);
    // Step 2: the group, found by slug or created.
    const existing = await groupBySlug(ctx.db, args.slug);
    const groupId = existing?._id ?? (await ctx.db.insert('groups', { ...(args.group as object), slug: args.slug } as never));
    // Step 3: the run's checkpoint.
    await ctx.db.patch(run._id, {
      defaultGroupId: groupId,
      defaultGroupCreated: existing === null,
      phase: 'entities',
      cursor: null,
      updatedAt: args.fence.now,
    });
    // Step 4: the audit event.
    await writeEvent(ctx.db, { ...args.event, groupId });
    return { defaultGroupId: groupId, created: existing === null };
  },
});

/** Records a run's outcome, the marker change and its audit event in one mutation (fence null: best effort). */
export const finishRun = internalMutation({
  args: {
    runId: v.string(),
    fence: v.union(fenceValidator, v.null()),
    update: runUpdateValidator,
    v1Marker: markerValidator,
    event: v.union(auditEventValidator, v.null()),
  },
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

/**
 * Whether anything references a group (the migration's own events excepted), read within `budget`: one document
 * of each source (entities, connections, knowledge, child groups), then the group's events from `position` on,
 * in creation order, until one that is not the migration's own. `{ referenced }` when it knows; `{ position }`
 * when the budget ran out first — the events before it are all the migration's own, and the next call goes on
 * from there (new events of the group come after it: the index orders them by creation time).
 */
async function referenceScan(db: Reader, groupId: string, position: RecordPosition, budget: ReadBudget): Promise<{ referenced: boolean } | { position: RecordPosition }> {
  const naming = await readNaming(db, budget);
  for (const table of ['entities', 'connections', 'knowledge'] as const) {
    budget.range();
    const found = await db
      .query(physicalTableOf(table, naming) as 'entities')
      .withIndex('by_group', (q) => q.eq('groupId', groupId))
      .first();
    budget.read(found);
    if (found !== null) return { referenced: true };
  }
  budget.range();
  const child = await db
    .query('groups')
    .withIndex('by_parent', (q) => q.eq('parentGroupId', groupId))
    .first();
  budget.read(child);
  if (child !== null) return { referenced: true };
  const migrationTypes: readonly string[] = MIGRATION_EVENT_TYPES;
  const walk = new RecordWalk(position);
  budget.range();
  const events = db
    .query('events')
    .withIndex('by_group', (q) => (position.after === null ? q.eq('groupId', groupId) : q.eq('groupId', groupId).gte('_creationTime', position.after)))
    [Symbol.asyncIterator]();
  for (;;) {
    if (!budget.fits(0, 1)) return { position: walk.position };
    const next = await events.next();
    if (next.done) return { referenced: false };
    budget.read(next.value);
    if (walk.alreadySeen(next.value._creationTime)) continue;
    if (!migrationTypes.includes(next.value.type ?? '')) return { referenced: true };
    walk.lookedAt(next.value._creationTime);
  }
}

/**
 * Finishes an undo: removes the legacy-default group when the target created it and nothing references it,
 * marks the target rolled_back and the undo completed, changes the marker, writes the event — in the one call
 * whose reference scan reaches the end. The scan of the group's events is paged: a call whose budget runs out
 * first only extends the lease and returns `continueCursor`, to pass back in `referenceCursor`.
 *
 * Budget: everything the final steps touch is read first (lease, both runs, the group, the marker ≤ 5 small
 * documents + the group ≤ 1 MiB) and their patches and deletes charged again at the sizes read; the reference
 * scan reads ≤ 5 documents (naming, one per source, ≤ 1 MiB each) and then events while one more of 1 MiB fits
 * in half of every limit. The events read in one call are therefore ≥ 1 whenever the fixed part is below 7 MiB,
 * which holds: ≤ 1 MiB group + 5 × 1 MiB first documents + a few KiB of runs.
 */
export const finishUndo = internalMutation({
  args: {
    undoRunId: v.string(),
    targetRunId: v.string(),
    fence: fenceValidator,
    finishedAt: v.number(),
    clearV1Marker: v.boolean(),
    event: auditEventValidator,
    referenceCursor: v.optional(v.union(v.string(), v.null())),
  },
  returns: v.object({ removed: v.boolean(), cleared: v.boolean(), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    const budget = new ReadBudget(HALF_LIMITS);
    // Step 1: the lease, both runs, the group and the marker, each counted twice where it is written later.
    await fenceLease(ctx.db, args.fence, budget);
    const target = await requireRun(ctx.db, args.targetRunId, 'migration run', budget);
    const undo = await requireRun(ctx.db, args.undoRunId, 'undo run', budget);
    budget.patched(target);
    budget.patched(undo);
    const groupId = target.defaultGroupId === null || !target.defaultGroupCreated ? null : ctx.db.normalizeId('groups', target.defaultGroupId);
    budget.range();
    const group = groupId === null ? null : await ctx.db.get(groupId);
    budget.read(group);
    if (group !== null) budget.reread(group);
    budget.range();
    const marker = await ctx.db
      .query('storeMeta')
      .withIndex('by_key', (q) => q.eq('key', V1_COMPLETED_KEY))
      .unique();
    budget.read(marker);
    if (marker !== null) budget.reread(marker);
    budget.wrote(getDocumentSize(args.event as Record<string, Value>) + PATCH_GROWTH_BYTES);
    // Step 2: the legacy-default group, when the target created it and nothing references it.
    let removed = false;
    if (group !== null) {
      const scan = await referenceScan(ctx.db, group._id, decodeRecordPosition(args.referenceCursor ?? null, 'reference cursor'), budget);
      if ('position' in scan) return { removed: false, cleared: false, continueCursor: encodeRecordPosition(scan.position) };
      if (!scan.referenced) {
        await ctx.db.delete(group._id);
        removed = true;
      }
    }
    // Step 3: both runs and the marker.
    await ctx.db.patch(target._id, { state: 'rolled_back', updatedAt: args.finishedAt });
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
    return { removed, cleared, continueCursor: null };
  },
});

/** Events a restore writes again at most (an approval's trail: request, up to 20 approvals, start, restore). */
const MAX_KEPT_EVENTS = 32;

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
    kept: v.optional(
      v.object({ slug: v.string(), events: v.array(v.object({ type: v.string(), timestamp: v.number(), metadata: v.any() })) }),
    ),
  },
  returns: v.null(),
  handler: async (ctx, args) => {
    if (args.kept && args.kept.events.length > MAX_KEPT_EVENTS) throw new ConvexError({ code: 'InvalidArgument', message: `kept: at most ${MAX_KEPT_EVENTS} events, got ${args.kept.events.length}` });
    await fenceLease(ctx.db, args.fence);
    await changeSetting(ctx.db, V1_COMPLETED_KEY, args.v1MarkerAt === null ? 'clear' : { set: args.v1MarkerAt });
    const runs = await ctx.db
      .query('migrationRuns')
      .withIndex('by_kind_start', (q) => q.eq('kind', 'migrate'))
      .take(MAX_RUNS_PER_CALL);
    for (const run of runs) {
      if (run.state === 'rolled_back' || run.state === 'superseded') continue;
      if (run.runId === args.backupRunId || run.startedAt >= args.backupCreatedAt)
        await ctx.db.patch(run._id, { state: 'rolled_back', updatedAt: args.finishedAt });
    }
    const restore = await requireRun(ctx.db, args.restoreRunId, 'restore run');
    await ctx.db.patch(restore._id, { state: 'completed', finishedAt: args.finishedAt, updatedAt: args.finishedAt, result: args.result ?? null });
    const group = await groupBySlug(ctx.db, args.slug);
    await writeEvent(ctx.db, { ...args.event, groupId: group?._id ?? null });
    // Step 4: the events written again (an approval's own trail, which the replace removed).
    if (args.kept) {
      const owner = (await groupBySlug(ctx.db, args.kept.slug)) ?? group;
      for (const event of args.kept.events) await writeEvent(ctx.db, { ...event, groupId: owner?._id ?? null });
    }
    return null;
  },
});
