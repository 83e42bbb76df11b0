/**
 * The hourly job: the critical categories only (orphaned, cross-group, missing groupId), platform-wide, and
 * alerts only at critical level (missing groupIds are critical only once the v1 migration has completed).
 */
import { HOURLY_SUBJECTS, METRIC_INFO, thresholdText, topIssueIds, type MetricSubject } from '../../src/alerts/evaluate.ts';
import { runAlertPipeline } from '../../src/alerts/pipeline.ts';
import { remediationFor } from '../../src/alerts/remediation.ts';
import type { Signal } from '../../src/alerts/types.ts';
import { CRITICAL_CATEGORIES } from '../../src/quality/categories.ts';
import { statusOf, type ThresholdMetric } from '../../src/quality/thresholds.ts';
import { META_KEYS } from '../../src/store/port.ts';
import { pipelineDeps, type MonitorContext } from '../context.ts';
import { pipelineCounts, snapshotBaseline } from './shared.ts';

/** How many issue ids the hourly check keeps per category. */
const ISSUE_LIMIT = 20;

/** Runs the hourly check and its alerts; returns the counts recorded with the run. */
export async function runHourly(context: MonitorContext): Promise<Record<string, number>> {
  const now = context.now();
  const report = await context.quality.check({ now, categories: CRITICAL_CATEGORIES, limit: ISSUE_LIMIT });
  const v1MigrationCompleted = (await context.meta.getMeta(META_KEYS.v1MigrationCompletedAt)) !== null;
  const values: Partial<Record<MetricSubject, number>> = {
    orphanedEntityCount: report.details.orphanedConnections + report.details.orphanedKnowledge,
    crossGroupViolations: report.details.crossGroupReferences,
    missingGroupIds: report.details.missingGroupIds,
  };
  const breakdown: Partial<Record<MetricSubject, Record<string, number>>> = {
    orphanedEntityCount: {
      orphanedConnections: report.details.orphanedConnections,
      orphanedKnowledge: report.details.orphanedKnowledge,
    },
  };

  const signals: Signal[] = [];
  for (const subject of HOURLY_SUBJECTS) {
    const value = values[subject] ?? 0;
    const status = statusOf(subject as ThresholdMetric, value, { v1MigrationCompleted }, context.alerts.thresholds);
    if (status !== 'critical') continue;
    signals.push({
      subject,
      groupId: null,
      severity: 'critical',
      title: METRIC_INFO[subject].title,
      value,
      unit: METRIC_INFO[subject].unit,
      threshold: thresholdText(subject, status, context.alerts.thresholds),
      breakdown: breakdown[subject] ?? {},
      topIssueIds: topIssueIds(subject, report.issues, null),
      remediation: remediationFor(subject),
    });
  }

  const pipeline = await runAlertPipeline(pipelineDeps(context, snapshotBaseline(context, now)), {
    source: 'hourly',
    signals,
    coverage: { subjects: HOURLY_SUBJECTS, groupIds: [null], severities: ['critical'] },
    observations: HOURLY_SUBJECTS.map((subject) => ({ subject, groupId: null, value: values[subject] ?? 0 })),
  });
  return {
    criticalIssues: report.summary.criticalIssues,
    ...values,
    firing: signals.length,
    ...pipelineCounts(pipeline),
  };
}
