/**
 * The one severity model: for every subject a command, a monitor or the dashboard judges (the seven metrics with
 * a threshold, and invalid metadata) its title, unit, decimals shown, bounds, severities and wording; the look of
 * each status (word, terminal symbol, Slack emoji, colour); and the one number format. The CLI tables, the Slack
 * Block Kit answers and alerts, the dashboard JSON and docs/data-quality-metrics.md all render from here, so a
 * value never reads one way on one surface and another way on the next.
 */
import type { Category, SeverityContext, Status } from './categories.ts';
import type { MetricsReport } from './metrics.ts';
import { DEFAULT_THRESHOLDS, statusOf, THRESHOLD_METRICS, type ThresholdMetric, type ThresholdTable } from './thresholds.ts';

/** Everything judged: the seven thresholded metrics, then invalid metadata (warning when any). */
export const SUBJECTS = [...THRESHOLD_METRICS, 'invalidMetadataCount'] as const;
/** One judged subject. */
export type Subject = ThresholdMetric | 'invalidMetadataCount';

/** How a subject reads: its title, unit, which way is better, the categories that explain it. */
export interface SubjectInfo {
  title: string;
  unit: 'percent' | 'count';
  better: 'higher' | 'lower';
  /** The integrity categories whose records explain the subject (their ids are an alert's top ids). */
  categories: Category[];
  /** Decimals shown with the default bounds (a deployment's finer bound adds decimals, see `displayDecimals`). */
  decimals: number;
}

/** Every subject's presentation, in report order. */
export const SUBJECT_INFO: Record<Subject, SubjectInfo> = {
  referentialIntegrityScore: { title: 'Referential integrity score', unit: 'percent', better: 'higher', categories: ['orphaned', 'crossGroup'], decimals: 2 },
  orphanedEntityCount: { title: 'Orphaned references', unit: 'count', better: 'lower', categories: ['orphaned'], decimals: 0 },
  crossGroupViolations: { title: 'Cross-group violations', unit: 'count', better: 'lower', categories: ['crossGroup'], decimals: 0 },
  missingGroupIds: { title: 'Records missing a groupId', unit: 'count', better: 'lower', categories: ['missingGroupId'], decimals: 0 },
  malformedPropertiesPercent: { title: 'Malformed properties', unit: 'percent', better: 'lower', categories: ['malformedProperties'], decimals: 2 },
  schemaComplianceScore: { title: 'Schema compliance score', unit: 'percent', better: 'higher', categories: [], decimals: 2 },
  eventArchivalProgress: { title: 'Event archival progress', unit: 'percent', better: 'higher', categories: [], decimals: 2 },
  invalidMetadataCount: { title: 'Invalid metadata', unit: 'count', better: 'lower', categories: ['invalidMetadata'], decimals: 0 },
};

/**
 * The subject that judges each integrity category: a category's issues take the status of its metric, so `check`,
 * `/ontology integrity`, alerts and `metrics` give one severity for the same records.
 */
export const CATEGORY_SUBJECT: Record<Category, Subject> = {
  orphaned: 'orphanedEntityCount',
  crossGroup: 'crossGroupViolations',
  missingGroupId: 'missingGroupIds',
  invalidMetadata: 'invalidMetadataCount',
  malformedProperties: 'malformedPropertiesPercent',
};

/** How each status looks on every surface. */
export interface StatusLook {
  /** Lower-case word, as in JSON (`critical`). */
  word: Status;
  /** Capitalised word for headings and pills (`Critical`). */
  label: string;
  /** Terminal symbol (CLI tables). */
  symbol: string;
  /** Slack emoji shortcode (Block Kit). */
  emoji: string;
  /** Colour (dashboard dots, pills and card edges). */
  colour: string;
}

/** The look of each status. */
export const STATUS_LOOK: Record<Status, StatusLook> = {
  healthy: { word: 'healthy', label: 'Healthy', symbol: '✅', emoji: ':large_green_circle:', colour: '#2f9e44' },
  info: { word: 'info', label: 'Info', symbol: 'ℹ️', emoji: ':information_source:', colour: '#1c7ed6' },
  warning: { word: 'warning', label: 'Warning', symbol: '⚠️', emoji: ':large_yellow_circle:', colour: '#e8590c' },
  critical: { word: 'critical', label: 'Critical', symbol: '🚨', emoji: ':red_circle:', colour: '#e03131' },
};

