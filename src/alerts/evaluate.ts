/**
 * The evaluate stage: turns metrics and check results into signals (what fires, at which severity, with the
 * threshold it broke, the first offending ids and what to do next). Statuses come from the quality engine's
 * threshold table, so an alert and the `metrics` command never disagree.
 */
import type { Status } from '../quality/categories.ts';
import type { MetricsReport } from '../quality/metrics.ts';
import { judge, SUBJECT_INFO, SUBJECTS, thresholdText, type Subject } from '../quality/severity.ts';
import type { ThresholdTable } from '../quality/thresholds.ts';
import type { QualityIssue } from '../quality/tally.ts';
import { remediationFor } from './remediation.ts';
import type { Observation, Severity, Signal } from './types.ts';

/** Subjects the monitors alert on: the seven thresholded metrics plus invalid metadata (the severity model's subjects). */
export type MetricSubject = Subject;

/** How each subject reads and which check categories explain it (the severity model's table). */
export const METRIC_INFO = SUBJECT_INFO;

/** Every subject the daily job covers. */
export const DAILY_SUBJECTS: readonly MetricSubject[] = SUBJECTS;

/** The subjects the hourly job covers (the critical categories). */
export const HOURLY_SUBJECTS: readonly MetricSubject[] = ['orphanedEntityCount', 'crossGroupViolations', 'missingGroupIds'];

/** The threshold a status means, in words (the severity model's wording). */
export { thresholdText };

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

/** The status of a subject in a report: a metric's as the report judged it, invalid metadata's by the severity model. */
export function subjectStatus(report: MetricsReport, subject: MetricSubject): Status {
  if (subject === 'invalidMetadataCount') return judge(subject, report.invalidMetadataCount, { v1MigrationCompleted: true });
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
