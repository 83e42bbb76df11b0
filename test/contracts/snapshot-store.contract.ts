/**
 * The contract of `SnapshotStore` (monitors/ports.ts), for every adapter: `dataQualitySnapshots` documents
 * saved with ids and increasing creation times, read back by time window and as a scope's latest before a time.
 */
import { describe, expect, it } from 'vitest';
import type { QualitySnapshot, SnapshotStore } from '../../monitors/ports.ts';

/** The port and a close. */
export interface SnapshotStoreHandles {
  port: SnapshotStore;
  close: () => Promise<void>;
}

const DAY = 86_400_000;
const T = Date.parse('2026-11-20T02:00:00Z');

/** A snapshot row as the daily job writes it (shared with the adapters' own snapshot tests). */
export function snapshot(
  timestamp: number,
  groupId: string | null,
  score: number,
  status: QualitySnapshot['metadata']['status'] = 'warning',
): Omit<QualitySnapshot, '_id' | '_creationTime'> {
  return {
    timestamp,
    ...(groupId !== null ? { groupId } : {}),
    referentialIntegrityScore: score,
    orphanedConnections: 1,
    crossGroupViolations: 0,
    malformedProperties: 2,
    metadata: {
      orphanedEntityCount: 1,
      missingGroupIds: 0,
      malformedPropertiesPercent: 0.5,
      schemaComplianceScore: 99.5,
      eventArchivalProgress: 100,
      invalidMetadataCount: 0,
      status,
    },
  };
}

/** Declares the suite for one adapter. */
export function snapshotStoreContract(name: string, open: () => Promise<SnapshotStoreHandles>): void {
  const withPort = async <R>(body: (port: SnapshotStore) => Promise<R>): Promise<R> => {
    const handles = await open();
    try {
      return await body(handles.port);
    } finally {
      await handles.close();
    }
  };

  describe(`SnapshotStore contract: ${name}`, () => {
    it('saves documents with distinct ids and increasing creation times, and returns them as stored', () =>
      withPort(async (port) => {
        const saved = await port.saveSnapshots([snapshot(T, null, 99), snapshot(T, 'g1', 98)], T);
        const again = await port.saveSnapshots([snapshot(T + DAY, null, 97)], T + DAY);
        const all = [...saved, ...again];
        expect(new Set(all.map((document) => document._id)).size).toBe(3);
        for (let index = 1; index < all.length; index++) expect(all[index]!._creationTime).toBeGreaterThan(all[index - 1]!._creationTime);
        expect(saved[1]).toMatchObject({ ...snapshot(T, 'g1', 98) });
        expect('groupId' in saved[0]!).toBe(false);
        expect(await port.snapshotsBetween(T, T + DAY)).toEqual(all);
      }));

    it('reads a window inclusive at both ends, oldest timestamp first whatever the save order', () =>
      withPort(async (port) => {
        await port.saveSnapshots([snapshot(T + 2 * DAY, null, 96)], T + 2 * DAY);
        await port.saveSnapshots([snapshot(T, null, 99), snapshot(T, 'g1', 90)], T + 3 * DAY);
        await port.saveSnapshots([snapshot(T + DAY, 'g1', 91)], T + 3 * DAY);
        await port.saveSnapshots([snapshot(T + 3 * DAY, null, 95)], T + 3 * DAY);
        const window = await port.snapshotsBetween(T, T + 2 * DAY);
        expect(window.map((document) => [document.timestamp - T, document.groupId ?? null])).toEqual([
          [0, null],
          [0, 'g1'],
          [DAY, 'g1'],
          [2 * DAY, null],
        ]);
        expect(await port.snapshotsBetween(T + 4 * DAY, T + 5 * DAY)).toEqual([]);
      }));

    it("finds a scope's latest snapshot strictly before a time, platform and group apart", () =>
      withPort(async (port) => {
        await port.saveSnapshots([snapshot(T, null, 99), snapshot(T, 'g1', 90)], T);
        await port.saveSnapshots([snapshot(T + DAY, null, 98)], T + DAY);
        await port.saveSnapshots([snapshot(T + 2 * DAY, 'g2', 80)], T + 2 * DAY);
        expect((await port.latestSnapshotBefore(null, T + DAY))!.referentialIntegrityScore).toBe(99);
        expect((await port.latestSnapshotBefore(null, T + DAY + 1))!.referentialIntegrityScore).toBe(98);
        expect((await port.latestSnapshotBefore('g1', T + 10 * DAY))!.referentialIntegrityScore).toBe(90);
        expect(await port.latestSnapshotBefore('g1', T)).toBeNull();
        expect(await port.latestSnapshotBefore('g3', T + 10 * DAY)).toBeNull();
        expect((await port.latestSnapshotBefore('g2', T + 10 * DAY))!.groupId).toBe('g2');
      }));

    it('breaks a tie of timestamps by creation: the later saved is the latest', () =>
      withPort(async (port) => {
        await port.saveSnapshots([snapshot(T, null, 50)], T);
        await port.saveSnapshots([snapshot(T, null, 60)], T + 1);
        expect((await port.latestSnapshotBefore(null, T + 1))!.referentialIntegrityScore).toBe(60);
        expect((await port.snapshotsBetween(T, T)).map((document) => document.referentialIntegrityScore)).toEqual([50, 60]);
      }));
  });
}
