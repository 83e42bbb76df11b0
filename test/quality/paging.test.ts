import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.ts';
import type { Category } from '../../src/quality/categories.ts';
import { allGroupIds, emptyScanResult, mergeScanResults, scanAll } from '../../src/quality/paging.ts';
import { SCAN_TABLES, scanTablesOf, type CheckPort, type CheckScope, type GroupPage, type ScanPage, type ScanResult, type ScanTable } from '../../src/quality/port.ts';
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
  return { tally, groups: Object.entries(groups).map(([groupId, connections]) => ({ groupId, counts: { ...emptyCounts(), connections } })) };
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
    expect(Object.fromEntries(merged.groups!.map(({ groupId, counts }) => [groupId, counts.connections]))).toEqual({ g1: 2, g2: 4, g3: 1 });
  });

  it('leaves per-group counts out when the scope does not ask for them, and starts from an empty result', () => {
    const scope = { ...SCOPE, perGroup: false };
    expect(mergeScanResults(emptyScanResult(scope), pageResult(['a'], { g1: 1 }), scope)).toEqual({ tally: pageResult(['a'], { g1: 1 }).tally });
    expect(emptyScanResult(SCOPE)).toEqual({ tally: createTally(2), groups: [] });
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
    expect(result.groups!.find((group) => group.groupId === 'g1')!.counts.connections).toBe(2);
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

/** Pages of each table a `tablePort` serves, in storage order. */
type TablePages = Record<ScanTable, ScanResult[]>;

/** A page result with `orphaned` issues and `missingGroupId` issues, for the tables tests. */
function tablePage(orphaned: string[], missing: string[], groups: Record<string, number>): ScanResult {
  const result = pageResult(orphaned, groups);
  for (const id of missing) keepIssue(result.tally, issue('missingGroupId', id));
  result.tally.counts.connectionsMissingGroupId = missing.length;
  return result;
}

/**
 * A port over fixed pages per table that pages like the Convex adapter (one table per page, the cursor naming
 * the table and page; a multi-table scope continues into the next table), waits `delayMs(table)` per page and
 * records the pages in flight.
 */
function tablePort(pages: TablePages, options: { tableConcurrency?: number; delayMs?: (table: ScanTable) => number; failAt?: string; repeatAt?: string } = {}) {
  const log = { inFlight: 0, most: 0, calls: [] as string[], scopes: [] as (readonly ScanTable[])[], callsAtFailure: -1 };
  const port: CheckPort = {
    ...(options.tableConcurrency === undefined ? {} : { tableConcurrency: options.tableConcurrency }),
    async scanPage(scope, cursor) {
      const tables = scanTablesOf(scope);
      const [table, index] = cursor === null ? [tables[0]!, 0] : (JSON.parse(cursor) as [ScanTable, number]);
      const name = `${table}#${index}`;
      log.calls.push(name);
      log.scopes.push(tables);
      log.inFlight++;
      log.most = Math.max(log.most, log.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, options.delayMs?.(table) ?? 1));
        if (name === options.failAt) {
          log.callsAtFailure = log.calls.length;
          throw new Error(`page ${name} failed`);
        }
        const following = tables[tables.indexOf(table) + 1];
        const next: [ScanTable, number] | null =
          name === options.repeatAt ? [table, index] : index + 1 < pages[table].length ? [table, index + 1] : following === undefined ? null : [following, 0];
        return { result: pages[table][index]!, continueCursor: next === null ? null : JSON.stringify(next) };
      } finally {
        log.inFlight--;
      }
    },
    async groupPage() {
      return { groupIds: [], continueCursor: null };
    },
    async v1MigrationCompleted() {
      return false;
    },
  };
  return { port, log };
}

const TABLE_PAGES: TablePages = {
  entities: [tablePage(['e1'], [], { g1: 1 }), tablePage([], ['e2'], { g2: 2 }), tablePage([], [], {})],
  connections: [tablePage(['c1', 'c2'], ['c3'], { g1: 3, g3: 1 }), tablePage(['c4'], [], { g2: 1 })],
  events: [tablePage([], [], {})],
  knowledge: [tablePage(['k1'], ['k2', 'k3'], { g3: 2 }), tablePage(['k4'], [], { g4: 1 }), tablePage([], ['k5'], { g1: 1 }), tablePage(['k6'], [], {})],
};
const TOTAL_PAGES = Object.values(TABLE_PAGES).reduce((sum, pages) => sum + pages.length, 0);

