import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assignGroupId, becomesCrossGroup, classifyUndo, groupAfterEntityPass, type JournalField } from '../../src/migration/rules.ts';

describe('assignGroupId', () => {
  it.each([
    ['connections', 'g1', 'g2', { groupId: 'g1', source: 'fromEntity' }, 'the from-entity’s group wins'],
    ['connections', undefined, 'g2', { groupId: 'g2', source: 'toEntity' }, 'no from-entity: the to-entity’s group'],
    ['connections', null, 'g2', { groupId: 'g2', source: 'toEntity' }, 'a from-entity without a group is skipped'],
    ['connections', undefined, undefined, { groupId: 'dflt', source: 'legacyDefault' }, 'no endpoint: legacy-default'],
    ['events', 'g1', undefined, { groupId: 'g1', source: 'actor' }, 'events: the actor first'],
    ['events', null, 'g2', { groupId: 'g2', source: 'target' }, 'events: then the target'],
    ['knowledge', 'g1', undefined, { groupId: 'g1', source: 'sourceEntity' }, 'knowledge: its source entity'],
    ['entities', undefined, undefined, { groupId: 'dflt', source: 'legacyDefault' }, 'entities have no endpoints'],
  ] as const)('%s from (%s, %s) → %j (%s)', (table, first, second, expected, _reason) => {
    expect(assignGroupId(table, first, second, 'dflt')).toEqual(expected);
  });

  it('sees an existing entity without a group as holding legacy-default after the entity pass', () => {
    expect(groupAfterEntityPass(true, null, 'dflt')).toBe('dflt');
    expect(groupAfterEntityPass(true, 'g1', 'dflt')).toBe('g1');
    expect(groupAfterEntityPass(false, null, 'dflt')).toBeUndefined();
  });
});

describe('becomesCrossGroup', () => {
  const e = (groupId: string | null, exists = true) => ({ exists, groupId });
  it.each([
    [e(null), e('g1'), true, 'one side gets legacy-default, the other is elsewhere'],
    [e(null), e('dflt'), false, 'both end in legacy-default'],
    [e(null), e(null), false, 'both get legacy-default'],
    [e('g1'), e('g2'), false, 'already cross-group: not created by the run'],
    [e(null, false), e('g1'), false, 'an endpoint that does not exist'],
  ] as const)('%j and %j → %s (%s)', (first, second, expected, _reason) => {
    expect(becomesCrossGroup(first, second, 'dflt')).toBe(expected);
  });
});

describe('classifyUndo', () => {
  const group: JournalField = { name: 'groupId', before: null, written: '"g1"' };
  const version: JournalField = { name: 'schemaVersion', before: '0.0', written: '1.0' };
  it.each([
    [[group, version], null, 'missing', [], [], 'the record is gone'],
    [[group, version], { groupId: '"g1"', schemaVersion: '1.0' }, 'reverted', [], [{ name: 'groupId', action: 'remove' }, { name: 'schemaVersion', action: 'restore', value: '0.0' }], 'both still as written'],
    [[group, version], { groupId: '"g2"', schemaVersion: '1.0' }, 'partial', ['groupId'], [{ name: 'schemaVersion', action: 'restore', value: '0.0' }], 'groupId changed since'],
    [[group, version], { schemaVersion: '3.0' }, 'conflict', ['groupId', 'schemaVersion'], [], 'groupId removed and schemaVersion changed'],
    [[version], { schemaVersion: '1' }, 'conflict', ['schemaVersion'], [], 'int64 1 is not the float64 1 written'],
  ] as const)('%j over %j → %s (%s)', (fields, current, outcome, conflictFields, reverts, _reason) => {
    expect(classifyUndo(fields, current)).toEqual({ outcome, conflictFields, reverts });
  });
});

describe('the rule module', () => {
  it('runs in a plain V8 isolate: no node: imports, no Buffer, only type imports', () => {
    const source = readFileSync('src/migration/rules.ts', 'utf8');
    expect(source).not.toMatch(/from ['"]node:|\bBuffer\b(?!`)|require\(/);
    for (const line of source.split('\n').filter((text) => text.startsWith('import '))) expect(line).toMatch(/^import type /);
  });
});
