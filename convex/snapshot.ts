/**
 * Reading the data set for an export (`SnapshotSource`): the tables an export carries and their documents, a
 * bounded page per call. The tables are ONE's: the ontology under the deployment's naming, `thingKnowledge` and
 * `dataQualitySnapshots`; the bot's own tables (monitor state, migration registry, leases) are not data.
 */
import { ConvexError, v } from 'convex/values';
import { internalQuery } from './_generated/server.js';
import { PAGE_MAX_BYTES, PAGE_MAX_DOCUMENTS } from './documents.js';
import { physicalTableOf, readNaming } from './lib/tables.js';

/** Physical tables an export may read. */
const EXPORTABLE = ['groups', 'entities', 'things', 'connections', 'events', 'knowledge', 'thingKnowledge', 'dataQualitySnapshots', 'archivedConnections'] as const;
type Exportable = (typeof EXPORTABLE)[number];

/**
 * The tables of the data set under the deployment's naming, each with the id of its first document (an id
 * carries its table's number) or null when empty. Three index ranges for the naming, one per table: ≤ 11 ranges
 * and 11 documents.
 */
export const tables = internalQuery({
  args: {},
  returns: v.object({
    naming: v.union(v.literal('current'), v.literal('legacy')),
    tables: v.array(v.object({ name: v.string(), firstId: v.union(v.string(), v.null()) })),
  }),
  handler: async (ctx) => {
    const naming = await readNaming(ctx.db);
    const names: Exportable[] = ['groups', physicalTableOf('entities', naming), 'connections', 'events', 'knowledge', 'thingKnowledge', 'dataQualitySnapshots'];
    const listed = [];
    for (const name of names) listed.push({ name, firstId: ((await ctx.db.query(name).first())?._id as string | undefined) ?? null });
    // The archive of `fix orphans` is listed while it holds something: an export after the fix's undo is as before it.
    const archived = await ctx.db.query('archivedConnections').first();
    if (archived !== null) listed.push({ name: 'archivedConnections', firstId: archived._id as string });
    return { naming, tables: listed };
  },
});

/**
 * A page of a physical table in creation order after `cursor`: at most `limit` documents (capped at
 * `PAGE_MAX_DOCUMENTS`, 4,000), fewer once they reach `PAGE_MAX_BYTES` (4 MiB + one crossing document ≤ 5 MiB,
 * within 8 MiB). One index range.
 */
export const page = internalQuery({
  args: { table: v.string(), cursor: v.union(v.string(), v.null()), limit: v.number() },
  returns: v.object({ documents: v.array(v.any()), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    if (!(EXPORTABLE as readonly string[]).includes(args.table)) {
      throw new ConvexError({ code: 'InvalidArgument', message: `Table ${args.table} is not part of the data set` });
    }
    if (!Number.isInteger(args.limit) || args.limit < 1) throw new ConvexError({ code: 'InvalidArgument', message: `limit must be a whole number of at least 1, got ${args.limit}` });
    const limit = Math.min(args.limit, PAGE_MAX_DOCUMENTS);
    const result = await ctx.db
      .query(args.table as Exportable)
      .paginate({ numItems: limit, cursor: args.cursor, maximumRowsRead: limit, maximumBytesRead: PAGE_MAX_BYTES });
    return { documents: result.page, continueCursor: result.isDone ? null : result.continueCursor };
  },
});
