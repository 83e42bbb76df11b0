import { describe, expect, it } from 'vitest';
import {
  connectionEndpoints,
  CURRENT_NAMING,
  detectNaming,
  groupIdOf,
  LEGACY_NAMING,
  logicalTable,
  physicalTable,
} from '../../src/ontology/naming.ts';

describe('naming', () => {
  it.each([
    [['entities', 'connections'], CURRENT_NAMING, 'current schema'],
    [['things', 'connections'], LEGACY_NAMING, 'pre-v1 schema'],
    [['things', 'entities'], CURRENT_NAMING, 'both present: entities wins'],
    [[], CURRENT_NAMING, 'empty snapshot'],
  ])('%j → %o (%s)', (tables, expected) => {
    expect(detectNaming(tables)).toEqual(expected);
  });

  it.each([
    ['things', 'entities'],
    ['entities', 'entities'],
    ['knowledge', 'knowledge'],
    ['thingKnowledge', undefined],
  ])('logical table of %s is %s', (physical, logical) => {
    expect(logicalTable(physical)).toBe(logical);
  });

  it('maps the entities table back to the physical name of each generation', () => {
    expect(physicalTable('entities', LEGACY_NAMING)).toBe('things');
    expect(physicalTable('entities', CURRENT_NAMING)).toBe('entities');
    expect(physicalTable('events', LEGACY_NAMING)).toBe('events');
  });

  it.each([
    [{ fromEntityId: 'a', toEntityId: 'b' }, { fromId: 'a', toId: 'b' }, 'current field names'],
    [{ fromThingId: 'a', toThingId: 'b' }, { fromId: 'a', toId: 'b' }, 'legacy field names'],
    [{ fromEntityId: '', toThingId: null }, { fromId: null, toId: null }, 'empty or null ids are absent'],
  ])('endpoints of %o (%s)', (doc, expected, _reason) => {
    expect(connectionEndpoints(doc)).toEqual(expected);
  });

  it.each([
    [{ groupId: 'g1' }, 'g1', 'present'],
    [{}, null, 'missing'],
    [{ groupId: null }, null, 'null'],
    [{ groupId: '' }, null, 'empty'],
  ])('groupId of %o is %s (%s)', (doc, expected, _reason) => {
    expect(groupIdOf(doc)).toBe(expected);
  });
});
