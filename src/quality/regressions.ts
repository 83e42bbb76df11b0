/**
 * Before → after of every metric across a change to the data (a migration, predicted or done), and the metrics
 * that get worse: by how much, with their status before and after, and the records that cause it where known
 * (the cross-group references a migration creates). Pure, so a plan (predicted after) and a run's validation
 * (measured after) are compared the same way, and every surface (CLI, Slack, JSON) shows the same lines.
 */
import { STATUS_ORDER, type Status } from './categories.ts';
import type { MetricsReport, MetricValues } from './metrics.ts';
import { DEFAULT_THRESHOLDS, THRESHOLD_METRICS, type ThresholdMetric } from './thresholds.ts';

/** A metric value a comparison covers: the seven with a threshold and the two counts without one. */
export type ComparedMetric = keyof MetricValues;

/** How each compared metric reads and which way is better, in report order. */
export const COMPARED_METRICS: Record<ComparedMetric, { title: string; unit: 'percent' | 'count'; better: 'higher' | 'lower' }> = {
  referentialIntegrityScore: { title: 'Referential integrity score', unit: 'percent', better: 'higher' },
  orphanedEntityCount: { title: 'Orphaned references', unit: 'count', better: 'lower' },
  crossGroupViolations: { title: 'Cross-group violations', unit: 'count', better: 'lower' },
  missingGroupIds: { title: 'Records missing a groupId', unit: 'count', better: 'lower' },
  malformedPropertiesCount: { title: 'Malformed properties (records)', unit: 'count', better: 'lower' },
  malformedPropertiesPercent: { title: 'Malformed properties', unit: 'percent', better: 'lower' },
  schemaComplianceScore: { title: 'Schema compliance score', unit: 'percent', better: 'higher' },
  eventArchivalProgress: { title: 'Event archival progress', unit: 'percent', better: 'higher' },
  invalidMetadataCount: { title: 'Invalid metadata', unit: 'count', better: 'lower' },
};

/** One metric before and after. */
export interface MetricChange {
  metric: ComparedMetric;
  title: string;
  unit: 'percent' | 'count';
  before: number;
  after: number;
  /** `after − before`. */
  change: number;
  /** Statuses by the rules of each moment (null for a metric without a threshold). */
  beforeStatus: Status | null;
  afterStatus: Status | null;
  /** True when the value moves the wrong way or the status gets worse. */
  worse: boolean;
}

/** Cross-group references a change creates, per table and per group of the endpoint that already had one. */
export interface CrossGroupCause {
  connections: number;
  events: number;
  total: number;
  /** Slug of the group the other endpoint lands in (`legacy-default`). */
  into: string;
  /** Per group on the other side (slug when known, else id), most references first; may be empty when unknown. */
  byGroup: { groupId: string; slug: string | null; connections: number; events: number }[];
}

/** What a change does to the metrics. */
export interface RegressionReport {
  /** Every compared metric, in `COMPARED_METRICS` order. */
  metrics: MetricChange[];
  /** The metrics that get worse, in the same order. */
  worsened: MetricChange[];
  /** The records that cause the regressions, where known; null when none are known. */
  cause: CrossGroupCause | null;
}

/** The metrics the cross-group cause explains. */
const EXPLAINED_BY_CROSS_GROUP: readonly ComparedMetric[] = ['referentialIntegrityScore', 'crossGroupViolations'];

function statusOfMetric(report: MetricsReport, metric: ComparedMetric): Status | null {
  return (THRESHOLD_METRICS as readonly string[]).includes(metric) ? report.statusByMetric[metric as ThresholdMetric] : null;
}

/** True when `after` is a worse status than `before`. */
function statusWorse(before: Status | null, after: Status | null): boolean {
  if (before === null || after === null) return false;
  return STATUS_ORDER.indexOf(after) > STATUS_ORDER.indexOf(before);
}

/**
 * Compares two metrics reports of the same scope. A metric is worse when its value moves against its better
 * direction, or its status gets worse (a value that stays the same can turn critical once the v1 migration has
 * completed). `cause` is kept only when a metric it explains gets worse.
 */
export function compareMetrics(before: MetricsReport, after: MetricsReport, cause: CrossGroupCause | null = null): RegressionReport {
  const metrics = (Object.keys(COMPARED_METRICS) as ComparedMetric[]).map((metric): MetricChange => {
    const { title, unit } = COMPARED_METRICS[metric];
    const better = (THRESHOLD_METRICS as readonly string[]).includes(metric) ? DEFAULT_THRESHOLDS[metric as ThresholdMetric].better : COMPARED_METRICS[metric].better;
    const change = after[metric] - before[metric];
    const beforeStatus = statusOfMetric(before, metric);
    const afterStatus = statusOfMetric(after, metric);
    const valueWorse = better === 'higher' ? change < 0 : change > 0;
    return { metric, title, unit, before: before[metric], after: after[metric], change, beforeStatus, afterStatus, worse: valueWorse || statusWorse(beforeStatus, afterStatus) };
  });
  const worsened = metrics.filter((change) => change.worse);
  const explained = cause !== null && cause.total > 0 && worsened.some((change) => EXPLAINED_BY_CROSS_GROUP.includes(change.metric));
  return { metrics, worsened, cause: explained ? cause : null };
}

/** A value as the comparison lines show it: `99.67%`, `1,797`; `digits` decimals for percentages. */
export function formatMetricValue(value: number, unit: 'percent' | 'count', digits = 2): string {
  if (unit === 'percent') return `${Number(value.toFixed(digits))}%`;
  return value.toLocaleString('en-US');
}

/**
 * `99.67% → 75.14% (healthy → critical)`: the two values (with more decimals when two places would show them
 * equal) and the status change when there is one.
 */
export function changeText(change: MetricChange): string {
  let digits = 2;
  while (digits < 4 && change.before !== change.after && formatMetricValue(change.before, change.unit, digits) === formatMetricValue(change.after, change.unit, digits)) digits++;
  const values = `${formatMetricValue(change.before, change.unit, digits)} → ${formatMetricValue(change.after, change.unit, digits)}`;
  const statuses = change.beforeStatus !== change.afterStatus && change.beforeStatus !== null && change.afterStatus !== null ? ` (${change.beforeStatus} → ${change.afterStatus})` : '';
  return `${values}${statuses}`;
}

/** `Referential integrity score 99.67% → 75.14% (healthy → critical)`. */
export function regressionLine(change: MetricChange): string {
  return `${change.title} ${changeText(change)}`;
}

/**
 * `1,789 cross-group references: 1,328 connections, 461 events to entities in legacy-default (group-0001 612, …)`,
 * listing at most `maxGroups` groups.
 */
export function causeText(cause: CrossGroupCause, maxGroups = 5): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const head = `${count(cause.total)} cross-group references: ${count(cause.connections)} connections, ${count(cause.events)} events to entities in ${cause.into}`;
  if (cause.byGroup.length === 0) return head;
  const shown = cause.byGroup.slice(0, maxGroups).map((group) => `${group.slug ?? group.groupId} ${count(group.connections + group.events)}`);
  const more = cause.byGroup.length > maxGroups ? `, ${cause.byGroup.length - maxGroups} more groups` : '';
  return `${head} (from ${shown.join(', ')}${more})`;
}

/** The worsened metrics in one phrase (`…; …`), or null when nothing gets worse. */
export function regressionSummary(report: RegressionReport | null | undefined): string | null {
  if (!report || report.worsened.length === 0) return null;
  return report.worsened.map(regressionLine).join('; ');
}
