import { describe, expect, it } from 'vitest';
import { computeMetrics, percentage } from '../../src/quality/metrics.ts';
import { emptyCounts, type QualityCounts } from '../../src/quality/tally.ts';

function counts(overrides: Partial<QualityCounts>): QualityCounts {
  return { ...emptyCounts(), ...overrides };
}

const CONTEXT = { now: 1_700_000_000_000, groupId: null, v1MigrationCompleted: true };

describe('computeMetrics', () => {
  it("holds the guide's example: 1000 connections, 3 orphaned, 1 cross-group → 99.6", () => {
    const report = computeMetrics(counts({ connections: 1000, orphanedConnections: 3, crossGroupConnections: 1 }), CONTEXT);
    expect(report.referentialIntegrityScore).toBe(99.6);
    expect(report.statusByMetric.referentialIntegrityScore).toBe('healthy');
    expect(report.orphanedEntityCount).toBe(3);
    expect(report.crossGroupViolations).toBe(1);
    expect(report.status).toBe('critical');
  });

  it.each([
    [100, 'no references at all: 100', counts({})],
    [95, 'knowledge with a source joins the denominator', counts({ connections: 10, knowledgeWithSource: 10, orphanedKnowledge: 1 })],
    [66.6666, '2/3 rounds down, toward the unhealthy side', counts({ connections: 3, orphanedConnections: 1 })],
    [33.3333, '1/3 rounds down', counts({ connections: 3, crossGroupConnections: 2 })],
    [99, 'exactly 99 stays 99', counts({ connections: 3_000_000, orphanedConnections: 30_000 })],
    [98.9999, '1 bad reference over 99 % in three million never shows as 99', counts({ connections: 3_000_000, orphanedConnections: 30_001 })],
    [0, 'everything broken: 0', counts({ connections: 4, orphanedConnections: 4 })],
    [0, 'clamped at 0 when predicted counts exceed the denominator', counts({ connections: 2, orphanedConnections: 5 })],
    [99.9999, 'one bad reference in ten million never shows as 100', counts({ connections: 10_000_000, orphanedConnections: 1 })],
    [100, 'cross-group events are not part of the score', counts({ connections: 10, crossGroupEvents: 5 })],
  ])('referentialIntegrityScore is %d: %s', (expected, _reason, input) => {
    expect(computeMetrics(input, CONTEXT).referentialIntegrityScore).toBe(expected);
  });

  it('sums the count metrics as specified', () => {
    const report = computeMetrics(
      counts({
        entities: 10,
        connections: 10,
        orphanedConnections: 2,
        orphanedKnowledge: 3,
        crossGroupConnections: 4,
        crossGroupEvents: 5,
        entitiesMissingGroupId: 1,
        connectionsMissingGroupId: 2,
        eventsMissingGroupId: 3,
        knowledgeMissingGroupId: 4,
        invalidMetadataConnections: 6,
        invalidMetadataEvents: 7,
        malformedProperties: 1,
      }),
      CONTEXT,
    );
    expect(report).toMatchObject({
      orphanedEntityCount: 5,
      crossGroupViolations: 9,
      missingGroupIds: 10,
      invalidMetadataCount: 13,
      malformedPropertiesCount: 1,
      malformedPropertiesPercent: 10,
    });
  });

  it.each([
    [0, 100, 100, 'no entities and no old events', counts({})],
    [0.01, 100, 100, '1 in 10,000 is exactly 0.01 %', counts({ entities: 10_000, malformedProperties: 1, v1Entities: 10_000 })],
    [0, 66.6666, 100, '2 of 3 entities are v1 (a score rounds down)', counts({ entities: 3, v1Entities: 2 })],
    [0.0101, 100, 100, '1 in 9,990 is 0.01001 %: rounds up, never down to the healthy 0.01', counts({ entities: 9_990, malformedProperties: 1, v1Entities: 9_990 })],
    [33.3334, 100, 100, '1 in 3 malformed rounds up', counts({ entities: 3, malformedProperties: 1, v1Entities: 3 })],
    [0, 100, 87.5, '7 of 8 old events archived', counts({ eventsOlderThanYear: 8, archivedEventsOlderThanYear: 7 })],
    [0.0001, 100, 100, 'a tiny share never shows as 0', counts({ entities: 20_000_000, malformedProperties: 1, v1Entities: 20_000_000 })],
  ])('malformed %d %, compliance %d, archival %d: %s', (malformed, compliance, archival, _reason, input) => {
    const report = computeMetrics(input, CONTEXT);
    expect(report.malformedPropertiesPercent).toBe(malformed);
    expect(report.schemaComplianceScore).toBe(compliance);
    expect(report.eventArchivalProgress).toBe(archival);
  });

  it('reports missing groupIds as info before the v1 migration and critical after', () => {
    const input = counts({ eventsMissingGroupId: 2 });
    const before = computeMetrics(input, { ...CONTEXT, v1MigrationCompleted: false });
    expect(before.statusByMetric.missingGroupIds).toBe('info');
    expect(before.status).toBe('info');
    const after = computeMetrics(input, CONTEXT);
    expect(after.statusByMetric.missingGroupIds).toBe('critical');
    expect(after.status).toBe('critical');
  });

  it.each([
    ['malformedPropertiesPercent', 'warning', '0.01001 % is above the 0.01 healthy bound', counts({ entities: 9_990, malformedProperties: 1, v1Entities: 9_990 })],
    ['malformedPropertiesPercent', 'healthy', 'exactly 0.01 % is healthy', counts({ entities: 10_000, malformedProperties: 1, v1Entities: 10_000 })],
    ['schemaComplianceScore', 'warning', '94.99995 % is below the 95 healthy bound', counts({ entities: 2_000_001, v1Entities: 1_900_000 })],
    ['schemaComplianceScore', 'healthy', 'exactly 95 % is healthy', counts({ entities: 200_000, v1Entities: 190_000 })],
    ['referentialIntegrityScore', 'warning', '98.99997 is below 99', counts({ connections: 3_000_000, orphanedConnections: 30_001 })],
    ['eventArchivalProgress', 'critical', '69.99998 is below 70', counts({ eventsOlderThanYear: 3_000_001, archivedEventsOlderThanYear: 2_100_000 })],
  ] as const)('judges %s %s at a bound the value only just misses (%s)', (metric, status, _reason, input) => {
    expect(computeMetrics(input, CONTEXT).statusByMetric[metric]).toBe(status);
  });

  it('takes the worst metric status as the report status and carries timestamp and group', () => {
    const report = computeMetrics(counts({ entities: 100, v1Entities: 92 }), { ...CONTEXT, groupId: 'g1' });
    expect(report.statusByMetric.schemaComplianceScore).toBe('warning');
    expect(report.status).toBe('warning');
    expect(report.timestamp).toBe(CONTEXT.now);
    expect(report.groupId).toBe('g1');
  });
});

