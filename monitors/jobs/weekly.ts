/**
 * The weekly job: the last 7 days of daily snapshots, per metric first/last/min/max and trend, posted as a
 * summary to the reports channel with a PNG chart of the platform-wide metrics and their threshold lines (an
 * upload right after it; the summary's text sparklines serve clients without images); a declining metric raises a
 * warning alert (`trend.<metric>`) for its scope.
 */
import { METRIC_INFO, type MetricSubject } from '../../src/alerts/evaluate.ts';
import { runAlertPipeline } from '../../src/alerts/pipeline.ts';
import { remediationFor } from '../../src/alerts/remediation.ts';
import { reportChannel } from '../../src/alerts/route.ts';
import type { OutboxDraft } from '../../src/alerts/ports.ts';
import { storeFile } from '../../src/alerts/stored-file.ts';
import type { Signal } from '../../src/alerts/types.ts';
import { THRESHOLD_METRICS, type ThresholdMetric, type ThresholdTable } from '../../src/quality/thresholds.ts';
import { renderWeeklyChart, type WeeklyChartData } from '../../src/slack/charts/weekly-chart.ts';
import { formatInstant, formatValue } from '../../src/slack/blocks/format.ts';
import { weeklySummaryMessage, type SummaryMetric } from '../../src/slack/blocks/summary.ts';
import { pipelineDeps, type MonitorContext } from '../context.ts';
import type { QualitySnapshot } from '../ports.ts';
import { TREND_METRICS, TREND_RULES, trendsOf, type MetricTrend } from '../trend.ts';
import { pipelineCounts } from './shared.ts';

/** The window the weekly summary covers. */
export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

function titleOf(metric: MetricTrend['metric']): string {
  return METRIC_INFO[metric as MetricSubject].title;
}

function trendSignal(trend: MetricTrend, groupId: string | null): Signal {
  const rule = TREND_RULES[trend.metric];
  return {
    subject: `trend.${trend.metric}`,
    groupId,
    severity: 'warning',
    title: `${titleOf(trend.metric)} declining over 7 days`,
    value: trend.last,
    unit: rule.unit,
    threshold: `warning when it gets ${rule.better === 'higher' ? 'lower' : 'higher'} over the week beyond tolerance`,
    // The week's values go in the note, in the metric's unit; the counts section prints plain counts.
    breakdown: { snapshots: trend.points.length },
    topIssueIds: [],
    remediation: remediationFor('trend'),
    note:
      `Daily values \`${trend.sparkline}\`: ${formatValue(trend.first, rule.unit)} → ${formatValue(trend.last, rule.unit)} ` +
      `(min ${formatValue(trend.min, rule.unit)}, max ${formatValue(trend.max, rule.unit)})`,
  };
}

/** The chart's data: each platform-wide metric's daily values and, for the seven that have one, its threshold row. */
export function weeklyChartData(from: number, to: number, platform: readonly MetricTrend[], thresholds: ThresholdTable): WeeklyChartData {
  return {
    from,
    to,
    series: platform.map((trend) => {
      const row = (THRESHOLD_METRICS as readonly string[]).includes(trend.metric) ? thresholds[trend.metric as ThresholdMetric] : null;
      return {
        title: titleOf(trend.metric),
        unit: TREND_RULES[trend.metric].unit,
        points: trend.points.map((value, index) => ({ at: trend.times[index]!, value })),
        threshold: row ? { better: row.better, healthy: row.healthy, warning: row.warning } : null,
      };
    }),
  };
}

/**
 * The chart's upload row, or null when there is nothing to draw or it cannot be drawn (logged: the summary still
 * goes out, its sparklines carry the week).
 */
