/**
 * Block Kit answers of the read-only `/ontology` subcommands: `integrity`, `metrics`, `audit`, `versions` and
 * `trend`. Each has a header with the status emoji, counts or metrics against their thresholds, the top items by
 * id (never a property value), and buttons for the natural next step. Lists are summarised to stay inside Block
 * Kit's limits (see `kit.ts`); the CLI command that lists everything is named instead.
 */
import type { MetricTrend } from '../../../monitors/trend.ts';
import { TREND_RULES } from '../../../monitors/trend.ts';
import { METRIC_INFO } from '../../alerts/evaluate.ts';
import type { ConvexDocument } from '../../ontology/values.ts';
import { connectionEndpoints } from '../../ontology/naming.ts';
import type { Category, Status } from '../../quality/categories.ts';
import type { MetricsReport } from '../../quality/metrics.ts';
import type { AuditReport, CheckReport, VersionsReport } from '../../quality/reports.ts';
import { THRESHOLD_METRICS, type MetricThreshold, type ThresholdMetric, type ThresholdTable } from '../../quality/thresholds.ts';
import { groupLabel, groupLabelPlain, type GroupRef } from '../group-names.ts';
import type { SlackMessage } from '../reply.ts';
import { nextStepActionId, subcommandButton } from '../subcommand.ts';
import { slackDate, formatValue, SEVERITY_EMOJI } from './format.ts';
import { actions, context, fields, header, listSection, plural, section, STATUS_EMOJI } from './kit.ts';
import { code, escapeText } from './text.ts';

/** A button that runs a subcommand: the natural next step. */
export interface NextStep {
  label: string;
  /** The subcommand text it runs (`metrics acme-eu`). */
  command: string;
}

/** Issue lines an integrity answer lists at most (the rest are counted). */
export const MAX_ISSUE_LINES = 25;
/** Events and connections (each way) an audit answer lists at most. */
export const MAX_AUDIT_LINES = 10;

const CATEGORY_TITLES: Record<Category, string> = {
  orphaned: 'orphaned reference',
  crossGroup: 'cross-group reference',
  missingGroupId: 'missing groupId',
  invalidMetadata: 'invalid metadata',
  malformedProperties: 'malformed properties',
};

/** A metric as reported (all its decimals, so the value and its status never seem to disagree): `99.2217%`, `1,234`. */
function exactValue(value: number, unit: 'percent' | 'count'): string {
  return unit === 'percent' ? `${value}%` : value.toLocaleString('en-US');
}

function buttons(steps: readonly NextStep[]): unknown[] {
  return actions(steps.map((step, index) => subcommandButton(step.label, step.command, nextStepActionId(index))));
}

/** What the `integrity` answer shows. */
export interface IntegrityView {
  report: CheckReport;
  /** The group checked, or null platform-wide. */
  scope: GroupRef | null;
  /** Slugs of the groups the listed issues belong to. */
  groups: ReadonlyMap<string, GroupRef>;
  at: number;
  /** Severity of each category now (missing groupIds are info before the v1 migration). */
  severities: Record<Category, Status>;
  nextSteps: readonly NextStep[];
}

/** The `integrity` answer. */
export function integrityMessage(view: IntegrityView): SlackMessage {
  const { report, scope } = view;
  const { summary, details } = report;
  const title = `${STATUS_EMOJI[report.status]} Integrity ${groupLabelPlain(scope)}: ${report.status}, ${plural(summary.totalIssues, 'issue')}`;
  const count = (label: string, value: number, category: Category) =>
    `*${label}*\n${value === 0 ? STATUS_EMOJI.healthy : STATUS_EMOJI[view.severities[category]]} ${formatValue(value, 'count')} (healthy: 0)`;
  const blocks: unknown[] = [
    header(title),
    fields([
      count('Orphaned connections', details.orphanedConnections, 'orphaned'),
      count('Orphaned knowledge', details.orphanedKnowledge, 'orphaned'),
      count('Cross-group references', details.crossGroupReferences, 'crossGroup'),
      count('Missing groupIds', details.missingGroupIds, 'missingGroupId'),
      count('Invalid metadata', details.invalidMetadata, 'invalidMetadata'),
      count('Malformed properties', details.malformedProperties, 'malformedProperties'),
    ]),
  ];
  if (report.issues.length > 0) {
    const lines = report.issues.map((issue) => {
      const group = issue.groupId === null ? 'no group' : groupLabel(view.groups.get(issue.groupId) ?? { id: issue.groupId, slug: null });
      return `${SEVERITY_EMOJI[issue.severity]} ${code(issue.recordId)} in ${escapeText(issue.table)}: ${CATEGORY_TITLES[issue.category]} · ${group}`;
    });
    blocks.push(
      listSection(`*Top issues* (critical first)`, lines, {
        maxLines: MAX_ISSUE_LINES,
        total: summary.totalIssues,
        ...(report.issues.length < Math.min(summary.totalIssues, MAX_ISSUE_LINES)
          ? { more: `${code(`/ontology integrity${scope ? ` ${scope.slug ?? scope.id}` : ''} --limit ${Math.min(summary.totalIssues, MAX_ISSUE_LINES)}`)} lists more` }
          : {}),
      }),
    );
  }
  blocks.push(
    context([
      `${summary.criticalIssues.toLocaleString('en-US')} critical · ${summary.warningIssues.toLocaleString('en-US')} warning · ${summary.infoIssues.toLocaleString('en-US')} info · checked ${slackDate(view.at)}`,
    ]),
    ...buttons(view.nextSteps),
  );
  return { text: escapeText(`Integrity ${groupLabelPlain(scope)}: ${report.status}, ${plural(summary.totalIssues, 'issue')}.`), blocks };
}

