import { describe, expect, it } from 'vitest';
import type { QualitySnapshot } from '../../monitors/ports.ts';
import { classifyTrend, sparkline, TREND_METRICS, trendsOf, type TrendMetric } from '../../monitors/trend.ts';
import { ALERT_SUBJECTS } from '../../src/alerts/silences.ts';

describe('classifyTrend', () => {
  it.each<[TrendMetric, number, number, number, string, string]>([
    ['referentialIntegrityScore', 99.2, 99.8, 7, 'improving', 'a score going up is better'],
    ['referentialIntegrityScore', 99.8, 99.2, 7, 'declining', 'a score going down is worse'],
    ['referentialIntegrityScore', 99.8, 99.75, 7, 'stable', 'within the 0.1-point tolerance'],
    ['referentialIntegrityScore', 99.8, 99.7, 7, 'stable', 'exactly at the tolerance is still stable'],
    ['referentialIntegrityScore', 99.8, 99.69, 7, 'declining', 'just past the tolerance'],
    ['orphanedEntityCount', 5, 2, 7, 'improving', 'a count going down is better'],
    ['orphanedEntityCount', 0, 1, 7, 'declining', 'zero tolerance from zero: one new orphan is a decline'],
    ['missingGroupIds', 10_000, 10_050, 7, 'stable', 'within 1% of a large count'],
    ['missingGroupIds', 10_000, 10_200, 7, 'declining', 'more than 1% more'],
    ['eventArchivalProgress', 88, 91, 7, 'improving', 'archival progress is a score'],
    ['malformedPropertiesPercent', 0.02, 0.05, 7, 'declining', 'a percentage of bad records is lower-is-better'],
    ['crossGroupViolations', 3, 3, 1, 'insufficient', 'one point is not a trend'],
  ])('%s %d → %d (%d points): %s — %s', (metric, first, last, points, expected, _reason) => {
    expect(classifyTrend(metric, first, last, points)).toBe(expected);
  });
});

describe('sparkline', () => {
  it.each<[number[], string, string]>([
    [[1, 2, 3, 4, 5, 6, 7, 8], '▁▂▃▄▅▆▇█', 'a ramp uses every bar'],
    [[5, 5, 5], '▄▄▄', 'a flat series is drawn mid-height'],
    [[0, 10], '▁█', 'two points: min and max'],
    [[], '', 'nothing to draw'],
  ])('%j → %s (%s)', (values, expected, _reason) => {
    expect(sparkline(values)).toBe(expected);
  });
});

describe('trendsOf', () => {
  it('reads snapshots imported from a deployment: int64 values and missing metadata fields', () => {
    const imported = [10n, 12n].map(
      (crossGroup, index) =>
        ({
          _id: `s${index}`,
          _creationTime: index,
          timestamp: index,
          referentialIntegrityScore: 99.5,
          orphanedConnections: 0n,
          crossGroupViolations: crossGroup,
          malformedProperties: 0n,
          metadata: {},
        }) as unknown as QualitySnapshot,
    );
    const trends = trendsOf(imported);
    expect(trends.map((trend) => trend.metric)).toEqual(['referentialIntegrityScore', 'orphanedEntityCount', 'crossGroupViolations']);
    expect(trends.find((trend) => trend.metric === 'crossGroupViolations')).toMatchObject({ first: 10, last: 12, trend: 'declining' });
  });
});

describe('trend subjects', () => {
  it('can all be silenced (the silence command knows every trend.<metric> the weekly job raises)', () => {
    expect(TREND_METRICS.map((metric) => `trend.${metric}`).filter((subject) => !ALERT_SUBJECTS.includes(subject))).toEqual([]);
  });
});