function chartUpload(context: MonitorContext, channel: string, from: number, to: number, platform: readonly MetricTrend[]): OutboxDraft | null {
  if (platform.length === 0) return null;
  let png: Uint8Array;
  try {
    png = renderWeeklyChart(weeklyChartData(from, to, platform, context.alerts.thresholds));
  } catch (error) {
    context.log(`weekly: the chart could not be drawn, the summary goes without it (${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
  const day = new Date(to).toISOString().slice(0, 10);
  return {
    kind: 'upload',
    channel,
    notificationId: null,
    message: {
      text: `Weekly data-quality chart, ${formatInstant(from)} → ${formatInstant(to)}: each metric by day, with its threshold lines`,
      file: storeFile({
        filename: `data-quality-week-${day}.png`,
        title: `Data quality, week to ${day}`,
        altText: `Line charts of ${platform.length} platform-wide data-quality metrics over the 7 days to ${day}, with healthy and critical threshold lines`,
        content: png,
      }),
    },
  };
}

/** Declining groups looked up by slug and name (the summary lists fewer; the rest are counted). */
const NAMED_GROUPS = 20;

/** The slug and name of each group (nulls for a group that is gone or has none); a failed lookup names none. */
async function namedGroups(context: MonitorContext, groups: readonly { groupId: string }[]): Promise<Map<string, { slug: string | null; name: string | null }>> {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);
  try {
    const found = await Promise.all(groups.map(async ({ groupId }) => [groupId, await context.documents.get('groups', groupId)] as const));
    return new Map(found.map(([groupId, document]) => [groupId, { slug: text(document?.slug), name: text(document?.name) }]));
  } catch (error) {
    context.log(`monitor weekly: group names not looked up (${error instanceof Error ? error.message : String(error)}); ids name them.`);
    return new Map();
  }
}

/** Builds the weekly summary and trend alerts; returns the counts recorded with the run. */
export async function runWeekly(context: MonitorContext): Promise<Record<string, number>> {
  const now = context.now();
  const from = now - WEEK_MS;
  const snapshots = await context.stores.snapshots.snapshotsBetween(from, now);
  const byScope = new Map<string | null, QualitySnapshot[]>();
  for (const snapshot of snapshots) {
    const scope = snapshot.groupId ?? null;
    const list = byScope.get(scope) ?? [];
    list.push(snapshot);
    byScope.set(scope, list);
  }

  const trendsByScope = new Map([...byScope].map(([groupId, scoped]) => [groupId, trendsOf(scoped)] as const));
  const signals: Signal[] = [];
  const decliningGroups: { groupId: string; metrics: string[] }[] = [];
  const platform: MetricTrend[] = trendsByScope.get(null) ?? [];
  for (const [groupId, trends] of trendsByScope) {
    const declining = trends.filter((trend) => trend.trend === 'declining');
    for (const trend of declining) signals.push(trendSignal(trend, groupId));
    if (groupId !== null && declining.length > 0) decliningGroups.push({ groupId, metrics: declining.map((trend) => titleOf(trend.metric)) });
  }
  decliningGroups.sort((a, b) => b.metrics.length - a.metrics.length || a.groupId.localeCompare(b.groupId));
  const named = await namedGroups(context, decliningGroups.slice(0, NAMED_GROUPS));

  const summary = weeklySummaryMessage({
    from,
    to: now,
    snapshots: byScope.get(null)?.length ?? 0,
    platform: platform.map(
      (trend): SummaryMetric => ({
        title: titleOf(trend.metric),
        unit: TREND_RULES[trend.metric].unit,
        first: trend.first,
        last: trend.last,
        min: trend.min,
        max: trend.max,
        trend: trend.trend,
        sparkline: trend.sparkline,
      }),
    ),
    decliningGroups: decliningGroups.map((group) => ({ ...group, ...named.get(group.groupId) })),
    groupsTracked: [...byScope.keys()].filter((scope) => scope !== null).length,
  });
  const channel = reportChannel(context.alerts);
  const chart = chartUpload(context, channel, from, now, platform);
  // One enqueue: the summary and its chart are written together, and go out in that order.
  await context.stores.outbox.enqueue([{ kind: 'post', channel, notificationId: null, message: summary }, ...(chart ? [chart] : [])], now);

  const pipeline = await runAlertPipeline(pipelineDeps(context), {
    source: 'weekly',
    signals,
    coverage: { subjects: TREND_METRICS.map((metric) => `trend.${metric}`), groupIds: 'all', severities: ['warning'] },
    observations: [...trendsByScope].flatMap(([groupId, trends]) =>
      trends.map((trend) => ({ subject: `trend.${trend.metric}`, groupId, value: trend.last })),
    ),
  });
  return {
    snapshots: snapshots.length,
    scopes: byScope.size,
    declining: signals.length,
    decliningPlatform: platform.filter((trend) => trend.trend === 'declining').length,
    chart: chart ? 1 : 0,
    ...pipelineCounts(pipeline),
  };
}
