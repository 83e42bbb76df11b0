import { describe, expect, it } from 'vitest';
import { CURRENT_NAMING, LEGACY_NAMING } from '../../src/ontology/naming.ts';
import {
  crossGroupConnectionIssue,
  crossGroupEventIssue,
  invalidPaymentMetadataIssue,
  invertedValidityIssue,
  malformedPropertiesIssue,
  missingGroupIdIssue,
  orphanedConnectionIssue,
  orphanedKnowledgeIssue,
} from '../../src/quality/issues.ts';
import { decodeBase64, decodeFloatObject } from '../../src/quality/numbers.ts';
import {
  ARCHIVAL_AGE_MS,
  classifyConnection,
  classifyEvent,
  isOlderThanArchivalAge,
  isOrphanedSource,
  type ConnectionEndpoints,
  type ConnectionVerdict,
  type EntityLookup,
  type EventReferences,
  type EventVerdict,
} from '../../src/quality/record-rules.ts';

const ENTITIES: Record<string, string | null> = { a: 'g1', b: 'g2', c: 'g1', n: null };
const lookup: EntityLookup = (id) => (id in ENTITIES ? { groupId: ENTITIES[id]! } : null);
const context = { naming: CURRENT_NAMING, v1MigrationCompleted: false };

describe('reference rules', () => {
  it.each<[ConnectionEndpoints, ConnectionVerdict, string]>([
    [{ fromId: 'a', toId: 'c' }, { kind: 'sound' }, 'both ends in one group'],
    [{ fromId: 'a', toId: 'b' }, { kind: 'crossGroup', fromGroupId: 'g1', toGroupId: 'g2' }, 'ends in two groups'],
    [{ fromId: 'a', toId: 'n' }, { kind: 'sound' }, 'an end without a group is not cross-group'],
    [{ fromId: 'a', toId: 'ghost' }, { kind: 'orphaned', missing: ['to'] }, 'the target names no entity'],
    [{ fromId: null, toId: 'ghost' }, { kind: 'orphaned', missing: ['from', 'to'] }, 'no source and a dangling target'],
    [{ fromId: 'ghost', toId: 'b' }, { kind: 'orphaned', missing: ['from'] }, 'orphaned wins over cross-group'],
  ])('classifies the connection %o as %o (%s)', (endpoints, verdict) => {
    expect(classifyConnection(endpoints, lookup)).toEqual(verdict);
  });

  it.each<[EventReferences, EventVerdict, string]>([
    [{ actorId: 'a', targetId: 'b' }, { kind: 'crossGroup', actorGroupId: 'g1', targetGroupId: 'g2' }, 'two groups'],
    [{ actorId: 'a', targetId: 'c' }, { kind: 'sound' }, 'one group'],
    [{ actorId: 'a', targetId: 'ghost' }, { kind: 'sound' }, 'a dangling target is not cross-group'],
    [{ actorId: null, targetId: 'b' }, { kind: 'sound' }, 'no actor'],
  ])('classifies the event %o as %o (%s)', (references, verdict) => {
    expect(classifyEvent(references, lookup)).toEqual(verdict);
  });

  it.each<[string | null, boolean, string]>([
    ['ghost', true, 'names no entity'],
    ['n', false, 'names an entity without a group'],
    [null, false, 'has no source'],
  ])('knowledge source %s is orphaned: %s (%s)', (source, orphaned) => {
    expect(isOrphanedSource(source, lookup)).toBe(orphaned);
  });

  it.each<[unknown, boolean, string]>([
    [1_000 - ARCHIVAL_AGE_MS - 1, true, 'a millisecond past a year'],
    [1_000 - ARCHIVAL_AGE_MS, false, 'exactly a year'],
    [BigInt(-ARCHIVAL_AGE_MS), true, 'an int64 timestamp'],
    ['0', false, 'text is not a timestamp'],
    [{ $float: 'AAAAAAAA+H8=' }, false, 'NaN as $float'],
  ])('timestamp %o is older than the archival age at 1000: %s (%s)', (timestamp, older) => {
    expect(isOlderThanArchivalAge(timestamp, 1_000)).toBe(older);
  });

  it('decodes base64 and $float objects without Buffer, as Buffer would', () => {
    for (const text of ['', 'AA==', 'AAE=', 'AAEC', 'AAAAAAAA8D8=', '/+7dzA==']) {
      expect(Array.from(decodeBase64(text)!), text).toEqual(Array.from(Buffer.from(text, 'base64')));
    }
    expect(decodeBase64('not base64!')).toBeNull();
    const float = (value: number) => {
      const bytes = Buffer.alloc(8);
      bytes.writeDoubleLE(value);
      return { $float: bytes.toString('base64') };
    };
    expect(decodeFloatObject(float(Number.NEGATIVE_INFINITY))).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(decodeFloatObject(float(-0)), -0)).toBe(true);
    expect(decodeFloatObject(float(Number.NaN))).toBeNaN();
    expect(decodeFloatObject({ $float: 'AA==' })).toEqual({ $float: 'AA==' });
    expect(decodeFloatObject({ $float: float(1).$float, extra: 1 })).toEqual({ $float: float(1).$float, extra: 1 });
  });
});

