/**
 * Entities by schema generation, counted through the quality service (the `versions` command's report), with
 * the schema compliance score of those counts: after the v1 migration it shows 100% at once, without waiting
 * for the next daily snapshot. A count is reused for a few minutes (`VERSIONS_REUSE_MS`).
 */
import { schemaComplianceOf } from '../quality/reports.ts';
import { readingOf } from '../quality/severity.ts';
import type { DashboardDeps } from './deps.ts';
import type { DashboardGroup, VersionsAnswer } from './types.ts';

/**
 * How long a distribution is served again: counting scans every entity (about 200 calls per 1M records on
 * Convex), and the page asks every 30 s. The v1 migration's completion or undo is seen at once (see below).
 */
export const VERSIONS_REUSE_MS = 5 * 60_000;

/** Distributions computed for one dashboard, by group (`*`: platform-wide). */
export type VersionsCache = Map<string, { v1MigrationCompleted: boolean; answer: VersionsAnswer }>;

/**
 * The distribution of `group` (null: platform-wide) at `deps.now()`, or the one computed for it in the last
 * `VERSIONS_REUSE_MS` while the v1 migration flag is as it was then (a completed migration or its undo recounts).
 */
export async function versionsAnswer(deps: DashboardDeps, group: DashboardGroup | null, cache: VersionsCache = new Map()): Promise<VersionsAnswer> {
  const key = group?.id ?? '*';
  const v1MigrationCompleted = await deps.backend.checks.v1MigrationCompleted();
  const reused = cache.get(key);
  if (reused && reused.v1MigrationCompleted === v1MigrationCompleted && deps.now() - reused.answer.at < VERSIONS_REUSE_MS) return reused.answer;
  const at = deps.now();
  const report = await deps.backend.quality.versions({ now: at, ...(group ? { groupId: group.id } : {}) });
  const compliance = readingOf('schemaComplianceScore', schemaComplianceOf(report), { v1MigrationCompleted }, deps.config.alerts.thresholds);
  const answer: VersionsAnswer = {
    at,
    group,
    v0Entities: report.v0Entities,
    v1Entities: report.v1Entities,
    distributionPercentage: report.distributionPercentage,
    schemaComplianceScore: compliance.value,
    schemaComplianceDisplay: compliance.display,
    schemaComplianceStatus: compliance.status,
  };
  cache.set(key, { v1MigrationCompleted, answer });
  return answer;
}
