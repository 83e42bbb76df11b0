import { describe, expect, it } from 'vitest';
import type { Category, Severity } from '../../src/quality/categories.ts';
import { addCounts, COUNT_FIELDS, createTally, emptyCounts, keepIssue, mergeTallies, orderedIssues, type QualityIssue } from '../../src/quality/tally.ts';

function issue(category: Category, severity: Severity, recordId: string): QualityIssue {
  return { category, severity, table: 't', recordId, groupId: null, description: recordId, metadata: {} };
}

describe('tally', () => {
  it('adds counts field by field', () => {
    const a = { ...emptyCounts(), connections: 2, orphanedConnections: 1 };
    const b = { ...emptyCounts(), connections: 3, malformedProperties: 4 };
    const sum = addCounts(a, b);
    expect(sum.connections).toBe(5);
    expect(sum.orphanedConnections).toBe(1);
    expect(sum.malformedProperties).toBe(4);
    expect(Object.keys(sum).sort()).toEqual([...COUNT_FIELDS].sort());
  });

  it('keeps at most the limit per category and merges pages in order', () => {
    const first = createTally(2);
    const second = createTally(2);
    for (const id of ['a', 'b', 'c']) keepIssue(first, issue('orphaned', 'critical', id));
    keepIssue(second, issue('orphaned', 'critical', 'd'));
    keepIssue(second, issue('malformedProperties', 'warning', 'e'));
    first.counts.orphanedConnections = 3;
    second.counts.orphanedConnections = 1;
    const merged = mergeTallies(first, second);
    expect(merged.issues.orphaned.map((kept) => kept.recordId)).toEqual(['a', 'b']);
    expect(merged.issues.malformedProperties.map((kept) => kept.recordId)).toEqual(['e']);
    expect(merged.counts.orphanedConnections).toBe(4);
  });

  it('orders issues critical first, then warning, then info, category order within a severity, and cuts at the limit', () => {
    const tally = createTally(10);
    keepIssue(tally, issue('malformedProperties', 'warning', 'w1'));
    keepIssue(tally, issue('missingGroupId', 'info', 'i1'));
    keepIssue(tally, issue('crossGroup', 'critical', 'c2'));
    keepIssue(tally, issue('orphaned', 'critical', 'c1'));
    keepIssue(tally, issue('invalidMetadata', 'warning', 'w0'));
    expect(orderedIssues(tally, 10).map((kept) => kept.recordId)).toEqual(['c1', 'c2', 'w0', 'w1', 'i1']);
    expect(orderedIssues(tally, 3).map((kept) => kept.recordId)).toEqual(['c1', 'c2', 'w0']);
  });

  it('puts missing groupIds among the critical issues once they are critical', () => {
    const tally = createTally(10);
    keepIssue(tally, issue('invalidMetadata', 'warning', 'w'));
    keepIssue(tally, issue('missingGroupId', 'critical', 'm'));
    keepIssue(tally, issue('crossGroup', 'critical', 'x'));
    expect(orderedIssues(tally, 10).map((kept) => kept.recordId)).toEqual(['x', 'm', 'w']);
  });
});