describe('percentage', () => {
  it.each([
    [1, 8, 12.5, 'exact'],
    [1, 6, 16.6667, 'half-up at the 4th decimal'],
    [1, 20_000_000, 0.0001, 'a tiny share never shows as 0'],
    [19_999_999, 20_000_000, 99.9999, 'almost all never shows as 100'],
    [5, 0, 42, 'empty whole gives the fallback'],
    [0, 7, 0, 'none'],
    [7, 7, 100, 'all'],
  ])('%d of %d → %d (%s)', (part, whole, expected) => {
    expect(percentage(part, whole, 42)).toBe(expected);
  });

  it.each([
    [1, 6, 'down', 16.6666, '16.66666… rounds down'],
    [1, 6, 'up', 16.6667, '16.66666… rounds up'],
    [5, 6, 'up', 83.3334, '83.33333… rounds up'],
    [1, 8, 'down', 12.5, 'an exact value does not move'],
    [1, 8, 'up', 12.5, 'an exact value does not move either way'],
    [1, 20_000_000, 'down', 0, 'down may reach 0 (the unhealthy side)'],
    [19_999_999, 20_000_000, 'up', 100, 'up may reach 100 (the unhealthy side)'],
    [7, 7, 'down', 100, 'all is 100'],
  ] as const)('%d of %d rounded %s → %d (%s)', (part, whole, rounding, expected, _reason) => {
    expect(percentage(part, whole, 42, rounding)).toBe(expected);
  });
});
