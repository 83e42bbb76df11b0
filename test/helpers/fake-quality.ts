/**
 * A quality source returning given metrics and check results, for pipeline and scheduler tests that are about
 * alerting rather than counting (the jobs' integration tests use the real quality service).
 */
import type { CheckReport, QualitySource } from '../../monitors/ports.ts';
import type { MetricsReport } from '../../src/quality/metrics.ts';

/** A healthy metrics report of a scope, with overrides. */
export function metricsReport(overrides: Partial<MetricsReport> = {}): MetricsReport {
  const base: MetricsReport = {
    timestamp: 0,
    groupId: null,
    referentialIntegrityScore: 100,
    orphanedEntityCount: 0,
    crossGroupViolations: 0,
    missingGroupIds: 0,
    malformedPropertiesCount: 0,
    malformedPropertiesPercent: 0,
    schemaComplianceScore: 100,
    eventArchivalProgress: 100,
    invalidMetadataCount: 0,
    status: 'healthy',
    statusByMetric: {
      referentialIntegrityScore: 'healthy',
      orphanedEntityCount: 'healthy',
      crossGroupViolations: 'healthy',
      missingGroupIds: 'healthy',
      malformedPropertiesPercent: 'healthy',
      schemaComplianceScore: 'healthy',
      eventArchivalProgress: 'healthy',
    },
  };
  return { ...base, ...overrides, statusByMetric: { ...base.statusByMetric, ...overrides.statusByMetric } };
}

/** A check report with the given detail counts and no issues listed. */
export function checkReport(details: Partial<CheckReport['details']> = {}): CheckReport {
  const full = {
    orphanedConnections: 0,
    orphanedKnowledge: 0,
    crossGroupReferences: 0,
    missingGroupIds: 0,
    invalidMetadata: 0,
    malformedProperties: 0,
    ...details,
  };
  const critical = full.orphanedConnections + full.orphanedKnowledge + full.crossGroupReferences;
  return {
    status: critical > 0 ? 'critical' : 'healthy',
    summary: { totalIssues: critical, criticalIssues: critical, warningIssues: 0, infoIssues: 0 },
    details: full,
    categoryStatus: {
      orphaned: full.orphanedConnections + full.orphanedKnowledge > 0 ? 'critical' : 'healthy',
      crossGroup: full.crossGroupReferences > 0 ? 'critical' : 'healthy',
      missingGroupId: 'healthy',
      invalidMetadata: 'healthy',
      malformedProperties: 'healthy',
    },
    issues: [],
  };
}

/** A quality source whose answers tests set; `fail` makes every call throw. */
export class FakeQuality implements QualitySource {
  check_: CheckReport = checkReport();
  platform: MetricsReport = metricsReport();
  groups: MetricsReport[] = [];
  fail: Error | null = null;
  calls = 0;
  /** When set, each call waits for this promise (to hold a run open). */
  gate: Promise<void> | null = null;

  async check(options: { now: number }): Promise<CheckReport> {
    this.calls++;
    if (this.gate) await this.gate;
    if (this.fail) throw this.fail;
    void options;
    return this.check_;
  }

  async metricsAllGroups(options: { now: number }): Promise<{ platform: MetricsReport; groups: MetricsReport[] }> {
    if (this.fail) throw this.fail;
    return {
      platform: { ...this.platform, timestamp: options.now },
      groups: this.groups.map((group) => ({ ...group, timestamp: options.now })),
    };
  }
}
