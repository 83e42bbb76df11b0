/**
 * The contract every `LeaseStore` adapter passes (with the same store's `MetaStore`): leases are a
 * compare-and-set — free, expired or own leases are taken, live leases of others are refused and reported,
 * renewals only extend a live lease of its holder, releases only drop one's own, and of callers racing for a free
 * lease exactly one wins. Settings read back what was set, last write wins.
 */
import { describe, expect, it } from 'vitest';
import type { LeaseStore, MetaStore } from '../../src/store/port.ts';

/** What a contract run needs from an adapter. */
export interface LeaseStoreHandles {
  port: LeaseStore;
  /** The same store's settings. */
  meta: MetaStore;
  close: () => Promise<void>;
}

/** Declares the lease-store (and meta-store) contract for one adapter. */
export function leaseStoreContract(name: string, open: () => Promise<LeaseStoreHandles>): void {
  const withStore = async (run: (handles: LeaseStoreHandles) => Promise<void>) => {
    const handles = await open();
    try {
      await run(handles);
    } finally {
      await handles.close();
    }
  };

  describe(`LeaseStore contract: ${name}`, () => {
    it.each([
      ['free', null, 'b', 0, true],
      ['held by another, not expired', 'a', 'b', 500, false],
      ['held by another, exactly at expiry', 'a', 'b', 1000, true],
      ['held by another, expired', 'a', 'b', 1500, true],
      ['held by the same holder', 'a', 'a', 500, true],
    ])('%s: acquired %s', (_case, firstHolder, secondHolder, at, expected) =>
      withStore(async ({ port }) => {
        if (firstHolder !== null) expect((await port.acquireLease('lock', firstHolder, 1000, 0)).acquired).toBe(true);
        const result = await port.acquireLease('lock', secondHolder as string, 1000, at as number);
        expect(result.acquired).toBe(expected);
        if (result.acquired) {
          // A renewal by the holder keeps when it was first taken; a takeover starts a new lease.
          const acquiredAt = firstHolder === secondHolder ? 0 : at;
          expect(result.lease).toEqual({ name: 'lock', holder: secondHolder, acquiredAt, expiresAt: (at as number) + 1000 });
          expect(await port.getLease('lock')).toEqual(result.lease);
        } else {
          expect(result.heldBy).toEqual({ name: 'lock', holder: 'a', acquiredAt: 0, expiresAt: 1000 });
          expect(await port.getLease('lock')).toEqual(result.heldBy);
        }
      }),
    );

    it('renews only a live lease of its holder, releases only its own, and shows an expired lease until replaced', () =>
      withStore(async ({ port }) => {
        expect(await port.renewLease('lock', 'a', 1000, 0)).toBe(false);
        await port.acquireLease('lock', 'a', 1000, 0);
        expect(await port.renewLease('lock', 'b', 1000, 100)).toBe(false);
        expect(await port.renewLease('lock', 'a', 1000, 100)).toBe(true);
        expect(await port.getLease('lock')).toEqual({ name: 'lock', holder: 'a', acquiredAt: 0, expiresAt: 1100 });
        expect(await port.renewLease('lock', 'a', 1000, 5000)).toBe(false);
        expect(await port.getLease('lock')).toEqual({ name: 'lock', holder: 'a', acquiredAt: 0, expiresAt: 1100 });
        await port.releaseLease('lock', 'b');
        expect((await port.getLease('lock'))?.holder).toBe('a');
        await port.releaseLease('lock', 'a');
        expect(await port.getLease('lock')).toBeNull();
        expect((await port.acquireLease('lock', 'b', 1000, 6000)).acquired).toBe(true);
      }));

    it('keeps leases of different names apart', () =>
      withStore(async ({ port }) => {
        expect((await port.acquireLease('one', 'a', 1000, 0)).acquired).toBe(true);
        expect((await port.acquireLease('two', 'b', 1000, 0)).acquired).toBe(true);
        expect((await port.getLease('one'))?.holder).toBe('a');
        expect((await port.getLease('two'))?.holder).toBe('b');
        expect(await port.getLease('three')).toBeNull();
      }));

    it('lets exactly one of several callers racing for a free lease take it', () =>
      withStore(async ({ port }) => {
        const holders = ['a', 'b', 'c', 'd', 'e', 'f'];
        const results = await Promise.all(holders.map((holder) => port.acquireLease('race', holder, 1000, 0)));
        const winners = results.filter((result) => result.acquired);
        expect(winners).toHaveLength(1);
        const winner = winners[0]!.acquired ? winners[0]!.lease.holder : null;
        for (const result of results) if (!result.acquired) expect(result.heldBy.holder).toBe(winner);
        expect((await port.getLease('race'))?.holder).toBe(winner);
      }));
  });

  describe(`MetaStore contract: ${name}`, () => {
    it('reads back what was set, null for a key never set, the last value after an overwrite', () =>
      withStore(async ({ meta }) => {
        expect(await meta.getMeta('v1_migration_completed_at')).toBeNull();
        await meta.setMeta('v1_migration_completed_at', '2026-01-01T00:00:00.000Z');
        await meta.setMeta('other', 'x');
        expect(await meta.getMeta('v1_migration_completed_at')).toBe('2026-01-01T00:00:00.000Z');
        await meta.setMeta('v1_migration_completed_at', '2026-02-01T00:00:00.000Z');
        expect(await meta.getMeta('v1_migration_completed_at')).toBe('2026-02-01T00:00:00.000Z');
        expect(await meta.getMeta('other')).toBe('x');
      }));
  });
}