/** The status of a subject's value under a table: a metric by its threshold row, invalid metadata warning when any. */
export function judge(subject: Subject, value: number, context: SeverityContext, table: ThresholdTable = DEFAULT_THRESHOLDS): Status {
  if (subject === 'invalidMetadataCount') return value > 0 ? 'warning' : 'healthy';
  return statusOf(subject, value, context, table);
}

function decimalsOf(value: number): number {
  for (let places = 0; places <= 4; places++) if (Math.abs(value * 10 ** places - Math.round(value * 10 ** places)) < 1e-6) return places;
  return 4;
}

/**
 * Decimals a subject is shown with: its default, or more when a bound of the table has more (a value and its
 * status then never seem to disagree: shown rounded toward the unhealthy side to at least the bound's decimals,
 * it sits on the same side of the bound as the exact value).
 */
export function displayDecimals(subject: Subject, table: ThresholdTable = DEFAULT_THRESHOLDS): number {
  const info = SUBJECT_INFO[subject];
  if (info.unit === 'count' || subject === 'invalidMetadataCount') return info.decimals;
  const row = table[subject];
  return Math.max(info.decimals, decimalsOf(row.healthy), row.warning === null ? 0 : decimalsOf(row.warning));
}

const formatters = new Map<number, Intl.NumberFormat>();

/** A number with thousands separators and exactly `decimals` decimals: `9,727`, `99.60`. */
export function formatNumber(value: number, decimals = 0): string {
  let formatter = formatters.get(decimals);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formatters.set(decimals, formatter);
  }
  return formatter.format(value);
}

/** A count as every surface writes it: `9,727`. */
export function formatCount(value: number): string {
  return formatNumber(value, 0);
}

/**
 * A subject's value as every surface shows it: thousands separators, the subject's decimals, `%` for a
 * percentage. Rounded toward the unhealthy side (a score down, a share of bad records up), like the metric itself,
 * so the shown number never looks better than the one that was judged: `99.66%`, `0.02%`, `9,450`.
 */
export function formatMetric(subject: Subject, value: number, table: ThresholdTable = DEFAULT_THRESHOLDS): string {
  if (!Number.isFinite(value)) return '—';
  const info = SUBJECT_INFO[subject];
  const decimals = displayDecimals(subject, table);
  const scale = 10 ** decimals;
  // Metrics carry 4 decimals: snap to them first so float noise (0.1 × 3) never tips the rounding.
  const exact = Math.round(value * 10_000) / 10_000;
  const scaled = Math.round(exact * scale * 1e6) / 1e6;
  const rounded = (info.better === 'higher' ? Math.floor(scaled) : Math.ceil(scaled)) / scale;
  return `${formatNumber(rounded, decimals)}${info.unit === 'percent' ? '%' : ''}`;
}

/** A value that is no subject of the model (a share, a change, a chart point) by its unit: `99.60%`, `1,234`. */
export function formatByUnit(value: number, unit: 'percent' | 'count'): string {
  if (!Number.isFinite(value)) return '—';
  if (unit === 'percent') return `${formatNumber(value, 2)}%`;
  return Number.isInteger(value) ? formatCount(value) : formatNumber(value, 2);
}

/** A value named by an alert subject: a subject of the model as `formatMetric` shows it, anything else by its unit. */
export function formatSubjectValue(subject: string, value: number, unit: 'percent' | 'count'): string {
  return (SUBJECTS as readonly string[]).includes(subject) ? formatMetric(subject as Subject, value) : formatByUnit(value, unit);
}

/** A bound as rules are written: the fewest decimals it needs, `%` for a percentage: `99%`, `0.01%`, `0`. */
export function formatBound(subject: Subject, value: number): string {
  return `${formatNumber(value, decimalsOf(value))}${SUBJECT_INFO[subject].unit === 'percent' ? '%' : ''}`;
}

/**
 * The rule a status means, in words, as alerts, cards and answers show it: "critical when < 95%, healthy ≥ 99%",
 * "critical when > 0", "warning when > 0". For `healthy`, the rule that would make it critical (what to watch).
 */
export function thresholdText(subject: Subject, status: Status, table: ThresholdTable = DEFAULT_THRESHOLDS): string {
  if (subject === 'invalidMetadataCount') return 'warning when > 0';
  const row = table[subject];
  const bound = (value: number) => formatBound(subject, value);
  const worse = row.better === 'higher' ? '<' : '>';
  const healthy = `healthy ${row.better === 'higher' ? '≥' : '≤'} ${bound(row.healthy)}`;
  if (status === 'info') return `info when ${worse} ${bound(row.healthy)} until the v1 migration completes`;
  if (row.warning === null) return `critical when ${worse} ${bound(row.healthy)}`;
  if (status === 'warning') return `warning when ${worse} ${bound(row.healthy)}, critical ${worse} ${bound(row.warning)}`;
  return `critical when ${worse} ${bound(row.warning)}, ${healthy}`;
}

