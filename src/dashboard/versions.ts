/**
 * Entities by schema generation, counted now through the quality service (the `versions` command's report),
 * with the schema compliance score of those counts: after the v1 migration it shows 100% at once, without
 * waiting for the next daily snapshot.
 */
import { percentage } from '../quality/metrics.ts';
import { statusOf } from '../quality/thresholds.ts';
import type { DashboardDeps } from './deps.ts';
import type { DashboardGroup, VersionsAnswer } from './types.ts';

/** The distribution of `group` (null: platform-wide) at `deps.now()`. */
export async function versionsAnswer(deps: DashboardDeps, group: DashboardGroup | null): Promise<VersionsAnswer> {
  const at = deps.now();
  const [report, v1MigrationCompleted] = await Promise.all([
    deps.backend.quality.versions({ now: at, ...(group ? { groupId: group.id } : {}) }),
    deps.backend.checks.v1MigrationCompleted(),
  ]);
  // As the metric computes it: rounded down (never better than the exact value), 100 with no entities.
  const score = percentage(report.v1Entities, report.v0Entities + report.v1Entities, 100, 'down');
  return {
    at,
    group,
    v0Entities: report.v0Entities,
    v1Entities: report.v1Entities,
    distributionPercentage: report.distributionPercentage,
    schemaComplianceScore: score,
    schemaComplianceStatus: statusOf('schemaComplianceScore', score, { v1MigrationCompleted }, deps.config.alerts.thresholds),
  };
}
