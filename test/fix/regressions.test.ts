/** The pure decision that refuses a fix plan: which metrics get worse, in which direction each metric is better. */
import { describe, expect, it } from 'vitest';
import { countsAfterOrphanFix } from '../../src/fix/orphans.ts';
import { metricRegressions } from '../../src/fix/regressions.ts';
import { metricValues, type MetricsReport, type MetricValues } from '../../src/quality/metrics.ts';
import { THRESHOLD_METRICS, type ThresholdMetric } from '../../src/quality/thresholds.ts';
import type { Status } from '../../src/quality/categories.ts';
import { emptyCounts } from '../../src/quality/tally.ts';

const BASE: MetricValues = {
  referentialIntegrityScore: 90,
  orphanedEntityCount: 4,
  crossGroupViolations: 2,
  missingGroupIds: 1,
  malformedPropertiesCount: 3,
  malformedPropertiesPercent: 1.5,
  schemaComplianceScore: 80,
  eventArchivalProgress: 50,
  invalidMetadataCount: 0,
};

/** A report of `values`, every metric with a threshold judged `status` (statuses are what the second test varies). */
function report(values: MetricValues, status: Partial<Record<ThresholdMetric, Status>> = {}): MetricsReport {
  const statusByMetric = Object.fromEntries(THRESHOLD_METRICS.map((metric) => [metric, status[metric] ?? 'healthy'])) as Record<ThresholdMetric, Status>;
  return { ...values, timestamp: 0, groupId: null, status: 'healthy', statusByMetric } as MetricsReport;
}

describe('metricRegressions', () => {
  it.each([
    ['nothing changed', {}, []],
    ['a score going up and a count going down are improvements', { referentialIntegrityScore: 100, orphanedEntityCount: 0 }, []],
    ['a score going down is worse', { referentialIntegrityScore: 89.9999 }, ['referentialIntegrityScore']],
    ['a count going up is worse', { crossGroupViolations: 3 }, ['crossGroupViolations']],
    ['counts without a threshold are worse going up too', { invalidMetadataCount: 1, malformedPropertiesCount: 4 }, ['malformedPropertiesCount', 'invalidMetadataCount']],
    ['archival progress falling is worse', { eventArchivalProgress: 49 }, ['eventArchivalProgress']],
  ] as [string, Partial<MetricValues>, string[]][])('%s', (_reason, change, worse) => {
    const regressions = metricRegressions(report(BASE), report({ ...BASE, ...change }));
    expect(regressions.map((regression) => regression.metric)).toEqual(worse);
    for (const regression of regressions) expect(regression).toEqual({ metric: regression.metric, before: BASE[regression.metric], after: change[regression.metric] });
  });

  it('counts a status that gets worse at the same value, as every plan does', () => {
    const regressions = metricRegressions(report(BASE), report(BASE, { missingGroupIds: 'critical' }));
    expect(regressions).toEqual([{ metric: 'missingGroupIds', before: 1, after: 1 }]);
  });
});

describe('countsAfterOrphanFix', () => {
  it('takes the archived connections out of the denominator and the unlinked knowledge out of the sourced ones', () => {
    const counts = { ...emptyCounts(), connections: 10, orphanedConnections: 2, connectionsMissingGroupId: 1, knowledge: 5, knowledgeWithSource: 4, orphanedKnowledge: 1 };
    const after = countsAfterOrphanFix(counts, [
      { table: 'connections', groupId: null },
      { table: 'connections', groupId: 'g' },
      { table: 'knowledge', groupId: 'g' },
    ]);
    expect(after).toMatchObject({ connections: 8, orphanedConnections: 0, connectionsMissingGroupId: 0, knowledge: 5, knowledgeWithSource: 3, orphanedKnowledge: 0 });
    expect(metricValues(after).referentialIntegrityScore).toBe(100);
    expect(metricValues(counts).referentialIntegrityScore).toBeLessThan(100);
  });
});
