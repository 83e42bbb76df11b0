/**
 * The migration's run registry and the steps that begin and finish runs, for the `MigrationStore` port
 * (`src/store/convex/migration-store.ts`): each write step is one mutation fenced by the lease (checked and
 * extended in that mutation). Internal functions only; bounds in `migrationBounds.ts`.
 */
import { ConvexError, v } from 'convex/values';
import { internalMutation, internalQuery } from './_generated/server.js';
import { MIGRATION_EVENT_TYPES } from '../src/migration/rules.ts';
import type { UndoTotals } from '../src/migration/port.ts';
import { physicalTableOf, readNaming, V1_COMPLETED_KEY } from './lib/tables.ts';
import { changeSetting, COUNT_PAGE_BYTES, COUNT_PAGE_DOCUMENTS, encodeJournalPosition, journalHead, MAX_RUNS_PER_CALL } from './migrationBounds.ts';
import { runKindValidator, runStateValidator } from './validators.ts';

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
} from './migrationShared.ts';

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
  if (
    (await db
      .query('groups')
      .withIndex('by_parent', (q) => q.eq('parentGroupId', groupId))
      .first()) !== null
  )
    return true;
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
  args: {
    undoRunId: v.string(),
    targetRunId: v.string(),
    fence: fenceValidator,
    finishedAt: v.number(),
    clearV1Marker: v.boolean(),
    event: auditEventValidator,
  },
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