describe('scanning tables side by side (tableConcurrency)', () => {
  it('keeps at most tableConcurrency pages in flight, more than one, each over one table', async () => {
    for (const [tableConcurrency, expected] of [
      [2, 2],
      [3, 3],
      [8, SCAN_TABLES.length],
    ] as const) {
      const { port, log } = tablePort(TABLE_PAGES, { tableConcurrency, delayMs: () => 2 });
      await scanAll(port, SCOPE);
      expect(log.most, `tableConcurrency ${tableConcurrency}`).toBe(expected);
      expect(log.calls).toHaveLength(TOTAL_PAGES);
      expect(log.scopes.every((tables) => tables.length === 1)).toBe(true);
    }
  });

  it('merges in table order to exactly the one-cursor result, issue-limit cut across tables included, whichever table finishes first', async () => {
    // Later tables answer faster, so they finish first: the merge must still put them after the earlier ones.
    const delayMs = (table: ScanTable) => 1 + 3 * (SCAN_TABLES.length - SCAN_TABLES.indexOf(table));
    const scopes: CheckScope[] = [
      SCOPE,
      { ...SCOPE, issueLimit: 3 },
      { ...SCOPE, issueLimit: 0 },
      { ...SCOPE, perGroup: false },
      { ...SCOPE, tables: ['connections', 'knowledge'] },
    ];
    for (const scope of scopes) {
      const sequential = tablePort(TABLE_PAGES);
      const concurrent = tablePort(TABLE_PAGES, { tableConcurrency: 3, delayMs });
      const expected = await scanAll(sequential.port, scope);
      const result = await scanAll(concurrent.port, scope);
      expect(result, JSON.stringify(scope)).toEqual(expected);
      expect(sequential.log.most).toBe(1);
      expect(concurrent.log.most).toBeGreaterThan(1);
      expect(concurrent.log.calls.toSorted()).toEqual(sequential.log.calls.toSorted());
    }
    const cut = await scanAll(tablePort(TABLE_PAGES, { tableConcurrency: 4, delayMs }).port, { ...SCOPE, issueLimit: 3 });
    expect(cut.tally.issues.orphaned.map((kept) => kept.recordId)).toEqual(['e1', 'c1', 'c2']);
    expect(cut.tally.issues.missingGroupId.map((kept) => kept.recordId)).toEqual(['e2', 'c3', 'k2']);
    expect(cut.tally.counts.orphanedConnections).toBe(7);
    expect(Object.fromEntries(cut.groups!.map(({ groupId, counts }) => [groupId, counts.connections]))).toEqual({ g1: 5, g2: 3, g3: 3, g4: 1 });
  });

  it('stops the other tables at the first failure and rejects with it once the pages in flight have settled', async () => {
    const { port, log } = tablePort(TABLE_PAGES, { tableConcurrency: 2, failAt: 'entities#1', delayMs: (table) => (table === 'entities' ? 1 : 4) });
    await expect(scanAll(port, SCOPE)).rejects.toThrow('page entities#1 failed');
    expect(log.inFlight).toBe(0);
    // No page starts after the failure: the connections page in flight then was the last.
    expect(log.calls).toHaveLength(log.callsAtFailure);
    expect(log.calls.length).toBeLessThan(TOTAL_PAGES);
    expect(log.calls.some((call) => call.startsWith('events') || call.startsWith('knowledge'))).toBe(false);
  });

  it('keeps the cursor-repeat guard of each table scan', async () => {
    const { port } = tablePort(TABLE_PAGES, { tableConcurrency: 4, repeatAt: 'knowledge#1' });
    await expect(scanAll(port, SCOPE)).rejects.toThrow(/returned the cursor "\["knowledge",1\]" twice/);
  });

  it('scans one cursor when the scope covers one table, or the port leaves tableConcurrency at 1', async () => {
    const oneTable = tablePort(TABLE_PAGES, { tableConcurrency: 4 });
    await scanAll(oneTable.port, { ...SCOPE, tables: ['knowledge'] });
    expect(oneTable.log.most).toBe(1);
    const bound1 = tablePort(TABLE_PAGES, { tableConcurrency: 1 });
    await scanAll(bound1.port, SCOPE);
    expect(bound1.log.most).toBe(1);
    expect(bound1.log.scopes.every((tables) => tables.length === SCAN_TABLES.length)).toBe(true);
  });
});
