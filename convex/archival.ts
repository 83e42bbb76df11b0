/**
 * Event archival for the `EventArchiveStore` port (`src/store/convex/event-archive.ts`): one mutation marks a
 * batch of old events archived, oldest first, and records the batch in the run's `events_archived` event in
 * that same mutation, so a crash between batches never loses or double-counts one. Internal.
 */
import { ConvexError, getDocumentSize, v } from 'convex/values';
import type { GenericDatabaseReader } from 'convex/server';
import { internalMutation } from './_generated/server.js';
import type { DataModel, Doc } from './_generated/dataModel.js';
import { ReadBudget, type ReadLimits } from './lib/budget.js';
import { WRITE_STEP_LIMITS } from './migrationBounds.js';

/**
 * Events one batch archives at most (the bot's `MONITOR_ARCHIVAL_BATCH` maximum). Index ranges: 2 (not yet
 * archived: `archived` false and absent) + 1 (the run's event) = 3. Documents read: at most 5,001 per range
 * (the merge stops one past the batch) + 5,000 read again by their patches + 2 (the run's event, and again by
 * its patch) = 15,004 ≤ 16,000. Written: 5,000 events + 1 ≤ 8,000. Bytes: a `ReadBudget` of half of every
 * limit counts each event twice when read (the query, then the patch) and once written, and stops the batch
 * before the next event could cross 8 MiB of either; the first event always fits (≤ 3 MiB read, 1 MiB written),
 * so with 1 MiB events a batch archives two or three.
 */
export const MAX_ARCHIVE_BATCH = 5_000;

type EventDoc = Doc<'events'>;

/** Not-yet-archived events with a timestamp before `cutoff`, oldest first, where `archived` is `value`. */
function unarchived(db: GenericDatabaseReader<DataModel>, value: false | undefined, cutoff: number) {
  return db
    .query('events')
    .withIndex('by_archived_time', (q) => q.eq('archived', value).gte('timestamp', -Infinity).lt('timestamp', cutoff))
    [Symbol.asyncIterator]() as AsyncIterator<EventDoc>;
}

/** Up to `limit` unarchived events before `cutoff`, oldest first, merged from both index ranges. */
async function oldestUnarchived(db: GenericDatabaseReader<DataModel>, cutoff: number, limit: number, budget: ReadBudget): Promise<EventDoc[]> {
  const streams = [unarchived(db, false, cutoff), unarchived(db, undefined, cutoff)];
  budget.range();
  budget.range();
  const heads: (EventDoc | null)[] = [];
  for (const stream of streams) {
    const next = await stream.next();
    heads.push(next.done ? null : next.value);
    budget.read(next.done ? null : next.value);
  }
  const batch: EventDoc[] = [];
  while (batch.length < limit) {
    const index = heads[0] === null ? 1 : heads[1] === null ? 0 : (heads[0]!.timestamp ?? 0) <= (heads[1]!.timestamp ?? 0) ? 0 : 1;
    const head = heads[index];
    if (head === null || head === undefined) break;
    // Archiving it reads it again and writes it; then its stream's next event is read (≤ 1 MiB). The first is
    // always archived: two heads and its patch are ≤ 3 MiB of reads, ≤ 1 MiB of writes.
    if (batch.length > 0 && !budget.fits(0, 2, 1)) break;
    batch.push(head);
    budget.patched(head);
    const next = await streams[index]!.next();
    heads[index] = next.done ? null : next.value;
    budget.read(next.done ? null : next.value);
  }
  return batch;
}

function countOf(metadata: unknown, field: 'count' | 'batches'): number {
  const value = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as Record<string, unknown>)[field] : 0;
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : 0;
}

/** The limits `archiveBatch` keeps to; exported so a test can run the batch with larger ones. */
export const ARCHIVE_LIMITS: ReadLimits = WRITE_STEP_LIMITS;

/** Marks up to `limit` old events archived and records the batch in the run's event (see `MAX_ARCHIVE_BATCH`). */
export const archiveBatch = internalMutation({
  args: {
    cutoff: v.number(),
    limit: v.number(),
    groupId: v.string(),
    at: v.number(),
    eventId: v.union(v.string(), v.null()),
    metadata: v.record(v.string(), v.union(v.string(), v.number(), v.boolean(), v.null())),
  },
  returns: v.object({ archived: v.number(), eventId: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    if (!Number.isSafeInteger(args.limit) || args.limit < 1 || args.limit > MAX_ARCHIVE_BATCH) {
      throw new ConvexError({ code: 'InvalidArgument', message: `limit must be a whole number from 1 to ${MAX_ARCHIVE_BATCH}, got ${args.limit}` });
    }
    const budget = new ReadBudget(ARCHIVE_LIMITS);
    // Step 1: the run's events_archived event from an earlier batch, read first so its patch is counted at its size.
    const previousId = args.eventId === null ? null : ctx.db.normalizeId('events', args.eventId);
    budget.range();
    const previous = previousId === null ? null : await ctx.db.get(previousId);
    budget.read(previous);
    if (previous !== null) budget.patched(previous);
    else budget.wrote(getDocumentSize({ groupId: args.groupId, type: 'events_archived', timestamp: args.at, metadata: { ...args.metadata, count: 0, batches: 0 }, archived: false }));
    // Step 2: the batch, oldest first, each event marked archived.
    const batch = await oldestUnarchived(ctx.db, args.cutoff, args.limit, budget);
    if (batch.length === 0) return { archived: 0, eventId: args.eventId };
    for (const event of batch) await ctx.db.patch(event._id, { archived: true });
    // Step 3: the run's event, created by its first batch and added to by the others.
    if (previous === null) {
      const eventId = await ctx.db.insert('events', {
        groupId: args.groupId,
        type: 'events_archived',
        timestamp: args.at,
        metadata: { ...args.metadata, count: batch.length, batches: 1 },
        archived: false,
      });
      return { archived: batch.length, eventId };
    }
    await ctx.db.patch(previous._id, {
      metadata: { ...args.metadata, count: countOf(previous.metadata, 'count') + batch.length, batches: countOf(previous.metadata, 'batches') + 1 },
    });
    return { archived: batch.length, eventId: previous._id };
  },
});
