import { describe, expect, it } from 'vitest';
import { metricSignals, thresholdText, type MetricSubject } from '../../src/alerts/evaluate.ts';
import type { Status } from '../../src/quality/categories.ts';
import type { QualityIssue } from '../../src/quality/tally.ts';
import { metricsReport } from '../helpers/fake-quality.ts';

describe('thresholdText', () => {
  it.each<[MetricSubject, Status, string, string]>([
    ['referentialIntegrityScore', 'critical', 'critical when < 95%, healthy ≥ 99%', 'a score with a warning band'],
    ['referentialIntegrityScore', 'warning', 'warning when < 99%, critical < 95%', 'inside the warning band'],
    ['crossGroupViolations', 'critical', 'critical when > 0', 'zero tolerance: no band'],
    ['missingGroupIds', 'info', 'info when > 0 until the v1 migration completes', 'missing groupIds before the migration'],
    ['malformedPropertiesPercent', 'critical', 'critical when > 0.1%, healthy ≤ 0.01%', 'a lower-is-better percentage'],
    ['invalidMetadataCount', 'warning', 'warning when > 0', 'invalid metadata has no metric threshold: any is a warning'],
  ])('%s %s → %s (%s)', (subject, status, expected, _reason) => {
    expect(thresholdText(subject, status)).toBe(expected);
  });
});

describe('metricSignals', () => {
  const issue = (category: QualityIssue['category'], recordId: string): QualityIssue => ({
    category,
    severity: 'critical',
    table: 'connections',
    recordId,
    groupId: null,
    description: 'x',
    metadata: {},
  });

  it('fires one signal per unhealthy subject, at its status, with the issue ids of its scope', () => {
    const report = metricsReport({
      groupId: 'g1',
      crossGroupViolations: 2,
      eventArchivalProgress: 80,
      invalidMetadataCount: 1,
      statusByMetric: { crossGroupViolations: 'critical', eventArchivalProgress: 'warning' } as never,
    });
    const signals = metricSignals(report, {
      issues: [issue('crossGroup', 'c_other'), issue('crossGroup', 'c_1'), issue('orphaned', 'c_2')],
      issueGroups: new Map([
        ['c_other', 'g2'],
        ['c_1', 'g1'],
        ['c_2', 'g1'],
      ]),
    });
    expect(signals.map((signal) => [signal.subject, signal.severity, signal.value, signal.topIssueIds])).toEqual([
      ['crossGroupViolations', 'critical', 2, ['c_1']],
      ['eventArchivalProgress', 'warning', 80, []],
      ['invalidMetadataCount', 'warning', 1, []],
    ]);
    expect(signals[0]!.remediation.length).toBeGreaterThan(0);
  });

  it('keeps only the asked severities', () => {
    const report = metricsReport({ eventArchivalProgress: 80, statusByMetric: { eventArchivalProgress: 'warning' } as never });
    expect(metricSignals(report, { severities: ['critical'] })).toEqual([]);
  });
});
