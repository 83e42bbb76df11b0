/**
 * Quality checks for the `CheckPort`: one bounded page per call (`lib/checkPage.ts` has the arithmetic) and the
 * group listing, paged. The Convex `CheckPort` adapter (`src/store/convex/check-port.ts`) calls these.
 */
import { ConvexError, v } from 'convex/values';
import { internalQuery } from './_generated/server.js';
import { CATEGORIES, type Category } from '../src/quality/categories.js';
import { SCAN_TABLES, type CheckScope, type ScanTable } from '../src/quality/port.js';
import { checkPage, MAX_RECORDS_PER_PAGE } from './lib/checkPage.js';

/**
 * Group ids per `groupPage`: one index range and 4,000 documents scanned (≤ 16,000); bytes bounded by
 * `maximumBytesRead` at 4 MiB (+ the crossing document, ≤ 1 MiB), within 8 MiB.
 */
export const GROUP_PAGE_SIZE = 4_000;
const GROUP_PAGE_MAX_BYTES = 4 * 1024 * 1024;

/** The `CheckScope` as sent over the wire. */
export const scopeValidator = v.object({
  categories: v.array(v.string()),
  metricCounts: v.optional(v.boolean()),
  tables: v.optional(v.array(v.string())),
  groupId: v.union(v.string(), v.null()),
  now: v.number(),
  issueLimit: v.number(),
  v1MigrationCompleted: v.boolean(),
  perGroup: v.optional(v.boolean()),
});

function checkedScope(scope: typeof scopeValidator.type): CheckScope {
  for (const category of scope.categories) {
    if (!(CATEGORIES as readonly string[]).includes(category)) throw new ConvexError({ code: 'InvalidArgument', message: `Unknown check category "${category}"` });
  }
  for (const table of scope.tables ?? []) {
    if (!(SCAN_TABLES as readonly string[]).includes(table)) throw new ConvexError({ code: 'InvalidArgument', message: `Unknown scan table "${table}"` });
  }
  if (!Number.isSafeInteger(scope.issueLimit) || scope.issueLimit < 0) {
    throw new ConvexError({ code: 'InvalidArgument', message: `issueLimit must be a whole number, got ${scope.issueLimit}` });
  }
  return { ...scope, categories: scope.categories as Category[], tables: scope.tables as ScanTable[] | undefined };
}

/**
 * One page of a check: the tally and kept issues (and per-group counts) of the records it covered, and the
 * cursor to continue (null when done). `maxRecords` (≤ 1,000) lets a caller ask for smaller pages.
 */
export const scanPage = internalQuery({
  args: { scope: scopeValidator, cursor: v.union(v.string(), v.null()), maxRecords: v.number() },
  returns: v.object({ result: v.any(), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    if (!Number.isSafeInteger(args.maxRecords) || args.maxRecords < 1 || args.maxRecords > MAX_RECORDS_PER_PAGE) {
      throw new ConvexError({ code: 'InvalidArgument', message: `maxRecords must be a whole number from 1 to ${MAX_RECORDS_PER_PAGE}, got ${args.maxRecords}` });
    }
    return checkPage(ctx.db, checkedScope(args.scope), args.cursor, args.maxRecords);
  },
});

/** One page of the groups' ids in creation order; the cursor is Convex's. */
export const groupPage = internalQuery({
  args: { cursor: v.union(v.string(), v.null()) },
  returns: v.object({ groupIds: v.array(v.string()), continueCursor: v.union(v.string(), v.null()) }),
  handler: async (ctx, args) => {
    const page = await ctx.db
      .query('groups')
      .paginate({ numItems: GROUP_PAGE_SIZE, cursor: args.cursor, maximumRowsRead: GROUP_PAGE_SIZE, maximumBytesRead: GROUP_PAGE_MAX_BYTES });
    return { groupIds: page.page.map((group) => group._id as string), continueCursor: page.isDone ? null : page.continueCursor };
  },
});