/** One subject's value as a surface shows it: what every CLI row, Slack field and dashboard tile is made of. */
export interface MetricReading {
  subject: Subject;
  title: string;
  unit: 'percent' | 'count';
  /** The value as judged (4 decimals for a percentage). */
  value: number;
  /** The value as shown (`formatMetric`). */
  display: string;
  status: Status;
  /** The rule that status means (`thresholdText`). */
  rule: string;
}

/** The reading of one subject's value. */
export function readingOf(subject: Subject, value: number, context: SeverityContext, table: ThresholdTable = DEFAULT_THRESHOLDS): MetricReading {
  return readingJudged(subject, value, judge(subject, value, context, table), table);
}

/** The readings of every subject present in `values`, in report order. */
export function readingsOf(values: Partial<Record<Subject, number>>, context: SeverityContext, table: ThresholdTable = DEFAULT_THRESHOLDS): MetricReading[] {
  return SUBJECTS.flatMap((subject) => {
    const value = values[subject];
    return value === undefined ? [] : [readingOf(subject, value, context, table)];
  });
}

/** A reading with a status already decided (a report's or a snapshot's own judgement). */
export function readingJudged(subject: Subject, value: number, status: Status, table: ThresholdTable = DEFAULT_THRESHOLDS): MetricReading {
  const info = SUBJECT_INFO[subject];
  return { subject, title: info.title, unit: info.unit, value, display: formatMetric(subject, value, table), status, rule: thresholdText(subject, status, table) };
}

/**
 * The readings of a metrics report, as the CLI, Slack and the dashboard show it: the report's own statuses (judged
 * when it was computed, by the rules of that moment), and invalid metadata by the severity model.
 */
export function reportReadings(report: MetricsReport, table: ThresholdTable = DEFAULT_THRESHOLDS): MetricReading[] {
  return SUBJECTS.map((subject) =>
    subject === 'invalidMetadataCount'
      ? readingOf(subject, report.invalidMetadataCount, { v1MigrationCompleted: true }, table)
      : readingJudged(subject, report[subject], report.statusByMetric[subject], table),
  );
}

/** One row of the severity table: a subject's bands in words (`x ≥ 99%`), as the metrics guide prints it. */
export interface SeverityRule {
  subject: Subject;
  title: string;
  decimals: number;
  healthy: string;
  warning: string;
  critical: string;
}

/** The severity table of a threshold table: which values of each subject are healthy, warning and critical. */
export function severityRules(table: ThresholdTable = DEFAULT_THRESHOLDS): SeverityRule[] {
  return SUBJECTS.map((subject): SeverityRule => {
    const info = SUBJECT_INFO[subject];
    const base = { subject, title: info.title, decimals: displayDecimals(subject, table) };
    if (subject === 'invalidMetadataCount') return { ...base, healthy: 'x = 0', warning: 'x > 0', critical: '(never)' };
    const row = table[subject];
    const bound = (value: number) => formatBound(subject, value);
    const healthy = row.better === 'higher' ? `x ≥ ${bound(row.healthy)}` : row.healthy === 0 ? 'x = 0' : `x ≤ ${bound(row.healthy)}`;
    const warning =
      row.warning === null
        ? '(none)'
        : row.better === 'higher'
          ? `${bound(row.warning)} ≤ x < ${bound(row.healthy)}`
          : `${bound(row.healthy)} < x ≤ ${bound(row.warning)}`;
    const edge = row.warning ?? row.healthy;
    let critical = row.better === 'higher' ? `x < ${bound(edge)}` : `x > ${bound(edge)}`;
    if (row.infoBeforeV1Migration) critical += `; **info** before the v1 migration`;
    return { ...base, healthy, warning, critical };
  });
}

/** The severity table as the metrics guide prints it (a Markdown table; a test keeps the guide equal to it). */
export function severityRulesMarkdown(table: ThresholdTable = DEFAULT_THRESHOLDS): string {
  const lines = ['| subject | shown as | decimals | healthy | warning | critical |', '|---|---|---|---|---|---|'];
  for (const rule of severityRules(table)) {
    lines.push(`| \`${rule.subject}\` | ${rule.title} | ${rule.decimals} | ${rule.healthy} | ${rule.warning} | ${rule.critical} |`);
  }
  return lines.join('\n');
}
