/**
 * The Slack outbox for the `OutboxStore` port (`src/store/convex/outbox-store.ts` calls these). Internal
 * functions; each write touches one row (and, for a delivered post, its notification), each listing is a page of
 * one index range (`lib/monitorDocs.ts` has the bounds). `claim` is a compare-and-set in one mutation: Convex
 * runs mutations as serializable transactions, so of two senders claiming the same row exactly one wins.
 */
import { ConvexError, v } from 'convex/values';
import type { GenericDatabaseWriter } from 'convex/server';
import { internalMutation, internalQuery } from './_generated/server.js';
import type { DataModel } from './_generated/dataModel.js';
import {
  COUNT_PAGE_ROWS,
  cursorValidator,
  insertOutboxRows,
  MONITOR_PAGE_ROWS,
  nextCursor,
  outboxDraftValidator,
  outboxRow,
  outboxRowValidator,
  pageOptions,
  pageSize,
} from './lib/monitorDocs.js';
import { messageRefValidator, outboxStatusValidator } from './validators.js';

/** Drafts one `enqueue` takes at most: 1,000 inserts (+ ≤ 4 dropped edits each read and deleted), within half of every limit. */
export const MAX_ENQUEUE = 1_000;
/**
 * Pending rows `duePage` scans at most: it walks pending rows oldest `createdAt` first and keeps the due ones, so
 * rows waiting for a later attempt are read and skipped; 4,000 ≤ 16,000 documents, bytes bounded by the page.
 */
export const DUE_SCAN_ROWS = 4_000;

const rowPageValidator = v.object({ rows: v.array(outboxRowValidator), continueCursor: cursorValidator });

/** The row behind a port id, or null (also for a string that is no outbox id). */
async function rowOf(db: GenericDatabaseWriter<DataModel>, id: string) {
  const normalized = db.normalizeId('monitorOutbox', id);
  const row = normalized === null ? null : await db.get(normalized);
  return row === null ? null : row;
}

/** Inserts rows as pending, due at `at` (a waiting edit of the same notification is dropped first). */
export const enqueue = internalMutation({
  args: { drafts: v.array(outboxDraftValidator), at: v.number() },
  returns: v.array(outboxRowValidator),
  handler: async (ctx, args) => {
    if (args.drafts.length > MAX_ENQUEUE) {
      throw new ConvexError({ code: 'InvalidArgument', message: `drafts has ${args.drafts.length} rows; enqueue at most ${MAX_ENQUEUE} at once` });
    }
    return insertOutboxRows(ctx.db, args.drafts, args.at);
  },
});

/**
 * A page of pending rows whose attempt is due (`nextAttemptAt <= now`), oldest `createdAt` first (ties by
 * creation). A page may hold fewer than `numItems` due rows and still continue (it skipped rows not yet due).
 */
export const duePage = internalQuery({
  args: { now: v.number(), cursor: cursorValidator, numItems: v.number() },
  returns: rowPageValidator,
  handler: async (ctx, args) => {
    const numItems = pageSize(args.numItems);
    const result = await ctx.db
      .query('monitorOutbox')
      .withIndex('by_status_created', (q) => q.eq('status', 'pending'))
      .filter((q) => q.lte(q.field('nextAttemptAt'), args.now))
      .paginate(pageOptions(args.cursor, numItems, DUE_SCAN_ROWS));
    return { rows: result.page.map(outboxRow), continueCursor: nextCursor(result) };
  },
});

/** The earliest next attempt of any pending row, or null (one index range, one document). */
export const nextAttemptAt = internalQuery({
  args: {},
  returns: v.union(v.number(), v.null()),
  handler: async (ctx) => {
    const row = await ctx.db
      .query('monitorOutbox')
      .withIndex('by_status_due', (q) => q.eq('status', 'pending'))
      .first();
    return row?.nextAttemptAt ?? null;
  },
});

/** Records a delivery; a delivered `post` of a notification also stores the message on the notification. */
export const markSent = internalMutation({
  args: { id: v.string(), at: v.number(), result: v.union(messageRefValidator, v.null()) },
  returns: v.null(),
  handler: async (ctx, args) => {
    const row = await rowOf(ctx.db, args.id);
    if (row === null) return null;
    await ctx.db.patch(row._id, { status: 'sent', attempts: row.attempts + 1, sentAt: args.at, result: args.result, lastError: null });
    if (row.kind === 'post' && row.notificationId !== null && args.result !== null && (await ctx.db.get(row.notificationId)) !== null) {
      await ctx.db.patch(row.notificationId, { message: args.result });
    }
    return null;
  },
});

