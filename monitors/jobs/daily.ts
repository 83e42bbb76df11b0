/**
 * The daily job: the full check and all seven metrics, platform-wide and per group; a `dataQualitySnapshots`
 * document for each scope; alerts at every level (info ones only as `monitoring_*` events).
 */
import { DAILY_SUBJECTS, metricObservations, metricSignals } from '../../src/alerts/evaluate.ts';
import { runAlertPipeline } from '../../src/alerts/pipeline.ts';
import type { MetricsReport } from '../../src/quality/metrics.ts';
import type { QualityIssue } from '../../src/quality/tally.ts';
import { pipelineDeps, type MonitorContext } from '../context.ts';
import type { QualitySnapshot } from '../ports.ts';
import { META_KEYS } from '../../src/store/port.ts';
import { pipelineCounts, snapshotBaseline } from './shared.ts';

/** How many issues the daily check lists (critical first), for the alerts' top ids. */
const ISSUE_LIMIT = 500;

/** The own groupId of each listed issue's record (null when it has none), as the check reports it: no record is read. */
export function issueGroupsOf(issues: readonly QualityIssue[]): Map<string, string | null> {
  return new Map(issues.map((issue) => [issue.recordId, issue.groupId]));
}

/**
 * The snapshot document of a metrics report, with whether the v1 migration had completed (the rule its metrics
 * were judged by, so a later reader judges them the same way); `orphanedKnowledge` only when the check gave the split.
 */
export function snapshotOf(report: MetricsReport, v1MigrationCompleted: boolean, orphanedKnowledge?: number): Omit<QualitySnapshot, '_id' | '_creationTime'> {
  return {
    timestamp: report.timestamp,
    ...(report.groupId !== null ? { groupId: report.groupId } : {}),
    referentialIntegrityScore: report.referentialIntegrityScore,
    orphanedConnections: report.orphanedEntityCount,
    crossGroupViolations: report.crossGroupViolations,
    malformedProperties: report.malformedPropertiesCount,
    metadata: {
      orphanedEntityCount: report.orphanedEntityCount,
      missingGroupIds: report.missingGroupIds,
      malformedPropertiesPercent: report.malformedPropertiesPercent,
      schemaComplianceScore: report.schemaComplianceScore,
      eventArchivalProgress: report.eventArchivalProgress,
      invalidMetadataCount: report.invalidMetadataCount,
      status: report.status,
      v1MigrationCompleted,
      ...(orphanedKnowledge !== undefined ? { orphanedKnowledge } : {}),
    },
  };
}

/** Runs the daily check, saves the snapshots and raises alerts; returns the counts recorded with the run. */
export async function runDaily(context: MonitorContext): Promise<Record<string, number>> {
  const now = context.now();
  const check = await context.quality.check({ now, limit: ISSUE_LIMIT });
  const { platform, groups } = await context.quality.metricsAllGroups({ now });
  const v1MigrationCompleted = (await context.meta.getMeta(META_KEYS.v1MigrationCompletedAt)) !== null;
  const reports = [platform, ...groups];
  await context.stores.snapshots.saveSnapshots(
    reports.map((report) => snapshotOf(report, v1MigrationCompleted, report.groupId === null ? check.details.orphanedKnowledge : undefined)),
    now,
  );

  const issueGroups = issueGroupsOf(check.issues);
  const signals = reports.flatMap((report) =>
    metricSignals(report, {
      thresholds: context.alerts.thresholds,
      issues: check.issues,
      issueGroups,
      breakdown:
        report.groupId === null
          ? {
              orphanedEntityCount: {
                orphanedConnections: check.details.orphanedConnections,
                orphanedKnowledge: check.details.orphanedKnowledge,
              },
            }
          : {},
    }),
  );
  const pipeline = await runAlertPipeline(pipelineDeps(context, snapshotBaseline(context, now)), {
    source: 'daily',
    signals,
    coverage: { subjects: DAILY_SUBJECTS, groupIds: 'all', severities: ['critical', 'warning', 'info'] },
    observations: reports.flatMap((report) => metricObservations(report)),
  });
  return {
    groups: groups.length,
    snapshots: reports.length,
    issues: check.summary.totalIssues,
    criticalIssues: check.summary.criticalIssues,
    warningIssues: check.summary.warningIssues,
    firing: signals.length,
    ...pipelineCounts(pipeline),
  };
}
