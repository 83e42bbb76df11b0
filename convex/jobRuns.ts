/**
 * The monitor job-run log for the `JobRunStore` port (`src/store/convex/job-run-store.ts` calls these). Internal
 * functions; writes touch one run, listings are pages of one index range (`lib/monitorDocs.ts` has the bounds),
 * "latest" is by `startedAt`, ties by creation, never by id.
 */
import { v } from 'convex/values';
import { internalMutation, internalQuery } from './_generated/server.js';
import { cursorValidator, jobRunState, jobRunStateValidator, nextCursor, pageOptions, pageSize } from './lib/monitorDocs.js';
import { jobRunFields } from './validators.js';

/** Running runs one `abandonPage` reads and may patch: 1,000 documents read and written, within half of every limit. */
export const ABANDON_PAGE_ROWS = 1_000;

const startArgs = {
  job: v.string(),
  trigger: jobRunFields.trigger,
  scheduledFor: v.union(v.number(), v.null()),
  startedAt: v.number(),
  instanceId: v.string(),
};

/** Records a run as `running`; returns its id. */
export const start = internalMutation({
  args: startArgs,
  returns: v.id('monitorJobRuns'),
  handler: async (ctx, args) => ctx.db.insert('monitorJobRuns', { ...args, finishedAt: null, outcome: 'running', counts: {}, error: null }),
});

/** Records how a run ended (an id this deployment never issued changes nothing, as in SQLite). */
export const finish = internalMutation({
  args: { id: v.string(), finishedAt: v.union(v.number(), v.null()), outcome: jobRunFields.outcome, counts: jobRunFields.counts, error: v.union(v.string(), v.null()) },
  returns: v.null(),
  handler: async (ctx, { id, ...result }) => {
    const runId = ctx.db.normalizeId('monitorJobRuns', id);
    if (runId !== null && (await ctx.db.get(runId)) !== null) await ctx.db.patch(runId, result);
    return null;
  },
});

/** Records a run that did not start because the previous one was still going, with `reason`. */
export const recordSkipped = internalMutation({
  args: { ...startArgs, reason: v.string() },
  returns: v.null(),
  handler: async (ctx, { reason, ...run }) => {
    await ctx.db.insert('monitorJobRuns', { ...run, finishedAt: run.startedAt, outcome: 'skipped_overlap', counts: {}, error: reason });
    return null;
  },
});

/**
 * Marks `failed` the scheduled and catch-up runs of one page of `running` runs that belong to other instances;
 * returns how many it marked and the cursor of the next page (null when done).
 */
export const abandonPage = internalMutation({
  args: { instanceId: v.string(), at: v.number(), cursor: cursorValidator },
  returns: v.object({ abandoned: v.number(), continueCursor: cursorValidator }),
  handler: async (ctx, args) => {
    const result = await ctx.db
      .query('monitorJobRuns')
      .withIndex('by_outcome', (q) => q.eq('outcome', 'running'))
      .paginate(pageOptions(args.cursor, ABANDON_PAGE_ROWS));
    let abandoned = 0;
    for (const run of result.page) {
      if (run.instanceId === args.instanceId || (run.trigger !== 'scheduled' && run.trigger !== 'catch_up')) continue;
      await ctx.db.patch(run._id, { outcome: 'failed', finishedAt: args.at, error: `abandoned: instance ${run.instanceId} stopped before the run finished` });
      abandoned++;
    }
    return { abandoned, continueCursor: nextCursor(result) };
  },
});

/** The job's succeeded run with the latest `startedAt` (ties: the later created), or null. */
export const lastSucceeded = internalQuery({
  args: { job: v.string() },
  returns: v.union(jobRunStateValidator, v.null()),
  handler: async (ctx, args) => {
    const run = await ctx.db
      .query('monitorJobRuns')
      .withIndex('by_job_outcome_start', (q) => q.eq('job', args.job).eq('outcome', 'succeeded'))
      .order('desc')
      .first();
    return run === null ? null : jobRunState(run);
  },
});

/** A page of runs, newest `startedAt` first (ties: the later created first), of one job or all. */
export const recentPage = internalQuery({
  args: { job: v.union(v.string(), v.null()), cursor: cursorValidator, numItems: v.number() },
  returns: v.object({ runs: v.array(jobRunStateValidator), continueCursor: cursorValidator }),
  handler: async (ctx, args) => {
    const numItems = pageSize(args.numItems);
    const job = args.job;
    const query =
      job === null
        ? ctx.db.query('monitorJobRuns').withIndex('by_start')
        : ctx.db.query('monitorJobRuns').withIndex('by_job_start', (q) => q.eq('job', job));
    const result = await query.order('desc').paginate(pageOptions(args.cursor, numItems));
    return { runs: result.page.map(jobRunState), continueCursor: nextCursor(result) };
  },
});