describe('issue builders', () => {
  const connection = { table: 'connections' as const, id: 'c1', groupId: 'g1' };

  it.each([
    [CURRENT_NAMING, 'fromEntityId', 'toEntityId', 'entities'],
    [LEGACY_NAMING, 'fromThingId', 'toThingId', 'things'],
  ])('words orphaned connections with the naming’s fields (%o)', (naming, fromField, toField, entitiesTable) => {
    const namingContext = { naming, v1MigrationCompleted: false };
    expect(orphanedConnectionIssue(connection, { fromId: null, toId: 'y' }, ['from', 'to'], namingContext)).toEqual({
      category: 'orphaned',
      severity: 'critical',
      table: 'connections',
      recordId: 'c1',
      groupId: 'g1',
      description: `Connection c1 has no ${fromField}; its ${toField} y, which names no existing entity.`,
      metadata: { fromId: null, toId: 'y', missing: [fromField, toField] },
    });
    expect(orphanedConnectionIssue(connection, { fromId: 'x', toId: 'y' }, ['from', 'to'], namingContext).description).toBe(
      `Connection c1 has ${fromField} x and ${toField} y, which name no existing entity.`,
    );
    expect(missingGroupIdIssue({ table: 'entities', id: 'e', groupId: null }, namingContext)).toMatchObject({
      table: entitiesTable,
      severity: 'info',
      description: 'Entity e has no groupId.',
    });
  });

  it.each([
    [
      crossGroupConnectionIssue(connection, { fromId: 'a', toId: 'b' }, { fromGroupId: 'g1', toGroupId: 'g2' }, context),
      'Connection c1 links entity a of group g1 to entity b of group g2.',
      { fromId: 'a', toId: 'b', fromGroupId: 'g1', toGroupId: 'g2' },
    ],
    [invertedValidityIssue(connection, context), 'Connection c1 has validTo earlier than validFrom.', { fields: ['validFrom', 'validTo'] }],
    [
      crossGroupEventIssue({ table: 'events', id: 'v', groupId: 'g2' }, { actorId: 'a', targetId: 'b' }, { actorGroupId: 'g1', targetGroupId: 'g2' }, context),
      'Event v has actor a of group g1 and target b of group g2.',
      { actorId: 'a', targetId: 'b', actorGroupId: 'g1', targetGroupId: 'g2' },
    ],
    [
      invalidPaymentMetadataIssue({ table: 'events', id: 'v', groupId: null }, ['amount', 'protocol'], context),
      'Payment event v has missing or invalid metadata amount, protocol.',
      { fields: ['metadata.amount', 'metadata.protocol'] },
    ],
    [
      orphanedKnowledgeIssue({ table: 'knowledge', id: 'k', groupId: 'g1' }, 'ghost', context),
      'Knowledge record k has sourceThingId ghost, which names no existing entity.',
      { sourceThingId: 'ghost' },
    ],
    [
      malformedPropertiesIssue({ table: 'entities', id: 'e', groupId: 'g1' }, 'product', ['currency', 'price'], context),
      'Entity e of type product breaks its property rule in currency, price.',
      { entityType: 'product', fields: ['currency', 'price'] },
    ],
  ])('words %#: %s', (built, description, metadata) => {
    expect(built.description).toBe(description);
    expect(built.metadata).toEqual(metadata);
  });

  it('makes missing groupIds critical once the v1 migration has completed', () => {
    expect(missingGroupIdIssue({ table: 'knowledge', id: 'k', groupId: null }, { ...context, v1MigrationCompleted: true })).toMatchObject({
      severity: 'critical',
      description: 'Knowledge record k has no groupId.',
      groupId: null,
    });
  });
});
