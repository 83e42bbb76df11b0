/**
 * Trend series per metric from the daily snapshots (`dataQualitySnapshots`) of one scope over the last N days,
 * each with its threshold bounds, for the dashboard's charts. The same series the weekly summary reads.
 */
import { TREND_METRICS, TREND_RULES, trendsOf } from '../../monitors/trend.ts';
import { METRIC_INFO } from '../alerts/evaluate.ts';
import { THRESHOLD_METRICS, type ThresholdMetric } from '../quality/thresholds.ts';
import type { DashboardDeps } from './deps.ts';
import type { DashboardGroup, TrendSeries, TrendsAnswer } from './types.ts';

const DAY_MS = 86_400_000;

/** The series of `group` (null: platform-wide) over the `days` days up to now; every metric, empty when no snapshot. */
export async function trendsAnswer(deps: DashboardDeps, group: DashboardGroup | null, days: number): Promise<TrendsAnswer> {
  const at = deps.now();
  const from = at - days * DAY_MS;
  const all = await deps.backend.monitorPorts.stores.snapshots.snapshotsBetween(from, at);
  const scoped = all.filter((snapshot) => (snapshot.groupId ?? null) === (group?.id ?? null));
  const trends = new Map(trendsOf(scoped).map((trend) => [trend.metric, trend]));
  const table = deps.config.alerts.thresholds;
  const series = TREND_METRICS.map((metric): TrendSeries => {
    const trend = trends.get(metric);
    const row = (THRESHOLD_METRICS as readonly string[]).includes(metric) ? table[metric as ThresholdMetric] : null;
    return {
      metric,
      title: METRIC_INFO[metric].title,
      unit: TREND_RULES[metric].unit,
      better: TREND_RULES[metric].better,
      thresholds: row ? { healthy: row.healthy, warning: row.warning } : null,
      points: trend ? trend.points.map((value, index) => ({ at: trend.times[index]!, value })) : [],
    };
  });
  return { at, group, days, from, to: at, snapshots: scoped.length, series };
}
