// @vitest-environment edge-runtime
/**
 * Documents of up to Convex's 1 MiB maximum through the checks, the migration, its exact undo and archival,
 * with the test deployment enforcing HALF of Convex's limits (so "within half of every limit" is what the test
 * asserts, not a claim), driven through `ConvexHttpClient` as the bot drives a real deployment, and compared
 * with the SQLite adapter on the same data: equal results, every call within half of every limit.
 */
import { describe, expect, it } from 'vitest';
import type { ConvexHarness } from './harness.ts';
import { convexSide, HALF_OF_CONVEX_LIMITS, largeEntities, largestShares, legacyDefaultUndo, sqliteSide } from './large-documents-scenario.ts';

/** Connections referencing the 1 MB entities (`LARGE_DOCUMENTS_CONNECTIONS`, a multiple of 1,000, shrinks it to try a change quickly). */
const CONNECTIONS = Number(process.env.LARGE_DOCUMENTS_CONNECTIONS ?? 2_000);

/** SQLite, and Convex enforcing half of each of its limits. */
function sides() {
  return [sqliteSide(), convexSide(HALF_OF_CONVEX_LIMITS)];
}

function expectWithinHalf(harness: ConvexHarness): void {
  expect(harness.requests.filter((request) => !request.ok)).toEqual([]);
  const shares = largestShares(harness.usage);
  if (process.env.CONVEX_LIMIT_SHARES) {
    for (const [path, row] of shares) console.log(path.padEnd(36), Object.entries(row).map(([key, share]) => `${key} ${(share * 100).toFixed(1)}%`).join('  '));
  }
  for (const [path, row] of shares) for (const [key, share] of Object.entries(row)) expect(share, `${path} ${key}`).toBeLessThanOrEqual(0.5);
}

describe('documents of up to 1 MiB, within half of every Convex limit', () => {
  it.each([
    { nonMigrationEvents: 0, why: 'only the migration own events: the group goes, as SQLite removes it' },
    { nonMigrationEvents: 1, why: 'one other event after them: the group stays, one reference' },
  ])('the exact undo finishes past 17 × 1 MB and 1,001 × 15 KB events of the legacy-default group ($why)', { timeout: 600_000 }, async ({ nonMigrationEvents }) => {
    const outcomes: Record<string, unknown>[] = [];
    for (const side of sides()) {
      outcomes.push(await legacyDefaultUndo(side, nonMigrationEvents));
      if (side.harness) expectWithinHalf(side.harness);
    }
    expect(outcomes[0]).toMatchObject({ finished: { removed: nonMigrationEvents === 0, references: nonMigrationEvents, cleared: false }, conflicts: 0, groupKept: nonMigrationEvents > 0, undoState: 'completed' });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('1 MB entities referenced by thousands of connections and events: check, migration, undo and archival equal SQLite', { timeout: 900_000 }, async () => {
    const results: Record<string, unknown>[] = [];
    for (const side of sides()) {
      const { result, batches } = await largeEntities(side, CONNECTIONS);
      results.push(result);
      if (side.harness) {
        expectWithinHalf(side.harness);
        // Large endpoints do not multiply the calls: the four 1 MB entities are read once per call, not per record.
        expect(batches).toBeLessThan(16);
      }
    }
    expect(results[0]!.undoConflicts).toBe(0);
    // Older than a year: 2 × 364 of the 1,500 small events (days 366–729 of each 730) and the ten 1 MB ones.
    expect(results[0]!.archived).toBe(2 * 364 + 10);
    expect(results[1]).toEqual(results[0]);
  });
});
