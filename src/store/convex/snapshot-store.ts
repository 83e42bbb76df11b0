/**
 * The `SnapshotStore` port over a Convex deployment (`convex/snapshots.ts`). `snapshotsBetween` reads the window
 * page by page (8,000 documents a call), so a month of hourly and daily snapshots of every group stays within
 * Convex's limits; `saveSnapshots` writes up to 1,000 documents per mutation.
 */
import type { Value } from 'convex/values';
import type { QualitySnapshot, SnapshotStore } from '../../../monitors/ports.ts';
import type { ConvexCaller } from './client.ts';
import { readPages } from './pages.ts';

/** Documents per `snapshots:save` (the server's `MAX_SAVE`). */
export const SNAPSHOT_SAVE_BATCH = 1_000;
/** Documents per `snapshots:betweenPage` (the server's `SNAPSHOT_PAGE_ROWS`). */
export const SNAPSHOT_PAGE_ROWS = 8_000;

/** The `dataQualitySnapshots` table of a Convex deployment (constructed by the composition root). */
export class ConvexSnapshotStore implements SnapshotStore {
  constructor(private readonly caller: ConvexCaller) {}

  /**
   * One mutation per 1,000 documents, in order. A daily run writes one document per group plus the platform's,
   * so up to 999 groups it is one transaction; past that a crash between batches leaves the earlier batches saved.
   * `at` is the caller's clock; Convex assigns `_creationTime` itself (increasing).
   */
  async saveSnapshots(snapshots: Omit<QualitySnapshot, '_id' | '_creationTime'>[], _at: number): Promise<QualitySnapshot[]> {
    const saved: QualitySnapshot[] = [];
    for (let start = 0; start < snapshots.length; start += SNAPSHOT_SAVE_BATCH) {
      const batch = snapshots.slice(start, start + SNAPSHOT_SAVE_BATCH).map((snapshot) => snapshot as unknown as Value);
      saved.push(...(await this.caller.mutation<QualitySnapshot[]>('snapshots:save', { snapshots: batch })));
    }
    return saved;
  }

  snapshotsBetween(from: number, to: number): Promise<QualitySnapshot[]> {
    return readPages<QualitySnapshot>(this.caller, 'snapshots:betweenPage', { from, to }, 'snapshots', Infinity, SNAPSHOT_PAGE_ROWS);
  }

  latestSnapshotBefore(groupId: string | null, before: number): Promise<QualitySnapshot | null> {
    return this.caller.query<QualitySnapshot | null>('snapshots:latestBefore', { groupId, before });
  }
}