/** A threshold in words: `healthy ≥ 99%, warning ≥ 95%`, `healthy ≤ 0`. */
export function thresholdWords(threshold: MetricThreshold, unit: 'percent' | 'count'): string {
  const sign = threshold.better === 'higher' ? '≥' : '≤';
  const healthy = `healthy ${sign} ${formatValue(threshold.healthy, unit)}`;
  return threshold.warning === null ? healthy : `${healthy}, warning ${sign} ${formatValue(threshold.warning, unit)}`;
}

/** What the `metrics` answer shows. */
export interface MetricsView {
  report: MetricsReport;
  scope: GroupRef | null;
  thresholds: ThresholdTable;
  nextSteps: readonly NextStep[];
}

/** The `metrics` answer: the seven metrics against their thresholds, and invalid metadata. */
export function metricsMessage(view: MetricsView): SlackMessage {
  const { report } = view;
  const metricField = (metric: ThresholdMetric) => {
    const info = METRIC_INFO[metric];
    const status = report.statusByMetric[metric];
    return `*${info.title}*\n${STATUS_EMOJI[status]} ${exactValue(report[metric], info.unit)} (${thresholdWords(view.thresholds[metric], info.unit)})`;
  };
  const title = `${STATUS_EMOJI[report.status]} Metrics ${groupLabelPlain(view.scope)}: ${report.status}`;
  const blocks = [
    header(title),
    fields([
      ...THRESHOLD_METRICS.map(metricField),
      `*${METRIC_INFO.invalidMetadataCount.title}*\n${report.invalidMetadataCount === 0 ? STATUS_EMOJI.healthy : STATUS_EMOJI.warning} ${formatValue(report.invalidMetadataCount, 'count')} (warning when > 0)`,
    ]),
    context([`Malformed properties: ${plural(report.malformedPropertiesCount, 'entity', 'entities')} · as of ${slackDate(report.timestamp)}`]),
    ...buttons(view.nextSteps),
  ];
  const text = `Metrics ${groupLabelPlain(view.scope)}: ${report.status}. ${THRESHOLD_METRICS.map((metric) => `${METRIC_INFO[metric].title} ${exactValue(report[metric], METRIC_INFO[metric].unit)}`).join('; ')}.`;
  return { text: escapeText(text), blocks };
}

function field(document: ConvexDocument, name: string): string {
  const value = document[name];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? escapeText(String(value)) : '—';
}

function instant(document: ConvexDocument, name: string): string {
  const value = document[name];
  return typeof value === 'number' && Number.isFinite(value) ? slackDate(value) : 'no time';
}

/** What the `audit` answer shows. */
export interface AuditView {
  /** The audit, its lists fetched with a limit above `MAX_AUDIT_LINES` (a longer list means there are more). */
  report: AuditReport;
  group: GroupRef | null;
  nextSteps: readonly NextStep[];
}

/**
 * The `audit` answer: the entity's kind, group and schema version, its newest events and its connections,
 * by id and type (the entity's name and properties stay out of Slack).
 */
