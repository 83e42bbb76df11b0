/** The `LeaseStore` port over a Convex deployment: each method is one compare-and-set mutation of `convex/leases.ts`. */
import type { Lease, LeaseResult, LeaseStore } from '../port.ts';
import type { ConvexCaller } from './client.ts';

/** Leases in a Convex deployment (constructed by the composition root). */
export class ConvexLeaseStore implements LeaseStore {
  constructor(private readonly caller: ConvexCaller) {}

  acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<LeaseResult> {
    return this.caller.mutation<LeaseResult>('leases:acquire', { name, holder, ttlMs, now });
  }

  renewLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
    return this.caller.mutation<boolean>('leases:renew', { name, holder, ttlMs, now });
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.caller.mutation('leases:release', { name, holder });
  }

  getLease(name: string): Promise<Lease | null> {
    return this.caller.query<Lease | null>('leases:get', { name });
  }
}
