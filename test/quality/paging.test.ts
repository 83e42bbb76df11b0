import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.ts';
import type { Category } from '../../src/quality/categories.ts';
import { allGroupIds, emptyScanResult, mergeScanResults, scanAll } from '../../src/quality/paging.ts';
import type { CheckPort, CheckScope, GroupPage, ScanPage, ScanResult } from '../../src/quality/port.ts';
import { createTally, emptyCounts, keepIssue, type QualityIssue } from '../../src/quality/tally.ts';

const SCOPE: CheckScope = { categories: ['orphaned'], groupId: null, now: 0, issueLimit: 2, v1MigrationCompleted: false, perGroup: true };

function issue(category: Category, recordId: string): QualityIssue {
  return { category, severity: 'critical', table: 'connections', recordId, groupId: null, description: recordId, metadata: {} };
}

/** A page result with `orphaned` issues, a connection count and per-group connection counts. */
function pageResult(recordIds: string[], groups: Record<string, number>): ScanResult {
  const tally = createTally(SCOPE.issueLimit);
  for (const id of recordIds) keepIssue(tally, issue('orphaned', id));
  tally.counts.orphanedConnections = recordIds.length;
  tally.counts.connections = Object.values(groups).reduce((sum, count) => sum + count, 0);
  return { tally, groups: Object.fromEntries(Object.entries(groups).map(([id, connections]) => [id, { ...emptyCounts(), connections }])) };
}

/** A port that serves fixed pages, keyed by cursor. */
function fixedPort(pages: Record<string, ScanPage>, groupPages: Record<string, GroupPage> = {}): CheckPort {
  return {
    async scanPage(_scope, cursor) {
      const page = pages[cursor ?? 'start'];
      if (!page) throw new InvalidArgumentError(`unknown cursor ${cursor}`);
      return page;
    },
    async groupPage(cursor) {
      return groupPages[cursor ?? 'start'] ?? { groupIds: [], continueCursor: null };
    },
    async v1MigrationCompleted() {
      return false;
    },
  };
}

describe('merging scan pages', () => {
  it('adds counts, adds per-group counts group by group and keeps the first issues in page order', () => {
    const merged = mergeScanResults(pageResult(['a'], { g1: 2, g2: 1 }), pageResult(['b', 'c'], { g2: 3, g3: 1 }), SCOPE);
    expect(merged.tally.counts.orphanedConnections).toBe(3);
    expect(merged.tally.counts.connections).toBe(7);
    expect(merged.tally.issues.orphaned.map((kept) => kept.recordId)).toEqual(['a', 'b']);
    expect(Object.fromEntries(Object.entries(merged.groups!).map(([id, counts]) => [id, counts.connections]))).toEqual({ g1: 2, g2: 4, g3: 1 });
  });

  it('leaves per-group counts out when the scope does not ask for them, and starts from an empty result', () => {
    const scope = { ...SCOPE, perGroup: false };
    expect(mergeScanResults(emptyScanResult(scope), pageResult(['a'], { g1: 1 }), scope)).toEqual({ tally: pageResult(['a'], { g1: 1 }).tally });
    expect(emptyScanResult(SCOPE)).toEqual({ tally: createTally(2), groups: {} });
  });

  it('pages a port to the end and merges in order', async () => {
    const port = fixedPort({
      start: { result: pageResult(['a'], { g1: 1 }), continueCursor: 'p2' },
      p2: { result: pageResult([], {}), continueCursor: 'p3' },
      p3: { result: pageResult(['b', 'c'], { g1: 1, g2: 1 }), continueCursor: null },
    });
    const result = await scanAll(port, SCOPE);
    expect(result.tally.issues.orphaned.map((kept) => kept.recordId)).toEqual(['a', 'b']);
    expect(result.tally.counts.connections).toBe(3);
    expect(result.groups!.g1!.connections).toBe(2);
  });

  it('stops with an error when a port hands out the same cursor twice', async () => {
    const port = fixedPort({
      start: { result: pageResult([], {}), continueCursor: 'loop' },
      loop: { result: pageResult([], {}), continueCursor: 'loop' },
    });
    await expect(scanAll(port, SCOPE)).rejects.toThrow(/returned the cursor "loop" twice/);
  });

  it('lists the groups of every page, sorted', async () => {
    const port = fixedPort({}, { start: { groupIds: ['c', 'a'], continueCursor: 'n' }, n: { groupIds: ['b'], continueCursor: null } });
    expect(await allGroupIds(port)).toEqual(['a', 'b', 'c']);
  });
});
