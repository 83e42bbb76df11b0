// @vitest-environment edge-runtime
/**
 * The Convex check at a size no single transaction can read, with Convex's limits enforced: the full check pages
 * through without a limit error and equals the SQLite check of the same deterministic data set, and a page
 * larger than the bounds allow does fail on a limit (so the bounds are what keeps the pages alive).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, MAX_RECORDS_PER_PAGE } from '../../../convex/lib/checkPage.ts';
import { CATEGORIES } from '../../../src/quality/categories.ts';
import { scanAll } from '../../../src/quality/paging.ts';
import type { CheckScope } from '../../../src/quality/port.ts';
import { seedStore } from '../../../src/seed/seed.ts';
import { SqliteCheckPort } from '../../../src/store/sqlite/check-port.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { isLimitError } from '../../../src/store/convex/index.ts';
import { convexParts } from '../../convex/parts.ts';
import { seedConvex, toDatasetIds, type ConvexSeed } from '../../convex/seed.ts';

const NOW = Date.parse('2026-11-01T00:00:00Z');
const DATASET = { entities: 8_000, seed: 11, now: NOW };
const SCOPE: CheckScope = { categories: CATEGORIES, groupId: null, now: NOW, issueLimit: 40, v1MigrationCompleted: false, perGroup: true };

describe('Convex check at scale (8,000 entities, 20,000 connections, 10,000 events, 2,000 knowledge: more than one transaction may read)', () => {
  const convex = convexParts();
  const dir = mkdtempSync(join(tmpdir(), 'ontology-ops-convex-scale-'));
  const sqlite = SqliteStore.open(join(dir, 'store.db'));
  let seed: ConvexSeed;

  beforeAll(async () => {
    seed = await seedConvex(convex.harness, DATASET);
    const sqliteSummary = await seedStore(sqlite, DATASET);
    expect(seed.summary).toEqual(sqliteSummary);
  }, 120_000);

  afterAll(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages the full check within the limits and equals the SQLite check of the same data set', async () => {
    // The four tables are paged side by side (one cursor each), yet the merged result must be SQLite's.
    expect(convex.checks.tableConcurrency).toBeGreaterThan(1);
    const before = convex.harness.requests.length;
    const result = await scanAll(convex.checks, SCOPE);
    const calls = convex.harness.requests.slice(before);
    expect(calls.every((call) => call.ok)).toBe(true);
    // 40,000 records at most MAX_RECORDS_PER_PAGE per call: the check needs many transactions.
    expect(calls.length).toBeGreaterThan(40_000 / MAX_RECORDS_PER_PAGE);
    const expected = await scanAll(new SqliteCheckPort(sqlite, { useWorker: false }), SCOPE);
    // Per-group counts are a list in no particular order: compared by groupId.
    const byGroup = (scan: typeof expected) => ({ ...scan, groups: scan.groups?.toSorted((a, b) => a.groupId.localeCompare(b.groupId)) });
    expect(byGroup(toDatasetIds(result, seed.fromConvex))).toEqual(byGroup(expected));
    expect(result.tally.counts.connections).toBe(seed.summary.tables.connections);
    expect(result.tally.counts.orphanedConnections).toBe(seed.summary.defects.orphanedConnections);
  }, 120_000);

  it('equals SQLite for one group, paged through its by_group index', async () => {
    const datasetGroupId = seed.idsByTable.groups![1]!;
    const scope = { ...SCOPE, perGroup: false };
    const result = await scanAll(convex.checks, { ...scope, groupId: seed.toConvex.get(datasetGroupId)! });
    const expected = await scanAll(new SqliteCheckPort(sqlite, { useWorker: false }), { ...scope, groupId: datasetGroupId });
    expect(result.tally.counts.entities).toBeGreaterThan(0);
    expect(toDatasetIds(result, seed.fromConvex)).toEqual(expected);
  }, 120_000);

  it('a page of every connection at once, without the bounds, fails on a Convex limit', async () => {
    const unbounded = { indexRanges: Infinity, documents: Infinity, bytes: Infinity };
    const cursor = `{"v":1,"table":"connections","after":null,"skip":0}`;
    const attempt = convex.harness.t.run((ctx) => checkPage(ctx.db, SCOPE, cursor, 1_000_000, unbounded));
    const error = await attempt.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).not.toBeNull();
    expect(isLimitError(error), String(error)).toBe(true);
  }, 120_000);
});
