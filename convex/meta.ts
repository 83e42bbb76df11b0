/** Store settings for the `MetaStore` port: one `storeMeta` document per key (one index range per call). */
import { v } from 'convex/values';
import { internalMutation, internalQuery } from './_generated/server.js';
import { readMeta } from './lib/tables.js';

/** A setting's value, or null. */
export const get = internalQuery({
  args: { key: v.string() },
  returns: v.union(v.string(), v.null()),
  handler: async (ctx, args) => readMeta(ctx.db, args.key),
});

/** Sets a setting (insert or replace). */
export const set = internalMutation({
  args: { key: v.string(), value: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const row = await ctx.db
      .query('storeMeta')
      .withIndex('by_key', (q) => q.eq('key', args.key))
      .unique();
    if (row === null) await ctx.db.insert('storeMeta', { key: args.key, value: args.value });
    else await ctx.db.patch(row._id, { value: args.value });
    return null;
  },
});
