/**
 * Which metrics a fix would make worse, judged as every plan judges it (`compareMetrics`: a value that moves the
 * wrong way or a status that gets worse) over the metrics before and after (measured or predicted). A plan with
 * any regression is refused, and a run whose measured metrics regressed fails its validation.
 */
import type { MetricsReport, MetricValues } from '../quality/metrics.ts';
import { compareMetrics, COMPARED_METRICS, type ComparedMetric } from '../quality/regressions.ts';

/** A metric that got worse: its value before and after. */
export interface MetricRegression {
  metric: keyof MetricValues;
  before: number;
  after: number;
}

/** Every metric value, in report order. */
export const METRIC_KEYS = Object.keys(COMPARED_METRICS) as readonly ComparedMetric[];

/** The metrics whose value after is worse than before, in report order (empty: nothing gets worse). */
export function metricRegressions(before: MetricsReport, after: MetricsReport): MetricRegression[] {
  return compareMetrics(before, after).worsened.map(({ metric, before: was, after: is }) => ({ metric, before: was, after: is }));
}
