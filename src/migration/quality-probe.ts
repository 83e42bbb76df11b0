/**
 * The data-quality numbers the migration needs before and after a run, from ONE check pass through the check
 * port: the exact counts (which the dry run turns into predicted metrics with the pure `computeMetrics`), the
 * metrics report, and the integrity details.
 */
import { CATEGORIES } from '../quality/categories.ts';
import { computeMetrics, type MetricsReport } from '../quality/metrics.ts';
import { scanAll } from '../quality/paging.ts';
import type { CheckPort } from '../quality/port.ts';
import { checkDetails, type CheckDetails } from '../quality/reports.ts';
import { DEFAULT_THRESHOLDS, type ThresholdTable } from '../quality/thresholds.ts';
import type { QualityCounts } from '../quality/tally.ts';

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

/** The probe over any adapter's check port: a full check of the whole store. */
export function qualityProbeOver(checks: CheckPort, thresholds: ThresholdTable = DEFAULT_THRESHOLDS): QualityProbe {
  return async (now) => {
    const v1MigrationCompleted = await checks.v1MigrationCompleted();
    const { tally } = await scanAll(checks, { categories: CATEGORIES, groupId: null, now, issueLimit: 0, v1MigrationCompleted });
    return {
      counts: tally.counts,
      metrics: computeMetrics(tally.counts, { now, groupId: null, v1MigrationCompleted, thresholds }),
      details: checkDetails(tally.counts),
    };
  };
}
