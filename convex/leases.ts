/**
 * Leases for the `LeaseStore` port: compare-and-set in one mutation each, so two processes racing for a lease
 * are serialized by Convex (a mutation is a serializable transaction) and exactly one wins. Each call reads one
 * index range and at most one lease document.
 */
import { v } from 'convex/values';
import type { GenericDatabaseReader } from 'convex/server';
import { internalMutation, internalQuery } from './_generated/server.js';
import type { DataModel } from './_generated/dataModel.js';
import { leaseResultValidator, leaseValidator } from './validators.js';

async function leaseRow(db: GenericDatabaseReader<DataModel>, name: string) {
  return db
    .query('leases')
    .withIndex('by_name', (q) => q.eq('name', name))
    .unique();
}

function asLease(row: { name: string; holder: string; acquiredAt: number; expiresAt: number }) {
  return { name: row.name, holder: row.holder, acquiredAt: row.acquiredAt, expiresAt: row.expiresAt };
}

const timing = { ttlMs: v.number(), now: v.number() };

/** Takes the lease when it is free, expired, or already held by `holder` (then renews it, keeping `acquiredAt`). */
export const acquire = internalMutation({
  args: { name: v.string(), holder: v.string(), ...timing },
  returns: leaseResultValidator,
  handler: async (ctx, args) => {
    const current = await leaseRow(ctx.db, args.name);
    if (current !== null && current.holder !== args.holder && current.expiresAt > args.now) return { acquired: false as const, heldBy: asLease(current) };
    const lease = {
      name: args.name,
      holder: args.holder,
      acquiredAt: current !== null && current.holder === args.holder && current.expiresAt > args.now ? current.acquiredAt : args.now,
      expiresAt: args.now + args.ttlMs,
    };
    if (current === null) await ctx.db.insert('leases', lease);
    else await ctx.db.replace(current._id, lease);
    return { acquired: true as const, lease };
  },
});

/** Extends a lease its holder still has (unexpired); false when it was lost. */
export const renew = internalMutation({
  args: { name: v.string(), holder: v.string(), ...timing },
  returns: v.boolean(),
  handler: async (ctx, args) => {
    const current = await leaseRow(ctx.db, args.name);
    if (current === null || current.holder !== args.holder || current.expiresAt <= args.now) return false;
    await ctx.db.patch(current._id, { expiresAt: args.now + args.ttlMs });
    return true;
  },
});

/** Gives the lease up when `holder` has it; otherwise leaves it alone. */
export const release = internalMutation({
  args: { name: v.string(), holder: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const current = await leaseRow(ctx.db, args.name);
    if (current !== null && current.holder === args.holder) await ctx.db.delete(current._id);
    return null;
  },
});

/** The current lease, expired or not, or null. */
export const get = internalQuery({
  args: { name: v.string() },
  returns: v.union(leaseValidator, v.null()),
  handler: async (ctx, args) => {
    const current = await leaseRow(ctx.db, args.name);
    return current === null ? null : asLease(current);
  },
});
