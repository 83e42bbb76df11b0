/**
 * The check port: what a store adapter implements so the quality service can check it. It speaks in pages of
 * mergeable results, never "give me the tables", so every adapter stays within its limits:
 *
 * - `scanPage(scope, null)` starts a scan; each answer carries a `ScanResult` for the records that page covered
 *   and an opaque `continueCursor`; passing it back (with the same scope) continues; null means done. The
 *   results of all pages, merged in page order with `mergeScanResults`, are the scan of the whole scope
 *   (`scanAll` does exactly that).
 * - Records are visited table by table in `SCAN_TABLES` order (entities, connections, events, knowledge, only
 *   those `scanTablesOf(scope)` lists) and, within a table, in storage order (`_creationTime` in Convex, rowid
 *   in SQLite). Kept issues therefore come in that order, and a page keeps at most `issueLimit` per category.
 * - Every page judges its records with the shared pure rules (`DocumentScan`, or the functions in
 *   `record-rules.ts`, `rules.ts` and `issues.ts` it is built from). Lookups of referenced entities see every
 *   entity of the store, whatever the scope's group.
 *
 * Implementations:
 * - SQLite (`src/store/sqlite/check-port.ts`) answers a whole scope in one page, in a worker thread; with a
 *   page size it answers one table window per page instead.
 * - Convex: one query per page, over one table through its `by_group` index (group scope) or in creation
 *   order, with a cursor that encodes the table and Convex's own cursor, e.g. `{"table":"connections",
 *   "cursor":"…"}`. A page must stay within half of Convex's per-transaction limits: with up to two `db.get`
 *   per record (connection ends, event actor/target, knowledge source), at most 1,000 records per page (2,004 index ranges at most).
 *   It sets `tableConcurrency` to its client's request bound, so the tables' cursors advance side by side.
 */
import type { Category } from './categories.js';
import type { QualityCounts, Tally } from './tally.js';

/** The tables a check scans, in scan order (logical names: `entities` is `things` under the legacy naming). */
export const SCAN_TABLES = ['entities', 'connections', 'events', 'knowledge'] as const;
/** One scanned table. */
export type ScanTable = (typeof SCAN_TABLES)[number];

/** What one scan covers. */
export interface CheckScope {
  /** Categories to check; counts of other categories stay 0 (record totals are always taken). */
  categories: readonly Category[];
  /**
   * Also take the counts only metrics need (entities with schemaVersion ≥ 1, events older than a year and
   * archived ones). Default true; a check leaves them out.
   */
  metricCounts?: boolean;
  /**
   * Only scan these tables (default all four): records of other tables are neither counted nor judged, so
   * their counts stay 0. `versions` scans only the entities.
   */
  tables?: readonly ScanTable[];
  /** Only records whose own groupId is this (existence and group lookups still see all entities); null: all. */
  groupId: string | null;
  /** Reference instant (epoch ms) for the one-year archival age. */
  now: number;
  /** Issues kept per category (0: counts only). */
  issueLimit: number;
  /** Decides the severity of missing-groupId issues (critical after the v1 migration, info before). */
  v1MigrationCompleted: boolean;
  /** Also return counts per group (records attributed to their own groupId), in the same pass. */
  perGroup?: boolean;
}

/**
 * One group's counts. Per-group results are arrays of these, never objects keyed by groupId: a groupId is any
 * string (`café`, `$legacy`, 2,000 characters, empty), and Convex refuses most of those as field names. A list
 * holds each groupId once, in `byGroupId` order, whichever adapter and pages it came from.
 */
export interface GroupCounts {
  groupId: string;
  counts: QualityCounts;
}

/** Orders per-group counts by groupId (UTF-16 code units: the same order in every runtime). */
export function byGroupId(a: GroupCounts, b: GroupCounts): number {
  return a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0;
}

/** The result of a scan, or of one page of it: mergeable with `mergeScanResults`. */
export interface ScanResult {
  /** Counts and kept issues of the records covered. */
  tally: Tally;
  /**
   * With `perGroup`: counts per groupId found on the records covered (records without a groupId only in
   * `tally`); groups without records are absent. Without `perGroup`: absent.
   */
  groups?: GroupCounts[];
}

/** One page of a scan. */
export interface ScanPage {
  result: ScanResult;
  /** Opaque; pass it back with the same scope to continue. Null when the scan is complete. */
  continueCursor: string | null;
}

/** One page of the groups table's ids. */
export interface GroupPage {
  /** Group `_id`s, each listed on exactly one page of a listing. */
  groupIds: string[];
  /** Opaque; pass it back to continue. Null when the listing is complete. */
  continueCursor: string | null;
}

/** What a store adapter provides to the quality service. */
export interface CheckPort {
  /**
   * Scans one bounded page of `scope`, starting at `cursor` (null: from the beginning). Rejects with an
   * `InvalidArgumentError` for a cursor it did not hand out.
   */
  scanPage(scope: CheckScope, cursor: string | null): Promise<ScanPage>;
  /** One page of the ids of the groups in the groups table, starting at `cursor` (null: from the beginning). */
  groupPage(cursor: string | null): Promise<GroupPage>;
  /** True once the v1 migration has completed on this store. */
  v1MigrationCompleted(): Promise<boolean>;
  /**
   * Table scans `scanAll` may run at once. Set it above 1 when each page is a round trip that costs more than
   * it computes (Convex: one function call per page), so a scope over several tables is scanned one sub-scope
   * per table (`{...scope, tables: [table]}`), at most this many at a time, and merged in table order; the
   * result is the same as the one-cursor scan's. Unset or 1: one cursor across the whole scope (SQLite, which
   * answers a whole scope in one page).
   */
  readonly tableConcurrency?: number;
}

/** The tables a scope scans, in scan order. */
export function scanTablesOf(scope: Pick<CheckScope, 'tables'>): ScanTable[] {
  return scope.tables === undefined ? [...SCAN_TABLES] : SCAN_TABLES.filter((table) => scope.tables!.includes(table));
}
