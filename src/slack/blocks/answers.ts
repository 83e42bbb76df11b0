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
import { CATEGORY_SUBJECT, formatCount, formatSubjectValue, reportReadings, STATUS_LOOK, thresholdText, type MetricReading } from '../../quality/severity.ts';
import type { ThresholdTable } from '../../quality/thresholds.ts';
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
  /**
   * The scope's metrics status, when it differs from the integrity status (healthy integrity but a critical schema
   * compliance score): one line names it and the metrics behind it.
   */
  metrics?: { status: Status; readings: readonly MetricReading[] } | null;
  nextSteps: readonly NextStep[];
}

/** The line an integrity answer adds when the scope's metrics judge it otherwise, or null when they agree. */
export function metricsStatusLine(integrityStatus: Status, metrics: IntegrityView['metrics']): string | null {
  if (!metrics || metrics.status === integrityStatus) return null;
  const worst = metrics.readings.filter((reading) => reading.status === metrics.status);
  const named = worst.map((reading) => `${reading.title} ${reading.display}`).join(', ');
  return `${STATUS_LOOK[metrics.status].emoji} Metrics of this scope: ${metrics.status}${named ? ` (${escapeText(named)})` : ''}`;
}

/** The `integrity` answer. */
export function integrityMessage(view: IntegrityView): SlackMessage {
  const { report, scope } = view;
  const { summary, details } = report;
  const title = `${STATUS_EMOJI[report.status]} Integrity ${groupLabelPlain(scope)}: ${report.status}, ${plural(summary.totalIssues, 'issue')}`;
  const count = (label: string, value: number, category: Category) =>
    `*${label}*\n${STATUS_LOOK[report.categoryStatus[category]].emoji} ${formatCount(value)} (${thresholdText(CATEGORY_SUBJECT[category], report.categoryStatus[category])})`;
  const metricsLine = metricsStatusLine(report.status, view.metrics);
  const blocks: unknown[] = [
    header(title),
    ...(metricsLine ? [section(metricsLine)] : []),
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
      `${formatCount(summary.criticalIssues)} critical · ${formatCount(summary.warningIssues)} warning · ${formatCount(summary.infoIssues)} info · checked ${slackDate(view.at)}`,
    ]),
    ...buttons(view.nextSteps),
  );
  return {
    text: escapeText(`Integrity ${groupLabelPlain(scope)}: ${report.status}, ${plural(summary.totalIssues, 'issue')}.${metricsLine && view.metrics ? ` Metrics: ${view.metrics.status}.` : ''}`),
    blocks,
  };
}

/** What the `metrics` answer shows. */
export interface MetricsView {
  report: MetricsReport;
  scope: GroupRef | null;
  thresholds: ThresholdTable;
  nextSteps: readonly NextStep[];
}

/** One reading as a Block Kit field: `*Title*\n:emoji: value (rule)`. */
export function readingField(reading: MetricReading): string {
  return `*${reading.title}*\n${STATUS_LOOK[reading.status].emoji} ${reading.display} (${reading.rule})`;
}

/** The `metrics` answer: the seven metrics and invalid metadata, each against its rule. */
export function metricsMessage(view: MetricsView): SlackMessage {
  const { report } = view;
  const readings = reportReadings(report, view.thresholds);
  const title = `${STATUS_LOOK[report.status].emoji} Metrics ${groupLabelPlain(view.scope)}: ${report.status}`;
  const blocks = [
    header(title),
    fields(readings.map(readingField)),
    context([`Malformed properties: ${plural(report.malformedPropertiesCount, 'entity', 'entities')} · as of ${slackDate(report.timestamp)}`]),
    ...buttons(view.nextSteps),
  ];
  const text = `Metrics ${groupLabelPlain(view.scope)}: ${report.status}. ${readings.map((reading) => `${reading.title} ${reading.display}`).join('; ')}.`;
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
  /** The schema compliance score of these counts as judged now (its status is the header's icon). */
  compliance: MetricReading;
  nextSteps: readonly NextStep[];
}

/** The `versions` answer: entities in the v0 and v1 shapes. */
export function versionsMessage(view: VersionsView): SlackMessage {
  const { report } = view;
  const { compliance } = view;
  const blocks = [
    header(`${STATUS_LOOK[compliance.status].emoji} Schema versions ${groupLabelPlain(view.scope)}: ${formatValue(report.distributionPercentage.v1, 'percent')} v1`),
    fields([
      readingField(compliance),
      `*v0 entities* (no schemaVersion ≥ 1)\n${formatValue(report.v0Entities, 'count')} (${formatValue(report.distributionPercentage.v0, 'percent')})`,
      `*v1 entities* (schemaVersion ≥ 1)\n${formatValue(report.v1Entities, 'count')} (${formatValue(report.distributionPercentage.v1, 'percent')})`,
    ]),
    context([`As of ${slackDate(report.timestamp)}`]),
    ...buttons(view.nextSteps),
  ];
  return {
    text: escapeText(`Schema versions ${groupLabelPlain(view.scope)}: ${formatCount(report.v0Entities)} v0, ${formatCount(report.v1Entities)} v1 entities; ${compliance.title} ${compliance.display} (${compliance.status}).`),
    blocks,
  };
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
    const shown = (value: number) => formatSubjectValue(trend.metric, value, unit);
    return `*${METRIC_INFO[trend.metric].title}*  \`${trend.sparkline}\`  ${shown(trend.first)} → ${shown(trend.last)} (min ${shown(trend.min)}, max ${shown(trend.max)})  ${TREND_WORDS[trend.trend]}`;
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
