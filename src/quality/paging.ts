/**
 * Paging over the check port: merging page results and the loops that page a scan or the group listing to
 * the end. Pure apart from awaiting the port, so the same loop drives the SQLite adapter (usually one page)
 * and the Convex adapter (one page per function call).
 */
import type { CheckPort, CheckScope, ScanResult } from './port.ts';
import { addCounts, createTally, mergeTallies } from './tally.ts';

/** The result of scanning nothing: what merging starts from. */
export function emptyScanResult(scope: Pick<CheckScope, 'issueLimit' | 'perGroup'>): ScanResult {
  return scope.perGroup ? { tally: createTally(scope.issueLimit), groups: {} } : { tally: createTally(scope.issueLimit) };
}

/**
 * Merges the results of two consecutive pages of one scan (`a` before `b`): counts add up, per-group counts
 * add up group by group, and each category keeps `a`'s issues before `b`'s, cut at the scope's issue limit, so
 * the kept issues are the first ones in scan order, as one page over both would have kept.
 */
export function mergeScanResults(a: ScanResult, b: ScanResult, scope: Pick<CheckScope, 'issueLimit' | 'perGroup'>): ScanResult {
  const tally = mergeTallies({ ...a.tally, issueLimit: scope.issueLimit }, { ...b.tally, issueLimit: scope.issueLimit });
  if (!scope.perGroup) return { tally };
  const groups = { ...a.groups };
  for (const [groupId, counts] of Object.entries(b.groups ?? {})) {
    const before = groups[groupId];
    groups[groupId] = before === undefined ? counts : addCounts(before, counts);
  }
  return { tally, groups };
}

/** A port that answered the same cursor twice would loop forever: this many repeats of one cursor fail. */
function assertProgress(seen: Set<string>, cursor: string, what: string): void {
  if (seen.has(cursor)) throw new Error(`The check port returned the cursor "${cursor}" twice while paging ${what}; the adapter is broken.`);
  seen.add(cursor);
}

/** Scans a whole scope: pages through the port to the end and merges the pages in order. */
export async function scanAll(port: CheckPort, scope: CheckScope): Promise<ScanResult> {
  let result = emptyScanResult(scope);
  let cursor: string | null = null;
  const seen = new Set<string>();
  do {
    const page = await port.scanPage(scope, cursor);
    result = mergeScanResults(result, page.result, scope);
    cursor = page.continueCursor;
    if (cursor !== null) assertProgress(seen, cursor, 'a scan');
  } while (cursor !== null);
  return result;
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
