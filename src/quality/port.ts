/**
 * The port a store adapter implements so the quality service can check it. It speaks in "scan this scope and
 * return a tally", never "give me the tables": the SQLite adapter streams its indexed columns in a worker
 * thread, the Convex adapter runs the same rules server-side one page per call and sums the page tallies.
 */
import type { Category } from './categories.ts';
import type { QualityCounts, Tally } from './tally.ts';

/** What one scan covers. */
export interface CheckScope {
  /** Categories to check; counts of other categories stay 0 (record totals are always taken). */
  categories: readonly Category[];
  /**
   * Also take the counts only metrics need (entities with schemaVersion ≥ 1, events older than a year and
   * archived ones). Default true; a check leaves them out.
   */
  metricCounts?: boolean;
  /** Only records whose own groupId is this (existence and group lookups still see all entities); null: all. */
  groupId: string | null;
  /** Reference instant (epoch ms) for the one-year archival age. */
  now: number;
  /** Issues kept per category. */
  issueLimit: number;
  /** Decides the severity of missing-groupId issues (critical after the v1 migration, info before). */
  v1MigrationCompleted: boolean;
  /** Also return counts per group (records attributed to their own groupId), in the same pass. */
  perGroup?: boolean;
}

/** The result of one scan. */
export interface ScanResult {
  /** Counts and kept issues of the whole scope. */
  tally: Tally;
  /** With `perGroup`: counts per groupId found on records (records without a groupId only in `tally`). */
  groups?: Record<string, QualityCounts>;
}

/** Entity counts by schema generation (for `versions`). */
export interface VersionCounts {
  entities: number;
  /** Entities with a numeric `schemaVersion` ≥ 1. */
  v1Entities: number;
}

/** What a store adapter provides to the quality service. */
export interface CheckStore {
  /** Runs the checks of a scope over the whole store and returns exact counts and the first issues. */
  scanCounts(scope: CheckScope): Promise<ScanResult>;
  /** Entity counts by schema generation, optionally of one group. */
  versionCounts(groupId: string | null): Promise<VersionCounts>;
  /** The ids of all groups in the groups table, sorted. */
  groupIds(): Promise<string[]>;
  /** True once the v1 migration has completed on this store. */
  v1MigrationCompleted(): Promise<boolean>;
}
