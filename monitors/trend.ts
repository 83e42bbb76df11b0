/**
 * Weekly trends of daily snapshots: per metric first/last/min/max, a direction-aware trend (higher is better
 * for scores, lower for counts) with a tolerance, and a text sparkline.
 */
import { THRESHOLD_METRICS } from '../src/quality/thresholds.ts';
import { snapshotMetrics, type QualitySnapshot } from './ports.ts';

/** The metrics a weekly summary covers, in display order: the thresholded seven, then invalid metadata. */
export const TREND_METRICS = [...THRESHOLD_METRICS, 'invalidMetadataCount'] as const;
/** A metric with a trend. */
export type TrendMetric = (typeof TREND_METRICS)[number];

/**
 * Per metric: which direction is better, and how much change still counts as stable. Scores move in
 * percentage points (0.1 pt of noise is stable); counts are stable only when unchanged or within 1% of the
 * first value (so 10,000 → 10,050 missing groupIds on a big tenant is not a decline, 0 → 1 orphan is).
 */
export const TREND_RULES: Record<TrendMetric, { better: 'higher' | 'lower'; absolute: number; relative: number; unit: 'percent' | 'count' }> = {
  referentialIntegrityScore: { better: 'higher', absolute: 0.1, relative: 0, unit: 'percent' },
  orphanedEntityCount: { better: 'lower', absolute: 0, relative: 0.01, unit: 'count' },
  crossGroupViolations: { better: 'lower', absolute: 0, relative: 0.01, unit: 'count' },
  missingGroupIds: { better: 'lower', absolute: 0, relative: 0.01, unit: 'count' },
  malformedPropertiesPercent: { better: 'lower', absolute: 0.001, relative: 0, unit: 'percent' },
  schemaComplianceScore: { better: 'higher', absolute: 0.1, relative: 0, unit: 'percent' },
  eventArchivalProgress: { better: 'higher', absolute: 0.1, relative: 0, unit: 'percent' },
  invalidMetadataCount: { better: 'lower', absolute: 0, relative: 0.01, unit: 'count' },
};

/** Which way a metric went. `insufficient` with fewer than two points. */
export type Trend = 'improving' | 'declining' | 'stable' | 'insufficient';

/** One metric over the week. */
export interface MetricTrend {
  metric: TrendMetric;
  points: number[];
  /** When each point was taken (the snapshot's `timestamp`), same order as `points`. */
  times: number[];
  first: number;
  last: number;
  min: number;
  max: number;
  trend: Trend;
  sparkline: string;
}

/** The trend from `first` to `last` under a metric's rule. */
export function classifyTrend(metric: TrendMetric, first: number, last: number, points: number): Trend {
  if (points < 2) return 'insufficient';
  const rule = TREND_RULES[metric];
  const delta = last - first;
  const tolerance = Math.max(rule.absolute, rule.relative * Math.abs(first));
  // The epsilon keeps a change of exactly the tolerance stable despite binary fractions (99.8 − 99.7).
  if (Math.abs(delta) <= tolerance + 1e-9) return 'stable';
  const better = rule.better === 'higher' ? delta > 0 : delta < 0;
  return better ? 'improving' : 'declining';
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A text sparkline of the values (`▁▃▅█`); a flat series is drawn mid-height. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (max === min) return BARS[3]!.repeat(values.length);
  return values.map((value) => BARS[Math.round(((value - min) / (max - min)) * (BARS.length - 1))]!).join('');
}

/** Trends of one scope's snapshots (oldest first). Metrics absent from every snapshot are left out. */
export function trendsOf(snapshots: readonly QualitySnapshot[]): MetricTrend[] {
  const trends: MetricTrend[] = [];
  for (const metric of TREND_METRICS) {
    const taken = snapshots
      .map((snapshot) => ({ at: snapshot.timestamp, value: snapshotMetrics(snapshot)[metric] }))
      .filter((point): point is { at: number; value: number } => typeof point.value === 'number' && Number.isFinite(point.value));
    if (taken.length === 0) continue;
    const points = taken.map((point) => point.value);
    const first = points[0]!;
    const last = points.at(-1)!;
    trends.push({
      metric,
      points,
      times: taken.map((point) => point.at),
      first,
      last,
      min: Math.min(...points),
      max: Math.max(...points),
      trend: classifyTrend(metric, first, last, points.length),
      sparkline: sparkline(points),
    });
  }
  return trends;
}