/** Records an edit delivered as a new message: the row is sent with `message`, which becomes its notification's message. */
export const markReposted = internalMutation({
  args: { id: v.string(), at: v.number(), message: messageRefValidator },
  returns: v.null(),
  handler: async (ctx, args) => {
    const row = await rowOf(ctx.db, args.id);
    if (row === null) return null;
    await ctx.db.patch(row._id, { status: 'sent', attempts: row.attempts + 1, sentAt: args.at, result: args.message, lastError: null });
    if (row.notificationId !== null && (await ctx.db.get(row.notificationId)) !== null) await ctx.db.patch(row.notificationId, { message: args.message });
    return null;
  },
});

/** Counts a failed attempt and moves the next one to `nextAttemptAt`. */
export const markRetry = internalMutation({
  args: { id: v.string(), nextAttemptAt: v.number(), error: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const row = await rowOf(ctx.db, args.id);
    if (row !== null) await ctx.db.patch(row._id, { attempts: row.attempts + 1, nextAttemptAt: args.nextAttemptAt, lastError: args.error });
    return null;
  },
});

/** Gives a row up for good. */
export const markFailed = internalMutation({
  args: { id: v.string(), at: v.number(), error: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const row = await rowOf(ctx.db, args.id);
    if (row !== null) await ctx.db.patch(row._id, { status: 'failed', attempts: row.attempts + 1, sentAt: args.at, lastError: args.error });
    return null;
  },
});

/**
 * Claims a row until `until` when it is still pending with `nextAttemptAt === expectedNextAttemptAt`
 * (compare-and-set): true for exactly one caller.
 */
export const claim = internalMutation({
  args: { id: v.string(), expectedNextAttemptAt: v.number(), until: v.number() },
  returns: v.boolean(),
  handler: async (ctx, args) => {
    const row = await rowOf(ctx.db, args.id);
    if (row === null || row.status !== 'pending' || row.nextAttemptAt !== args.expectedNextAttemptAt) return false;
    await ctx.db.patch(row._id, { nextAttemptAt: args.until });
    return true;
  },
});

/** Moves a row's next attempt without counting an attempt. */
export const defer = internalMutation({
  args: { id: v.string(), until: v.number() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const row = await rowOf(ctx.db, args.id);
    if (row !== null) await ctx.db.patch(row._id, { nextAttemptAt: args.until });
    return null;
  },
});

/**
 * A notification's message for edits and replies: delivered, pending (its latest post, by `createdAt` then
 * creation, waits until `pendingUntil`) or lost. Two index ranges, two documents.
 */
export const notificationMessage = internalQuery({
  args: { notificationId: v.string() },
  returns: v.union(
    v.object({ state: v.literal('delivered'), message: messageRefValidator }),
    v.object({ state: v.literal('pending'), pendingUntil: v.number() }),
    v.object({ state: v.literal('lost') }),
  ),
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId('monitorNotifications', args.notificationId);
    if (id === null) return { state: 'lost' as const };
    const notification = await ctx.db.get(id);
    if (notification?.message) return { state: 'delivered' as const, message: notification.message };
    const post = await ctx.db
      .query('monitorOutbox')
      .withIndex('by_notification_time', (q) => q.eq('notificationId', id).eq('kind', 'post'))
      .order('desc')
      .first();
    if (post?.status === 'pending') return { state: 'pending' as const, pendingUntil: post.nextAttemptAt };
    return { state: 'lost' as const };
  },
});

/** Counts one page of the rows of a status: up to `COUNT_PAGE_ROWS` scanned, bytes bounded. */
export const countPage = internalQuery({
  args: { status: outboxStatusValidator, cursor: cursorValidator },
  returns: v.object({ count: v.number(), continueCursor: cursorValidator }),
  handler: async (ctx, args) => {
    const result = await ctx.db
      .query('monitorOutbox')
      .withIndex('by_status_created', (q) => q.eq('status', args.status))
      .paginate(pageOptions(args.cursor, COUNT_PAGE_ROWS));
    return { count: result.page.length, continueCursor: nextCursor(result) };
  },
});

/** A page of rows (of one status, or all), oldest `createdAt` first (ties by creation). */
export const listPage = internalQuery({
  args: { status: v.union(outboxStatusValidator, v.null()), cursor: cursorValidator, numItems: v.number() },
  returns: rowPageValidator,
  handler: async (ctx, args) => {
    const numItems = pageSize(args.numItems, MONITOR_PAGE_ROWS);
    const status = args.status;
    const query =
      status === null
        ? ctx.db.query('monitorOutbox').withIndex('by_created')
        : ctx.db.query('monitorOutbox').withIndex('by_status_created', (q) => q.eq('status', status));
    const result = await query.paginate(pageOptions(args.cursor, numItems));
    return { rows: result.page.map(outboxRow), continueCursor: nextCursor(result) };
  },
});
