/**
 * The data-quality numbers the migration needs before and after a run, from ONE check pass: the exact counts
 * (which the dry run turns into predicted metrics with the pure `computeMetrics`), the metrics report, and the
 * integrity details. Runs the check in the check worker, so the event loop stays free.
 */
import { CATEGORIES } from '../quality/categories.ts';
import { computeMetrics, type MetricsReport } from '../quality/metrics.ts';
import { checkDetails, type CheckDetails } from '../quality/reports.ts';
import { DEFAULT_THRESHOLDS, type ThresholdTable } from '../quality/thresholds.ts';
import type { QualityCounts } from '../quality/tally.ts';
import { SqliteCheckStore } from '../store/sqlite/check-scan.ts';
import { META_KEYS, type SqliteStore } from '../store/sqlite/sqlite-store.ts';

/** Integrity counts per category (the `details` of the check report). */
export type IntegrityDetails = CheckDetails;

/** One check pass: counts, metrics and integrity details. */
export interface QualitySnapshot {
  counts: QualityCounts;
  metrics: MetricsReport;
  details: IntegrityDetails;
}

/** Takes a quality snapshot of the store as of `now`. */
export type QualityProbe = (now: number) => Promise<QualitySnapshot>;

/** The default probe: a full check of the whole store through the SQLite check port. */
export function sqliteQualityProbe(
  store: SqliteStore,
  options: { useWorker?: boolean; thresholds?: ThresholdTable } = {},
): QualityProbe {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const checks = new SqliteCheckStore(store, { useWorker: options.useWorker });
  return async (now) => {
    const v1MigrationCompleted = store.getMetaSync(META_KEYS.v1MigrationCompletedAt) !== null;
    const { tally } = await checks.scanCounts({ categories: CATEGORIES, groupId: null, now, issueLimit: 0, v1MigrationCompleted });
    return {
      counts: tally.counts,
      metrics: computeMetrics(tally.counts, { now, groupId: null, v1MigrationCompleted, thresholds }),
      details: checkDetails(tally.counts),
    };
  };
}
