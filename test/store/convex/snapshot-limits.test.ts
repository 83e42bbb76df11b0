// @vitest-environment edge-runtime
/**
 * `snapshotsBetween` over a month of hourly and daily snapshots of 100 groups and the platform (75,750
 * documents, more than twice what one Convex transaction may scan) reads the window page by page, every page
 * within HALF of Convex's limits (the harness enforces half), while reading the same window in one transaction
 * fails on the limit, so the test can fail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { QualitySnapshot } from '../../../monitors/ports.ts';
import { ConvexSnapshotStore, SNAPSHOT_PAGE_ROWS } from '../../../src/store/convex/snapshot-store.ts';
import { convexParts } from '../../convex/parts.ts';
import { snapshot as contractSnapshot } from '../../contracts/snapshot-store.contract.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-10-01T00:00:00Z');
const DAYS = 30;
const GROUPS = 100;
/** Half of each Convex per-transaction limit: what every monitor function promises to stay within. */
const HALF_LIMITS = { documentsRead: 16_000, bytesRead: 8 * 1024 * 1024, databaseQueries: 2_048, documentsWritten: 8_000, bytesWritten: 8 * 1024 * 1024 };
/** Documents per seeding transaction (within the half limits). */
const SEED_BATCH = 5_000;

/** An hourly (healthy) or daily (warning) snapshot row. */
function snapshot(timestamp: number, groupId: string | null, kind: 'hourly' | 'daily'): Omit<QualitySnapshot, '_id' | '_creationTime'> {
  return contractSnapshot(timestamp, groupId, 99.5, kind === 'daily' ? 'warning' : 'healthy');
}

/** Every scope's hourly snapshots, and at 02:00 also its daily one. */
function month(groupIds: readonly (string | null)[]): Omit<QualitySnapshot, '_id' | '_creationTime'>[] {
  const documents = [];
  for (let hour = 0; hour < DAYS * 24; hour++) {
    const at = START + hour * HOUR;
    for (const groupId of groupIds) documents.push(snapshot(at, groupId, 'hourly'));
    if (hour % 24 === 2) for (const groupId of groupIds) documents.push(snapshot(at, groupId, 'daily'));
  }
  return documents;
}

describe('Convex snapshot reads stay within half of the transaction limits by paging', () => {
  const parts = convexParts({ limits: HALF_LIMITS });
  const port = new ConvexSnapshotStore(parts.caller);
  const scopes = [null, ...Array.from({ length: GROUPS }, (_, index) => `g${String(index).padStart(3, '0')}`)];
  const documents = month(scopes);

  beforeAll(async () => {
    for (let start = 0; start < documents.length; start += SEED_BATCH) {
      const batch = documents.slice(start, start + SEED_BATCH);
      await parts.harness.t.run(async (ctx) => {
        for (const document of batch) await ctx.db.insert('dataQualitySnapshots', document);
      });
    }
  }, 120_000);

  it('reads the whole month (75,750 documents) in pages, oldest timestamp first, ties by creation', async () => {
    expect(documents).toHaveLength(DAYS * 24 * 101 + DAYS * 101);
    const before = parts.harness.requests.length;
    const read = await port.snapshotsBetween(START, START + DAYS * DAY);
    expect(read).toHaveLength(documents.length);
    for (let index = 1; index < read.length; index++) {
      const [a, b] = [read[index - 1]!, read[index]!];
      expect(a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a._creationTime < b._creationTime)).toBe(true);
    }
    // Seeded in timestamp order, so creation order within a timestamp is the seeding order.
    expect(read.map((document) => [document.timestamp, document.groupId ?? null, document.metadata.status])).toEqual(
      documents.map((document) => [document.timestamp, document.groupId ?? null, document.metadata.status]),
    );
    const calls = parts.harness.requests.slice(before);
    expect(calls.every((call) => call.path === 'snapshots:betweenPage' && call.ok)).toBe(true);
    expect(calls).toHaveLength(Math.ceil(documents.length / SNAPSHOT_PAGE_ROWS));
  }, 60_000);

  it('reads one day inclusive at both ends', async () => {
    const day = await port.snapshotsBetween(START + DAY, START + 2 * DAY);
    expect(day).toHaveLength(25 * 101 + 101);
    expect(day[0]!.timestamp).toBe(START + DAY);
    expect(day.at(-1)!.timestamp).toBe(START + 2 * DAY);
  });

  it('finds a scope’s latest snapshot before a time with one bounded read', async () => {
    const latest = await port.latestSnapshotBefore('g042', START + 10 * DAY);
    expect(latest).toMatchObject({ groupId: 'g042', timestamp: START + 10 * DAY - HOUR });
    expect((await port.latestSnapshotBefore(null, START + 2 * DAY + 2 * HOUR + 1))!.metadata.status).toBe('warning');
  });

  it('fails on the limit when the same window is read in one transaction', async () => {
    await expect(
      parts.harness.t.run(async (ctx) =>
        ctx.db
          .query('dataQualitySnapshots')
          .withIndex('by_time', (q) => q.gte('timestamp', START).lte('timestamp', START + DAYS * DAY))
          .collect(),
      ),
    ).rejects.toThrow(/Scanned too many documents/);
  });

  it('refuses a page larger than the bound', async () => {
    await expect(
      parts.caller.query('snapshots:betweenPage', { from: START, to: START + DAY, cursor: null, numItems: SNAPSHOT_PAGE_ROWS + 1 }),
    ).rejects.toThrow(/numItems must be a whole number from 1 to 8000/);
  });
});
