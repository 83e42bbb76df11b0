/**
 * Bounded document access for the `DocumentStore` port (`src/store/convex/document-store.ts` calls these). Internal
 * functions: only a caller with the deploy key reaches them. Each stays within half of Convex's transaction
 * limits (see `lib/budget.ts`); the arithmetic is next to each bound.
 */
import { ConvexError, v } from 'convex/values';
import type { GenericDatabaseReader } from 'convex/server';
import { internalMutation, internalQuery } from './_generated/server.js';
import type { DataModel } from './_generated/dataModel.js';
import { connectionEndpoints } from '../src/ontology/naming.js';
import { ReadBudget } from './lib/budget.js';
import { logicalTableValidator, namingValidator, physicalTableOf, readMeta, readNaming, V1_COMPLETED_KEY, type LogicalTable } from './lib/tables.js';

/**
 * Documents per `page` at most. 4,000 documents is one index range and 4,000 scanned (≤ 16,000); the bytes are
 * bounded separately by `PAGE_MAX_BYTES`.
 */
export const PAGE_MAX_DOCUMENTS = 4_000;
/**
 * Bytes a `page` or `countPage` reads before it stops early (`maximumBytesRead`): 4 MiB, plus the one document
 * that crosses it (≤ 1 MiB), plus the naming lookup (≤ 3 documents, 3 MiB) = 8 MiB, half of 16 MiB.
 */
export const PAGE_MAX_BYTES = 4 * 1024 * 1024;
/** Documents counted per `countPage` at most: 12,000 scanned (≤ 16,000), bytes bounded by `PAGE_MAX_BYTES`. */
export const COUNT_PAGE_DOCUMENTS = 12_000;
/**
 * Events or connections returned per side by `eventsOfEntity` / `connectionsOfEntity` at most: two (events) or
 * four (connections, both namings) index ranges and at most 4 × 1,000 documents (≤ 16,000); bytes are bounded by
 * a `ReadBudget` (a list stops early when the next document might not fit in 8 MiB).
 */
export const ENTITY_LIST_MAX = 1_000;

const documentValidator = v.any();
const pageResultValidator = v.object({ documents: v.array(documentValidator), continueCursor: v.union(v.string(), v.null()) });

type Reader = GenericDatabaseReader<DataModel>;

/** The physical table of `table` in this deployment. */
async function physical(db: Reader, table: LogicalTable) {
  return physicalTableOf(table, await readNaming(db));
}

/** The naming generation of the deployment (`DocumentStore.naming`). */
export const naming = internalQuery({
  args: {},
  returns: namingValidator,
  handler: async (ctx) => readNaming(ctx.db),
});

/** Whether the v1 migration has completed (`StoreInfo.v1MigrationCompleted`, `CheckPort.v1MigrationCompleted`). */
export const v1MigrationCompleted = internalQuery({
  args: {},
  returns: v.boolean(),
  handler: async (ctx) => (await readMeta(ctx.db, V1_COMPLETED_KEY)) !== null,
});

/**
 * Counts one page of a table (optionally only documents whose own groupId is `groupId`): the count and the
 * cursor to continue, null once the table is done. `table` is logical, or one of ONE's other tables.
 */
