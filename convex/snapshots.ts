/**
 * ONE's `dataQualitySnapshots` table for the `SnapshotStore` port (`src/store/convex/snapshot-store.ts` calls
 * these). Internal functions. Reads are pages of one index range (`by_time` for a window, `by_group_time` for a
 * scope's latest), ordered by `timestamp` then `_creationTime`; the window is read page by page, so a month of
 * hourly and daily snapshots of every group never meets a transaction limit.
 */
import { ConvexError, getDocumentSize, v, type Value } from 'convex/values';
import { internalMutation, internalQuery } from './_generated/server.js';
import { cursorValidator, MONITOR_PAGE_BYTES, nextCursor, pageOptions, pageSize } from './lib/monitorDocs.js';
import { snapshotFields, snapshotValidator } from './validators.js';

/**
 * Snapshots one `save` takes at most: 1,000 inserts and 1,000 reads back of their creation time (1,000 index
 * ranges ≤ 2,048; 1,000 documents ≤ 8,000 written), their bytes checked against `MONITOR_PAGE_BYTES` (≤ 8 MiB).
 */
export const MAX_SAVE = 1_000;
/**
 * Snapshots per `betweenPage` at most: 8,000 documents scanned ≤ 16,000; bytes bounded by the page (4 MiB + the
 * crossing document ≤ 8 MiB; a snapshot is about 400 bytes, so the row bound is the one that usually ends a page).
 */
export const SNAPSHOT_PAGE_ROWS = 8_000;

/** A stored snapshot as the port returns it (with `_id` and `_creationTime`). */
const storedSnapshotValidator = v.object({ _id: v.id('dataQualitySnapshots'), _creationTime: v.number(), ...snapshotFields });

/** Inserts the snapshots in order (creation times increase) and returns them as stored. */
export const save = internalMutation({
  args: { snapshots: v.array(snapshotValidator) },
  returns: v.array(storedSnapshotValidator),
  handler: async (ctx, args) => {
    if (args.snapshots.length > MAX_SAVE) {
      throw new ConvexError({ code: 'InvalidArgument', message: `snapshots has ${args.snapshots.length} documents; save at most ${MAX_SAVE} at once` });
    }
    const bytes = args.snapshots.reduce((sum, snapshot) => sum + getDocumentSize(snapshot as Record<string, Value>), 0);
    if (bytes > MONITOR_PAGE_BYTES) throw new ConvexError({ code: 'InvalidArgument', message: `snapshots are ${bytes} bytes; save at most ${MONITOR_PAGE_BYTES} at once` });
    const stored = [];
    for (const snapshot of args.snapshots) {
      const document = await ctx.db.get(await ctx.db.insert('dataQualitySnapshots', snapshot));
      if (document === null) throw new Error('a snapshot inserted in this mutation was not found');
      stored.push(document);
    }
    return stored;
  },
});

/** A page of the snapshots with from ≤ timestamp ≤ to, all scopes, oldest `timestamp` first (ties by creation). */
export const betweenPage = internalQuery({
  args: { from: v.number(), to: v.number(), cursor: cursorValidator, numItems: v.number() },
  returns: v.object({ snapshots: v.array(storedSnapshotValidator), continueCursor: cursorValidator }),
  handler: async (ctx, args) => {
    const numItems = pageSize(args.numItems, SNAPSHOT_PAGE_ROWS);
    const result = await ctx.db
      .query('dataQualitySnapshots')
      .withIndex('by_time', (q) => q.gte('timestamp', args.from).lte('timestamp', args.to))
      .paginate(pageOptions(args.cursor, numItems));
    return { snapshots: result.page, continueCursor: nextCursor(result) };
  },
});

/**
 * The latest snapshot (by `timestamp`, ties by creation) of a scope (a group id, or null platform-wide) with
 * timestamp strictly before `before`, or null. One index range, one document.
 */
export const latestBefore = internalQuery({
  args: { groupId: v.union(v.string(), v.null()), before: v.number() },
  returns: v.union(storedSnapshotValidator, v.null()),
  handler: async (ctx, args) =>
    ctx.db
      .query('dataQualitySnapshots')
      .withIndex('by_group_time', (q) => q.eq('groupId', args.groupId ?? undefined).lt('timestamp', args.before))
      .order('desc')
      .first(),
});
