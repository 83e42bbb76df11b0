/**
 * Which metrics a fix would make worse: a pure decision over the metric values before and after (measured or
 * predicted). A plan with any regression is refused, and a run whose measured metrics regressed fails its
 * validation.
 */
import type { MetricValues } from '../quality/metrics.ts';
import { DEFAULT_THRESHOLDS, THRESHOLD_METRICS, type ThresholdMetric } from '../quality/thresholds.ts';

/** A metric that got worse: its value before and after. */
export interface MetricRegression {
  metric: keyof MetricValues;
  before: number;
  after: number;
}

/** Every metric value, in report order. */
export const METRIC_KEYS: readonly (keyof MetricValues)[] = [
  'referentialIntegrityScore',
  'orphanedEntityCount',
  'crossGroupViolations',
  'missingGroupIds',
  'malformedPropertiesCount',
  'malformedPropertiesPercent',
  'schemaComplianceScore',
  'eventArchivalProgress',
  'invalidMetadataCount',
];

/** Whether higher or lower values of a metric are better (counts without a threshold: lower). */
export function betterDirection(metric: keyof MetricValues): 'higher' | 'lower' {
  return (THRESHOLD_METRICS as readonly string[]).includes(metric) ? DEFAULT_THRESHOLDS[metric as ThresholdMetric].better : 'lower';
}

/** The metrics whose value after is worse than before, in report order (empty: nothing gets worse). */
export function metricRegressions(before: MetricValues, after: MetricValues): MetricRegression[] {
  const regressions: MetricRegression[] = [];
  for (const metric of METRIC_KEYS) {
    const worse = betterDirection(metric) === 'higher' ? after[metric] < before[metric] : after[metric] > before[metric];
    if (worse) regressions.push({ metric, before: before[metric], after: after[metric] });
  }
  return regressions;
}
