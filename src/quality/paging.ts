/**
 * Paging over the check port: merging page results and the loops that page a scan or the group listing to
 * the end. Pure apart from awaiting the port, so the same loop drives the SQLite adapter (usually one page)
 * and the Convex adapter (one page per function call, the tables' cursors side by side).
 */
import { byGroupId, scanTablesOf, type CheckPort, type CheckScope, type ScanResult, type ScanTable } from './port.ts';
import { addCounts, createTally, mergeTallies } from './tally.ts';

/** The result of scanning nothing: what merging starts from. */
export function emptyScanResult(scope: Pick<CheckScope, 'issueLimit' | 'perGroup'>): ScanResult {
  return scope.perGroup ? { tally: createTally(scope.issueLimit), groups: [] } : { tally: createTally(scope.issueLimit) };
}

/**
 * Merges the results of two consecutive pages of one scan (`a` before `b`): counts add up, per-group counts
 * add up group by group, and each category keeps `a`'s issues before `b`'s, cut at the scope's issue limit, so
 * the kept issues are the first ones in scan order, as one page over both would have kept.
 */
export function mergeScanResults(a: ScanResult, b: ScanResult, scope: Pick<CheckScope, 'issueLimit' | 'perGroup'>): ScanResult {
  const tally = mergeTallies({ ...a.tally, issueLimit: scope.issueLimit }, { ...b.tally, issueLimit: scope.issueLimit });
  if (!scope.perGroup) return { tally };
  const groups = new Map((a.groups ?? []).map((group) => [group.groupId, group.counts]));
  for (const { groupId, counts } of b.groups ?? []) {
    const before = groups.get(groupId);
    groups.set(groupId, before === undefined ? counts : addCounts(before, counts));
  }
  return { tally, groups: [...groups].map(([groupId, counts]) => ({ groupId, counts })).sort(byGroupId) };
}

/** A port that answered the same cursor twice would loop forever: this many repeats of one cursor fail. */
function assertProgress(seen: Set<string>, cursor: string, what: string): void {
  if (seen.has(cursor)) throw new Error(`The check port returned the cursor "${cursor}" twice while paging ${what}; the adapter is broken.`);
  seen.add(cursor);
}

/** Set once any table scan of a concurrent `scanAll` has failed: the others start no further page. */
interface StopSignal {
  stopped: boolean;
}

/** Pages one cursor through `scope` to the end (or until `stop` is set), merging the pages in order. */
async function scanPages(port: CheckPort, scope: CheckScope, stop: StopSignal | null): Promise<ScanResult> {
  let result = emptyScanResult(scope);
  let cursor: string | null = null;
  const seen = new Set<string>();
  do {
    const page = await port.scanPage(scope, cursor);
    result = mergeScanResults(result, page.result, scope);
    cursor = page.continueCursor;
    if (cursor !== null) assertProgress(seen, cursor, 'a scan');
  } while (cursor !== null && stop?.stopped !== true);
  return result;
}

/**
 * Scans one sub-scope per table, at most `bound` at a time, and merges their results in table order. Each
 * table's pages keep their own order and cursor-repeat guard; since merging is associative and the tables come
 * in scan order, the result equals the one-cursor scan's. When a table scan fails the others start no new
 * page; once the pages already in flight have settled, the first failure is thrown.
 */
async function scanTablesConcurrently(port: CheckPort, scope: CheckScope, tables: readonly ScanTable[], bound: number): Promise<ScanResult> {
  const results: ScanResult[] = [];
  const stop: StopSignal = { stopped: false };
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stop.stopped && next < tables.length) {
      const index = next++;
      try {
        results[index] = await scanPages(port, { ...scope, tables: [tables[index]!] }, stop);
      } catch (error) {
        failures.push(error);
        stop.stopped = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(bound, tables.length) }, worker));
  if (failures.length > 0) throw failures[0];
  return results.reduce((merged, result) => mergeScanResults(merged, result, scope), emptyScanResult(scope));
}

/**
 * Scans a whole scope: pages through the port to the end and merges the pages in order. When the port asks for
 * it (`tableConcurrency` > 1) and the scope covers several tables, the tables are scanned side by side, at most
 * `tableConcurrency` at once, with the same result.
 */
export async function scanAll(port: CheckPort, scope: CheckScope): Promise<ScanResult> {
  const bound = port.tableConcurrency ?? 1;
  const tables = scanTablesOf(scope);
  if (bound > 1 && tables.length > 1) return scanTablesConcurrently(port, scope, tables, bound);
  return scanPages(port, scope, null);
}

/** The ids of every group in the groups table, sorted, paged through the port. */
export async function allGroupIds(port: CheckPort): Promise<string[]> {
  const groupIds: string[] = [];
  let cursor: string | null = null;
  const seen = new Set<string>();
  do {
    const page = await port.groupPage(cursor);
    groupIds.push(...page.groupIds);
    cursor = page.continueCursor;
    if (cursor !== null) assertProgress(seen, cursor, 'the groups');
  } while (cursor !== null);
  return groupIds.sort();
}
