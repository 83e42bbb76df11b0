/**
 * The seven data-quality metrics, computed from counts by the specification's formulas. Pure, so the same
 * function turns measured counts into a report and predicted counts (e.g. after a planned migration) into a
 * predicted report.
 *
 * Rounding: every percentage has `METRIC_DECIMALS` (4) decimal places, computed from the exact integer ratio
 * (no floating-point error: 1000 connections with 4 bad ones give exactly 99.6). A metric with a threshold is
 * rounded toward its unhealthy side (a score down, `malformedPropertiesPercent` up), so a reported value never
 * looks better than the exact one: against bounds of at most 4 decimals (which `resolveThresholds` enforces) the
 * rounded value has the same status as the exact value, and the number a reader sees and its status agree.
 * Rounding to the nearest value would not: 1 malformed entity in 9,990 is 0.01001 %, above the 0.01 bound, yet
 * 0.0100 to 4 places.
 */
import { worstStatus, type Status } from './categories.ts';
import { DEFAULT_THRESHOLDS, METRIC_DECIMALS, statusOf, THRESHOLD_METRICS, type ThresholdMetric, type ThresholdTable } from './thresholds.ts';
import type { QualityCounts } from './tally.ts';

const SCALE = 10 ** METRIC_DECIMALS;
const SMALLEST = 1 / SCALE;

/** One year in milliseconds, as the archival metric counts it (defined with the record rules). */
export { ARCHIVAL_AGE_MS } from './record-rules.ts';

/**
 * How `percentage` rounds to `METRIC_DECIMALS` places: `down` and `up` toward the unhealthy side of a metric
 * whose higher or lower values are better; `nearest` (half-up) for shares without a threshold.
 */
export type Rounding = 'down' | 'up' | 'nearest';

/**
 * `100 × part / whole` to `METRIC_DECIMALS` places, rounded as `rounding` says, clamped to [0, 100];
 * `whenEmpty` when `whole` is 0. With `nearest`, a share whose part is neither none nor all of the whole never
 * rounds to 0 or 100 (it stops at 0.0001 and 99.9999); `down` and `up` never reach those by rounding anyway on
 * their healthy side.
 */
export function percentage(part: number, whole: number, whenEmpty: number, rounding: Rounding = 'nearest'): number {
  if (whole <= 0) return whenEmpty;
  const clampedPart = Math.min(Math.max(part, 0), whole);
  // part × 100 × 10^4 is an exact integer below 2^53 for any realistic store; the quotient is corrected with
  // exact integer products, so the rounding decision never depends on a rounded division.
  const numerator = clampedPart * 100 * SCALE;
  let quotient = Math.floor(numerator / whole);
  if (quotient * whole > numerator) quotient--;
  else if ((quotient + 1) * whole <= numerator) quotient++;
  const remainder = numerator - quotient * whole;
  if (rounding === 'up' && remainder > 0) quotient++;
  if (rounding === 'nearest' && 2 * remainder >= whole) quotient++;
  const rounded = quotient / SCALE;
  if (rounding === 'nearest') {
    if (clampedPart > 0 && rounded === 0) return SMALLEST;
    if (clampedPart < whole && rounded === 100) return 100 - SMALLEST;
  }
  return rounded;
}

/** The rounding of a metric with a threshold: toward its unhealthy side (the direction is part of the metric). */
function towardUnhealthy(metric: ThresholdMetric): Rounding {
  return DEFAULT_THRESHOLDS[metric].better === 'higher' ? 'down' : 'up';
}

/** What a metrics report depends on besides the counts. */
export interface MetricsContext {
  /** The instant the report is for (epoch ms); also the reference for the one-year archival age. */
  now: number;
  /** The group the counts are scoped to, or null platform-wide. */
  groupId: string | null;
  /** True once the v1 migration has completed (missing groupIds are then critical, info before). */
  v1MigrationCompleted: boolean;
  /** Threshold table; the defaults when omitted. */
  thresholds?: ThresholdTable;
}

/** The seven metrics of one scope (the `metrics` command's JSON document). */
export interface MetricsReport {
  /** Epoch ms the report is for (`--now`). */
  timestamp: number;
  /** Group the counts are scoped to; null platform-wide. */
  groupId: string | null;
  referentialIntegrityScore: number;
  orphanedEntityCount: number;
  crossGroupViolations: number;
  missingGroupIds: number;
  malformedPropertiesCount: number;
  malformedPropertiesPercent: number;
  schemaComplianceScore: number;
  eventArchivalProgress: number;
  invalidMetadataCount: number;
  /** The worst of `statusByMetric`. */
  status: Status;
  statusByMetric: Record<ThresholdMetric, Status>;
}

/** The metric values alone (no status), by the specification's formulas. */
export type MetricValues = Pick<
  MetricsReport,
  | 'referentialIntegrityScore'
  | 'orphanedEntityCount'
  | 'crossGroupViolations'
  | 'missingGroupIds'
  | 'malformedPropertiesCount'
  | 'malformedPropertiesPercent'
  | 'schemaComplianceScore'
  | 'eventArchivalProgress'
  | 'invalidMetadataCount'
>;

/** The metric values of a set of counts. */
export function metricValues(counts: QualityCounts): MetricValues {
  const badReferences = counts.orphanedConnections + counts.orphanedKnowledge + counts.crossGroupConnections;
  const references = counts.connections + counts.knowledgeWithSource;
  return {
    // 100 − 100 × bad / references, computed as the share of good references (the same number, exactly rounded).
    referentialIntegrityScore: percentage(references - badReferences, references, 100, towardUnhealthy('referentialIntegrityScore')),
    orphanedEntityCount: counts.orphanedConnections + counts.orphanedKnowledge,
    crossGroupViolations: counts.crossGroupConnections + counts.crossGroupEvents,
    missingGroupIds:
      counts.entitiesMissingGroupId +
      counts.connectionsMissingGroupId +
      counts.eventsMissingGroupId +
      counts.knowledgeMissingGroupId,
    malformedPropertiesCount: counts.malformedProperties,
    malformedPropertiesPercent: percentage(counts.malformedProperties, counts.entities, 0, towardUnhealthy('malformedPropertiesPercent')),
    schemaComplianceScore: percentage(counts.v1Entities, counts.entities, 100, towardUnhealthy('schemaComplianceScore')),
    eventArchivalProgress: percentage(counts.archivedEventsOlderThanYear, counts.eventsOlderThanYear, 100, towardUnhealthy('eventArchivalProgress')),
    invalidMetadataCount: counts.invalidMetadataConnections + counts.invalidMetadataEvents,
  };
}

/** The full metrics report of a set of counts: values, each metric's status and the overall (worst) status. */
export function computeMetrics(counts: QualityCounts, context: MetricsContext): MetricsReport {
  const values = metricValues(counts);
  const thresholds = context.thresholds ?? DEFAULT_THRESHOLDS;
  const statusByMetric = {} as Record<ThresholdMetric, Status>;
  for (const metric of THRESHOLD_METRICS) statusByMetric[metric] = statusOf(metric, values[metric], context, thresholds);
  return {
    timestamp: context.now,
    groupId: context.groupId,
    ...values,
    status: worstStatus(Object.values(statusByMetric)),
    statusByMetric,
  };
}