export const countPage = internalQuery({
  args: {
    table: v.union(logicalTableValidator, v.literal('thingKnowledge'), v.literal('dataQualitySnapshots'), v.literal('archivedConnections')),
    groupId: v.union(v.string(), v.null()),
    cursor: v.union(v.string(), v.null()),
  },
  returns: v.object({ count: v.number(), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    const table =
      args.table === 'thingKnowledge' || args.table === 'dataQualitySnapshots' || args.table === 'archivedConnections' ? args.table : await physical(ctx.db, args.table);
    const options = { numItems: COUNT_PAGE_DOCUMENTS, cursor: args.cursor, maximumRowsRead: COUNT_PAGE_DOCUMENTS, maximumBytesRead: PAGE_MAX_BYTES };
    const query =
      args.groupId !== null && table !== 'groups' && table !== 'thingKnowledge' && table !== 'archivedConnections'
        ? ctx.db.query(table as 'entities').withIndex('by_group', (q) => q.eq('groupId', args.groupId ?? undefined))
        : ctx.db.query(table as 'entities');
    const result = await query.paginate(options);
    return { count: result.page.length, continueCursor: result.isDone ? null : result.continueCursor };
  },
});

/** One document by id, or null (also for a string that is no id of that table). */
export const get = internalQuery({
  args: { table: logicalTableValidator, id: v.string() },
  returns: v.union(documentValidator, v.null()),
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId(await physical(ctx.db, args.table), args.id);
    return id === null ? null : await ctx.db.get(id);
  },
});

/** The first group with this slug, or null. */
export const findGroupBySlug = internalQuery({
  args: { slug: v.string() },
  returns: v.union(documentValidator, v.null()),
  handler: async (ctx, args) =>
    ctx.db
      .query('groups')
      .withIndex('by_slug', (q) => q.eq('slug', args.slug))
      .first(),
});

function assertPlainFields(fields: unknown, what: string): Record<string, unknown> {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new ConvexError({ code: 'InvalidArgument', message: `${what} must be an object of fields` });
  for (const key of Object.keys(fields)) {
    if (key.startsWith('_')) throw new ConvexError({ code: 'InvalidArgument', message: `${what}: system field ${key} cannot be written` });
  }
  return fields as Record<string, unknown>;
}

/** Inserts a document into a logical table and returns it as stored (with `_id` and `_creationTime`). */
export const insert = internalMutation({
  args: { table: logicalTableValidator, fields: v.any() },
  returns: documentValidator,
  handler: async (ctx, args) => {
    const fields = assertPlainFields(args.fields, 'insert');
    const table = await physical(ctx.db, args.table);
    const id = await ctx.db.insert(table as 'entities', fields as never);
    return await ctx.db.get(id);
  },
});

/**
 * Sets `set` fields and removes `unset` fields of one document. Throws a `ConvexError` with code `NotFound` when
 * the id names no document of the table.
 */
export const patch = internalMutation({
  args: { table: logicalTableValidator, id: v.string(), set: v.any(), unset: v.array(v.string()) },
  returns: v.null(),
  handler: async (ctx, args) => {
    const set = assertPlainFields(args.set, 'patch');
    assertPlainFields(Object.fromEntries(args.unset.map((key) => [key, null])), 'patch');
    const table = await physical(ctx.db, args.table);
    const id = ctx.db.normalizeId(table, args.id);
    if (id === null || (await ctx.db.get(id)) === null) {
      throw new ConvexError({ code: 'NotFound', message: `No document ${args.id} in table ${args.table}` });
    }
    const fields: Record<string, unknown> = { ...set };
    for (const key of args.unset) fields[key] = undefined;
    await ctx.db.patch(id, fields as never);
    return null;
  },
});

/**
 * A page of a logical table in creation order after `cursor` (null: from the start): at most `limit`
 * documents (capped at `PAGE_MAX_DOCUMENTS`), fewer when they reach `PAGE_MAX_BYTES`. The cursor is Convex's.
 */
export const page = internalQuery({
  args: { table: logicalTableValidator, cursor: v.union(v.string(), v.null()), limit: v.number() },
  returns: pageResultValidator,
  handler: async (ctx, args) => {
    if (!Number.isInteger(args.limit) || args.limit < 1) throw new ConvexError({ code: 'InvalidArgument', message: `limit must be a whole number of at least 1, got ${args.limit}` });
    const limit = Math.min(args.limit, PAGE_MAX_DOCUMENTS);
    const table = await physical(ctx.db, args.table);
    const result = await ctx.db
      .query(table as 'entities')
      .paginate({ numItems: limit, cursor: args.cursor, maximumRowsRead: limit, maximumBytesRead: PAGE_MAX_BYTES });
    return { documents: result.page, continueCursor: result.isDone ? null : result.continueCursor };
  },
});

