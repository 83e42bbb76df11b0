import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/quality/metrics.ts';
import { causeText, changeText, compareMetrics, COMPARED_METRICS, regressionSummary, type CrossGroupCause } from '../../src/quality/regressions.ts';
import { emptyCounts, type QualityCounts } from '../../src/quality/tally.ts';

const NOW = 1_800_000_000_000;
const counts = (overrides: Partial<QualityCounts>): QualityCounts => ({ ...emptyCounts(), ...overrides });
const report = (overrides: Partial<QualityCounts>, v1MigrationCompleted: boolean) => computeMetrics(counts(overrides), { now: NOW, groupId: null, v1MigrationCompleted });

/** The demo store's numbers: 4,750 connections (13 orphaned, 3 cross-group) + 500 knowledge with a source … */
const DEMO_BEFORE = { entities: 2_000, v1Entities: 200, connections: 4_750, knowledgeWithSource: 500, orphanedConnections: 10, orphanedKnowledge: 3, crossGroupConnections: 3, crossGroupEvents: 5, entitiesMissingGroupId: 1_700 };
/** … and after the migration, which makes 1,328 connections and 461 events cross-group. */
const DEMO_AFTER = { ...DEMO_BEFORE, v1Entities: 2_000, entitiesMissingGroupId: 0, crossGroupConnections: 3 + 1_328, crossGroupEvents: 5 + 461 };
const CAUSE: CrossGroupCause = {
  connections: 1_328,
  events: 461,
  total: 1_789,
  into: 'legacy-default',
  byGroup: [
    { groupId: 'g1', slug: 'group-0001', connections: 728, events: 215 },
    { groupId: 'g2', slug: null, connections: 600, events: 246 },
  ],
};

describe('compareMetrics', () => {
  it('lists every metric before → after and, as worse, those that move the wrong way, with the cross-group cause', () => {
    const result = compareMetrics(report(DEMO_BEFORE, false), report(DEMO_AFTER, true), CAUSE);
    expect(result.metrics.map((change) => change.metric)).toEqual(Object.keys(COMPARED_METRICS));
    expect(result.worsened.map((change) => [change.metric, change.before, change.after, change.beforeStatus, change.afterStatus])).toEqual([
      ['referentialIntegrityScore', 99.6952, 74.4, 'healthy', 'critical'],
      ['crossGroupViolations', 8, 1_797, 'critical', 'critical'],
    ]);
    expect(result.worsened[1]!.change).toBe(1_789);
    // Improvements are listed, not flagged: the groupIds filled and the entities brought to v1.
    expect(result.metrics.find((change) => change.metric === 'missingGroupIds')).toMatchObject({ before: 1_700, after: 0, beforeStatus: 'info', afterStatus: 'healthy', worse: false });
    expect(result.metrics.find((change) => change.metric === 'schemaComplianceScore')).toMatchObject({ before: 10, after: 100, worse: false });
    expect(result.cause).toBe(CAUSE);
    expect(regressionSummary(result)).toBe('Referential integrity score 99.7% → 74.4% (healthy → critical); Cross-group violations 8 → 1,797');
  });

  it.each([
    ['a score that drops', { connections: 100 }, { connections: 100, orphanedConnections: 2 }, false, ['referentialIntegrityScore', 'orphanedEntityCount']],
    ['a count without a threshold that rises', { entities: 10, v1Entities: 10 }, { entities: 10, v1Entities: 10, invalidMetadataEvents: 1 }, false, ['invalidMetadataCount']],
    ['the same value turning critical once the v1 migration has completed', { entities: 10, v1Entities: 10, knowledgeMissingGroupId: 2 }, { entities: 10, v1Entities: 10, knowledgeMissingGroupId: 2 }, true, ['missingGroupIds']],
    ['nothing changing', { connections: 5 }, { connections: 5 }, false, []],
    ['only improvements', { entities: 10, malformedProperties: 3 }, { entities: 10, malformedProperties: 1 }, false, []],
  ] as const)('flags %s', (_case, before, after, completedAfter, expected) => {
    const result = compareMetrics(report(before, false), report(after, completedAfter));
    expect(result.worsened.map((change) => change.metric)).toEqual(expected);
  });

  it('keeps the cross-group cause only when a metric it explains gets worse', () => {
    const onlySchema = compareMetrics(report({ entities: 10, v1Entities: 10 }, false), report({ entities: 10, v1Entities: 5 }, false), CAUSE);
    expect(onlySchema.worsened.map((change) => change.metric)).toEqual(['schemaComplianceScore']);
    expect(onlySchema.cause).toBeNull();
    expect(regressionSummary(compareMetrics(report({}, false), report({}, false), CAUSE))).toBeNull();
    expect(regressionSummary(null)).toBeNull();
  });
});

describe('the comparison lines', () => {
  it('shows two decimals, more only when two would show two different values as equal, and the status change', () => {
    const score = compareMetrics(report({}, false), report({}, false)).metrics[0]!;
    const change = (before: number, after: number) => ({ ...score, before, after });
    expect(changeText(change(99.6675, 75.1385))).toBe('99.67% → 75.14%');
    expect(changeText(change(99.1234, 99.1231))).toBe('99.1234% → 99.1231%');
    expect(changeText(change(99.671, 99.669))).toBe('99.671% → 99.669%');
    expect(changeText({ ...change(1, 1), unit: 'count', before: 8, after: 1_797, beforeStatus: 'healthy', afterStatus: 'critical' })).toBe('8 → 1,797 (healthy → critical)');
  });

  it('names the references per table, the group they land in, and the groups on the other side (at most as many as asked)', () => {
    expect(causeText(CAUSE)).toBe('1,789 cross-group references: 1,328 connections, 461 events to entities in legacy-default (from group-0001 943, g2 846)');
    expect(causeText({ ...CAUSE, byGroup: [] })).toBe('1,789 cross-group references: 1,328 connections, 461 events to entities in legacy-default');
    expect(causeText(CAUSE, 1)).toBe('1,789 cross-group references: 1,328 connections, 461 events to entities in legacy-default (from group-0001 943, 1 more groups)');
  });
});
