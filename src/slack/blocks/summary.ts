/**
 * Block Kit for the weekly summary posted to the reports channel: each metric's first → last, min/max, trend
 * and sparkline platform-wide, and the groups whose metrics declined (ids only).
 */
import type { OutboundMessage } from '../../alerts/ports.ts';
import { clip, slackDate, formatValue } from './format.ts';
import { code, escapeText } from './text.ts';

/** One metric line of the summary. */
export interface SummaryMetric {
  title: string;
  unit: 'percent' | 'count';
  first: number;
  last: number;
  min: number;
  max: number;
  trend: 'improving' | 'declining' | 'stable' | 'insufficient';
  sparkline: string;
}

/** What the weekly summary shows. */
export interface WeeklySummaryView {
  from: number;
  to: number;
  /** Number of daily snapshots platform-wide in the window. */
  snapshots: number;
  platform: SummaryMetric[];
  /**
   * Groups with at least one declining metric: id, slug and name when the groups table has them, and the titles of
   * the metrics that declined.
   */
  decliningGroups: { groupId: string; slug?: string | null; name?: string | null; metrics: string[] }[];
  groupsTracked: number;
}

const TREND_EMOJI: Record<SummaryMetric['trend'], string> = {
  improving: ':arrow_up_small: improving',
  declining: ':warning: declining',
  stable: ':left_right_arrow: stable',
  insufficient: ':grey_question: not enough data',
};

const MAX_GROUPS = 15;

function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: clip(text, 2900) };
}

/** A group as people know it: `acme-eu` Acme Europe (`j57…`), slug and name escaped; the id alone without them. */
export function namedGroup(group: { groupId: string; slug?: string | null; name?: string | null }): string {
  const name = group.name ? ` ${escapeText(clip(group.name, 80))}` : '';
  return group.slug ? `${code(group.slug)}${name} (${code(group.groupId)})` : group.name ? `${escapeText(clip(group.name, 80))} (${code(group.groupId)})` : code(group.groupId);
}

/** The weekly summary message. */
export function weeklySummaryMessage(view: WeeklySummaryView): OutboundMessage {
  const declining = view.platform.filter((metric) => metric.trend === 'declining').length;
  const headline =
    view.snapshots === 0
      ? 'Weekly data-quality summary: no daily snapshots in the last 7 days'
      : `Weekly data-quality summary: ${declining === 0 ? 'no metric declined' : `${declining} metric${declining === 1 ? '' : 's'} declined`} platform-wide`;
  const lines = view.platform.map(
    (metric) =>
      `*${metric.title}*  \`${metric.sparkline}\`  ${formatValue(metric.first, metric.unit)} → ${formatValue(metric.last, metric.unit)}` +
      ` (min ${formatValue(metric.min, metric.unit)}, max ${formatValue(metric.max, metric.unit)})  ${TREND_EMOJI[metric.trend]}`,
  );
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(headline, 150), emoji: true } },
    {
      type: 'context',
      elements: [
        mrkdwn(`${slackDate(view.from)} → ${slackDate(view.to)} · ${view.snapshots} daily snapshot${view.snapshots === 1 ? '' : 's'} · ${view.groupsTracked} group${view.groupsTracked === 1 ? '' : 's'} tracked`),
      ],
    },
  ];
  if (lines.length > 0) blocks.push({ type: 'section', text: mrkdwn(lines.join('\n')) });
  if (view.decliningGroups.length > 0) {
    const shown = view.decliningGroups.slice(0, MAX_GROUPS).map((group) => `${namedGroup(group)}: ${escapeText(group.metrics.join(', '))}`);
    const more = view.decliningGroups.length - shown.length;
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Groups with declining metrics (${view.decliningGroups.length})*\n${shown.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`),
    });
  }
  const text = `${headline}. ${view.platform.map((metric) => `${metric.title}: ${formatValue(metric.last, metric.unit)} (${metric.trend})`).join('; ')}`;
  return { text: clip(text, 3000), blocks };
}