/** Reads up to `limit` documents of a query, stopping early when the next might not fit the budget. */
async function take<T extends object>(query: AsyncIterable<T>, limit: number, budget: ReadBudget): Promise<T[]> {
  const documents: T[] = [];
  budget.range();
  if (limit === 0) return documents;
  for await (const document of query) {
    budget.read(document as never);
    documents.push(document);
    if (documents.length >= limit || !budget.fits(0, 1)) break;
  }
  return documents;
}

function listLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new ConvexError({ code: 'InvalidArgument', message: `limit must be a whole number, got ${limit}` });
  return Math.min(limit, ENTITY_LIST_MAX);
}

/**
 * Events where the entity is actor or target, each once, newest first (by timestamp, then creation time, then
 * id; events without a timestamp last), at most `limit` (capped at `ENTITY_LIST_MAX`).
 */
export const eventsOfEntity = internalQuery({
  args: { entityId: v.string(), limit: v.number() },
  returns: v.array(documentValidator),
  handler: async (ctx, args) => {
    const limit = listLimit(args.limit);
    const budget = new ReadBudget();
    const asActor = await take(ctx.db.query('events').withIndex('by_actor', (q) => q.eq('actorId', args.entityId)).order('desc'), limit, budget);
    const asTarget = await take(ctx.db.query('events').withIndex('by_target', (q) => q.eq('targetId', args.entityId)).order('desc'), limit, budget);
    const byId = new Map([...asActor, ...asTarget].map((event) => [event._id as string, event]));
    const rank = (event: { timestamp?: number }) => (typeof event.timestamp === 'number' ? event.timestamp : -Infinity);
    return [...byId.values()]
      .sort((a, b) => rank(b) - rank(a) || b._creationTime - a._creationTime || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0))
      .slice(0, limit);
  },
});

/**
 * Connections from and to an entity, at most `limit` each (capped at `ENTITY_LIST_MAX`), in creation order. A
 * connection names its ends as `fromEntityId`/`toEntityId` or, pre-v1, `fromThingId`/`toThingId`; both indexes
 * are read and a connection counts for the end `connectionEndpoints` reads (the current name first), as in SQLite.
 * Four index ranges, at most 4,000 documents.
 */
export const connectionsOfEntity = internalQuery({
  args: { entityId: v.string(), limit: v.number() },
  returns: v.object({ outgoing: v.array(documentValidator), incoming: v.array(documentValidator) }),
  handler: async (ctx, args) => {
    const limit = listLimit(args.limit);
    const budget = new ReadBudget();
    const side = async (end: 'fromId' | 'toId') => {
      const [current, legacy] =
        end === 'fromId'
          ? [
              await take(ctx.db.query('connections').withIndex('by_from', (q) => q.eq('fromEntityId', args.entityId)), limit, budget),
              await take(ctx.db.query('connections').withIndex('by_from_thing', (q) => q.eq('fromThingId', args.entityId)), limit, budget),
            ]
          : [
              await take(ctx.db.query('connections').withIndex('by_to', (q) => q.eq('toEntityId', args.entityId)), limit, budget),
              await take(ctx.db.query('connections').withIndex('by_to_thing', (q) => q.eq('toThingId', args.entityId)), limit, budget),
            ];
      const byId = new Map([...current, ...legacy].map((connection) => [connection._id as string, connection]));
      return [...byId.values()]
        .filter((connection) => connectionEndpoints(connection)[end] === args.entityId)
        .sort((a, b) => a._creationTime - b._creationTime)
        .slice(0, limit);
    };
    return { outgoing: await side('fromId'), incoming: await side('toId') };
  },
});
