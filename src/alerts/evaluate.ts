/**
 * The evaluate stage: turns metrics and check results into signals (what fires, at which severity, with the
 * threshold it broke, the first offending ids and what to do next). Statuses come from the quality engine's
 * threshold table, so an alert and the `metrics` command never disagree.
 */
import type { Category, Status } from '../quality/categories.ts';
import type { MetricsReport } from '../quality/metrics.ts';
import { DEFAULT_THRESHOLDS, type ThresholdMetric, type ThresholdTable } from '../quality/thresholds.ts';
import type { QualityIssue } from '../quality/tally.ts';
import { remediationFor } from './remediation.ts';
import type { Observation, Severity, Signal } from './types.ts';

/** Subjects the monitors alert on: the seven thresholded metrics plus invalid metadata (warnings in checks). */
export type MetricSubject = ThresholdMetric | 'invalidMetadataCount';

/** How each subject reads and which check categories explain it. */
export const METRIC_INFO: Record<MetricSubject, { title: string; unit: 'percent' | 'count'; better: 'higher' | 'lower'; categories: Category[] }> = {
  referentialIntegrityScore: { title: 'Referential integrity score', unit: 'percent', better: 'higher', categories: ['orphaned', 'crossGroup'] },
  orphanedEntityCount: { title: 'Orphaned references', unit: 'count', better: 'lower', categories: ['orphaned'] },
  crossGroupViolations: { title: 'Cross-group violations', unit: 'count', better: 'lower', categories: ['crossGroup'] },
  missingGroupIds: { title: 'Records missing a groupId', unit: 'count', better: 'lower', categories: ['missingGroupId'] },
  malformedPropertiesPercent: { title: 'Malformed properties', unit: 'percent', better: 'lower', categories: ['malformedProperties'] },
  schemaComplianceScore: { title: 'Schema compliance score', unit: 'percent', better: 'higher', categories: [] },
  eventArchivalProgress: { title: 'Event archival progress', unit: 'percent', better: 'higher', categories: [] },
  invalidMetadataCount: { title: 'Invalid metadata', unit: 'count', better: 'lower', categories: ['invalidMetadata'] },
};

/** Every subject the daily job covers. */
export const DAILY_SUBJECTS: readonly MetricSubject[] = Object.keys(METRIC_INFO) as MetricSubject[];

/** The subjects the hourly job covers (the critical categories). */
export const HOURLY_SUBJECTS: readonly MetricSubject[] = ['orphanedEntityCount', 'crossGroupViolations', 'missingGroupIds'];

function bound(value: number, unit: 'percent' | 'count'): string {
  return unit === 'percent' ? `${value}%` : String(value);
}

/** The threshold a status means, in words: "critical when < 95%, healthy ≥ 99%", "critical when > 0". */
export function thresholdText(subject: MetricSubject, status: Status, table: ThresholdTable = DEFAULT_THRESHOLDS): string {
  if (subject === 'invalidMetadataCount') return 'warning when > 0';
  const row = table[subject];
  const { unit } = METRIC_INFO[subject];
  const worse = row.better === 'higher' ? '<' : '>';
  const healthy = `healthy ${row.better === 'higher' ? '≥' : '≤'} ${bound(row.healthy, unit)}`;
  if (status === 'info') return `info when ${worse} ${bound(row.healthy, unit)} until the v1 migration completes`;
  if (row.warning === null) return `${status} when ${worse} ${bound(row.healthy, unit)}`;
  if (status === 'warning') return `warning when ${worse} ${bound(row.healthy, unit)}, critical ${worse} ${bound(row.warning, unit)}`;
  return `critical when ${worse} ${bound(row.warning, unit)}, ${healthy}`;
}

/** The group of an issue's record (its own groupId), or null/undefined when unknown. */
export type IssueGroups = ReadonlyMap<string, string | null>;

/**
 * The ids of the first issues that explain a subject. For a group's alert, only issues whose record belongs to
 * that group (per `issueGroups`) count.
 */
export function topIssueIds(
  subject: MetricSubject,
  issues: readonly QualityIssue[],
  groupId: string | null,
  issueGroups: IssueGroups = new Map(),
  max = 5,
): string[] {
  const categories = METRIC_INFO[subject].categories;
  const ids: string[] = [];
  for (const issue of issues) {
    if (!categories.includes(issue.category)) continue;
    if (groupId !== null && issueGroups.get(issue.recordId) !== groupId) continue;
    if (!ids.includes(issue.recordId)) ids.push(issue.recordId);
    if (ids.length >= max) break;
  }
  return ids;
}

/** Options of `metricSignals`. */
export interface MetricSignalOptions {
  /** Issues of the platform-wide check, for top ids. */
  issues?: readonly QualityIssue[];
  /** The group of each issue's record, to pick a group's own issues. */
  issueGroups?: IssueGroups;
  thresholds?: ThresholdTable;
  /** Only these subjects. */
  subjects?: readonly MetricSubject[];
  /** Only these severities (the hourly job keeps critical only). */
  severities?: readonly Severity[];
  /** Extra counts to show per subject. */
  breakdown?: Partial<Record<MetricSubject, Record<string, number>>>;
}

/** The value of a subject in a report. */
export function subjectValue(report: MetricsReport, subject: MetricSubject): number {
  return report[subject];
}

/** The status of a subject in a report (invalid metadata: warning when any). */
export function subjectStatus(report: MetricsReport, subject: MetricSubject): Status {
  if (subject === 'invalidMetadataCount') return report.invalidMetadataCount > 0 ? 'warning' : 'healthy';
  return report.statusByMetric[subject];
}

/** The signals of one metrics report: every subject whose status is not healthy. */
export function metricSignals(report: MetricsReport, options: MetricSignalOptions = {}): Signal[] {
  const signals: Signal[] = [];
  for (const subject of options.subjects ?? DAILY_SUBJECTS) {
    const status = subjectStatus(report, subject);
    if (status === 'healthy') continue;
    const severity: Severity = status;
    if (options.severities && !options.severities.includes(severity)) continue;
    const info = METRIC_INFO[subject];
    signals.push({
      subject,
      groupId: report.groupId,
      severity,
      title: info.title,
      value: subjectValue(report, subject),
      unit: info.unit,
      threshold: thresholdText(subject, status, options.thresholds),
      breakdown: options.breakdown?.[subject] ?? {},
      topIssueIds: topIssueIds(subject, options.issues ?? [], report.groupId, options.issueGroups),
      remediation: remediationFor(subject),
    });
  }
  return signals;
}

/** The current values of subjects in a report (healthy or not), for resolved messages. */
export function metricObservations(report: MetricsReport, subjects: readonly MetricSubject[] = DAILY_SUBJECTS): Observation[] {
  return subjects.map((subject) => ({ subject, groupId: report.groupId, value: subjectValue(report, subject) }));
}