export function auditMessage(view: AuditView): SlackMessage {
  const { report } = view;
  const { thing, events, connections } = report;
  const countOf = (length: number) => (length > MAX_AUDIT_LINES ? `more than ${MAX_AUDIT_LINES}` : String(length));
  const list = (label: string, lines: string[]) =>
    listSection(`*${label}* (${countOf(lines.length)})`, lines.slice(0, MAX_AUDIT_LINES), {
      maxLines: MAX_AUDIT_LINES,
      total: lines.length > MAX_AUDIT_LINES ? 'unknown' : lines.length,
    });
  const blocks: unknown[] = [
    header(`:mag: Entity ${report.thingId}`),
    fields([
      `*Type*\n${field(thing, 'type')}`,
      `*Group*\n${report.groupId === null ? ':warning: no groupId' : groupLabel(view.group ?? { id: report.groupId, slug: null })}`,
      `*Schema version*\n${field(thing, 'schemaVersion')}`,
      `*Status*\n${field(thing, 'status')}`,
    ]),
    list('Events, newest first', events.map((event) => `${code(String(event._id))} ${field(event, 'type')} · ${instant(event, 'timestamp')}`)),
    list(
      'Outgoing connections',
      connections.outgoing.map((connection) => `${code(String(connection._id))} ${field(connection, 'relationshipType')} → ${code(connectionEndpoints(connection).toId ?? '—')}`),
    ),
    list(
      'Incoming connections',
      connections.incoming.map((connection) => `${code(String(connection._id))} ${field(connection, 'relationshipType')} ← ${code(connectionEndpoints(connection).fromId ?? '—')}`),
    ),
    ...buttons(view.nextSteps),
  ];
  return {
    text: escapeText(`Entity ${report.thingId}: events ${countOf(events.length)}, outgoing connections ${countOf(connections.outgoing.length)}, incoming connections ${countOf(connections.incoming.length)}.`),
    blocks,
  };
}

/** What the `versions` answer shows. */
export interface VersionsView {
  report: VersionsReport;
  scope: GroupRef | null;
  nextSteps: readonly NextStep[];
}

/** The `versions` answer: entities in the v0 and v1 shapes. */
export function versionsMessage(view: VersionsView): SlackMessage {
  const { report } = view;
  const done = report.v0Entities === 0;
  const blocks = [
    header(`${done ? STATUS_EMOJI.healthy : STATUS_EMOJI.info} Schema versions ${groupLabelPlain(view.scope)}: ${formatValue(report.distributionPercentage.v1, 'percent')} v1`),
    fields([
      `*v0 entities* (no schemaVersion ≥ 1)\n${formatValue(report.v0Entities, 'count')} (${formatValue(report.distributionPercentage.v0, 'percent')})`,
      `*v1 entities* (schemaVersion ≥ 1)\n${formatValue(report.v1Entities, 'count')} (${formatValue(report.distributionPercentage.v1, 'percent')})`,
    ]),
    context([`As of ${slackDate(report.timestamp)}`]),
    ...buttons(view.nextSteps),
  ];
  return { text: escapeText(`Schema versions ${groupLabelPlain(view.scope)}: ${report.v0Entities} v0, ${report.v1Entities} v1 entities.`), blocks };
}

/** What the `trend` answer shows. */
export interface TrendView {
  scope: GroupRef | null;
  days: number;
  from: number;
  to: number;
  snapshots: number;
  trends: readonly MetricTrend[];
  nextSteps: readonly NextStep[];
}

const TREND_WORDS: Record<MetricTrend['trend'], string> = {
  improving: ':arrow_up_small: improving',
  declining: ':warning: declining',
  stable: ':left_right_arrow: stable',
  insufficient: ':grey_question: one snapshot',
};

/** The `trend` answer: each metric's first → last, min/max, direction and sparkline over the window. */
export function trendMessage(view: TrendView): SlackMessage {
  const declining = view.trends.filter((trend) => trend.trend === 'declining').length;
  const status: Status = view.snapshots === 0 ? 'info' : declining > 0 ? 'warning' : 'healthy';
  const headline =
    view.snapshots === 0
      ? `No snapshots ${groupLabelPlain(view.scope)} in the last ${plural(view.days, 'day')}`
      : `Trend ${groupLabelPlain(view.scope)}, ${plural(view.days, 'day')}: ${declining === 0 ? 'no metric declined' : `${plural(declining, 'metric')} declined`}`;
  const lines = view.trends.map((trend) => {
    const unit = TREND_RULES[trend.metric].unit;
    return `*${METRIC_INFO[trend.metric].title}*  \`${trend.sparkline}\`  ${formatValue(trend.first, unit)} → ${formatValue(trend.last, unit)} (min ${formatValue(trend.min, unit)}, max ${formatValue(trend.max, unit)})  ${TREND_WORDS[trend.trend]}`;
  });
  const blocks: unknown[] = [header(`${STATUS_EMOJI[status]} ${headline}`)];
  if (lines.length > 0) blocks.push(section(lines.join('\n')));
  else blocks.push(section('The daily monitor writes one snapshot per day; the trend needs at least one.'));
  blocks.push(
    context([`${slackDate(view.from)} → ${slackDate(view.to)} · ${plural(view.snapshots, 'snapshot')}`]),
    ...buttons(view.nextSteps),
  );
  return { text: escapeText(`${headline}.`), blocks };
}
