/**
 * A hand-made ontology with one or two records of every defect, in a real SQLite file, and the counts the
 * checks must find in it (worked out by hand from the specification, not by running the code).
 */
import { newConvexId } from '../../src/ontology/ids.ts';
import type { NamingGeneration } from '../../src/ontology/naming.ts';
import type { ConvexValue } from '../../src/ontology/values.ts';
import { META_KEYS, type SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { counterRandom, tempStore } from '../helpers/temp-store.ts';

/** The instant the fixture is evaluated at. */
export const NOW = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

/** Text planted in property and metadata values; it must never appear in an issue. */
export const SECRET = 'SECRET-VALUE';

/** Ids of the fixture's records by their role. */
export type FixtureIds = Record<string, string>;

/** Builds the fixture in a fresh store under either naming. */
export async function buildFixture(generation: NamingGeneration = 'current'): Promise<{ store: SqliteStore; path: string; ids: FixtureIds }> {
  const { store, path } = tempStore({ random: counterRandom(), now: () => NOW - 1000 * DAY });
  if (generation === 'legacy') store.setMetaSync(META_KEYS.naming, 'legacy');
  const [fromField, toField] = generation === 'legacy' ? ['fromThingId', 'toThingId'] : ['fromEntityId', 'toEntityId'];
  const ids: FixtureIds = {};
  const ghostRandom = counterRandom(1_000_000);
  const ghost = () => newConvexId(store.tableNumber(generation === 'legacy' ? 'things' : 'entities'), ghostRandom);

  const add = async (role: string, table: 'groups' | 'entities' | 'connections' | 'events' | 'knowledge', fields: Record<string, ConvexValue>) => {
    ids[role] = (await store.insert(table, fields))._id;
  };
  await add('groupA', 'groups', { slug: 'acme', name: 'Acme' });
  await add('groupB', 'groups', { slug: 'beta', name: 'Beta' });
  await add('groupC', 'groups', { slug: 'empty', name: 'Empty' });
  const A = ids.groupA!;
  const B = ids.groupB!;

  await add('a1', 'entities', { groupId: A, type: 'creator', name: 'Ann', properties: { role: 'host' }, schemaVersion: 1 });
  await add('a2', 'entities', {
    groupId: A,
    type: 'product',
    name: SECRET,
    properties: { price: -5, currency: 'usd', note: SECRET },
    schemaVersion: 2n,
  });
  await add('b1', 'entities', { groupId: B, type: 'blog_post', name: 'Post', properties: { title: 'T', content: 'C' }, schemaVersion: 1 });
  await add('n1', 'entities', { type: 'agent', name: 'Bot', properties: SECRET, schemaVersion: '1' });
  await add('o1', 'entities', { groupId: B, type: 'organization', name: 'Org', properties: { plan: '' } });

  const connection = (groupId: string | null, from: string | null, to: string | null, extra: Record<string, ConvexValue> = {}) => ({
    ...(groupId === null ? {} : { groupId }),
    ...(from === null ? {} : { [fromField]: from }),
    ...(to === null ? {} : { [toField]: to }),
    relationshipType: 'owns',
    ...extra,
  });
  await add('c1', 'connections', connection(A, ids.a1!, ids.a2!, { validFrom: 1, validTo: 2 }));
  await add('c2', 'connections', connection(A, ids.a1!, ghost()));
  await add('c3', 'connections', connection(A, ghost(), ghost()));
  await add('c4', 'connections', connection(A, ids.a1!, ids.b1!));
  await add('c5', 'connections', connection(B, ids.b1!, ids.n1!));
  await add('c6', 'connections', connection(null, ids.a1!, ids.a2!, { validFrom: 10, validTo: 5n }));
  await add('c7', 'connections', connection(null, ghost(), ids.b1!));
  await add('c8', 'connections', connection(A, null, ids.a1!));

  const payment = (metadata: ConvexValue) => ({ type: 'payment_event', actorId: ids.a1!, targetId: ids.a2!, metadata });
  await add('e1', 'events', { groupId: A, timestamp: NOW - DAY, ...payment({ protocol: 'x402', status: 'processed', amount: 12.5 }) });
  await add('e2', 'events', { groupId: A, timestamp: NOW - DAY, ...payment({ protocol: 'ach', status: 'processed', amount: SECRET }) });
  await add('e3', 'events', { groupId: B, type: 'user_login', actorId: ids.b1!, targetId: ids.a1!, timestamp: NOW - DAY });
  await add('e4', 'events', { type: 'user_login', actorId: ids.a1!, targetId: ghost(), timestamp: NOW - 2 * DAY });
  await add('e5', 'events', { groupId: A, type: 'entity_created', actorId: ids.a1!, timestamp: NOW - 400 * DAY, archived: true });
  await add('e6', 'events', { groupId: A, type: 'entity_created', targetId: ids.a1!, timestamp: NOW - 366 * DAY });
  await add('e7', 'events', { groupId: A, type: 'entity_updated', actorId: ids.a2!, timestamp: NOW - 364 * DAY, archived: true });

  await add('k1', 'knowledge', { groupId: A, knowledgeType: 'document', sourceThingId: ids.a1! });
  await add('k2', 'knowledge', { groupId: A, knowledgeType: 'document', sourceThingId: ghost(), text: SECRET });
  await add('k3', 'knowledge', { groupId: B, knowledgeType: 'label' });
  await add('k4', 'knowledge', { knowledgeType: 'chunk', sourceThingId: ids.b1! });
  return { store, path, ids };
}

/** What the checks must find platform-wide (all categories). */
export const EXPECTED_PLATFORM = {
  entities: 5,
  connections: 8,
  events: 7,
  knowledge: 4,
  knowledgeWithSource: 3, // k1, k2, k4
  orphanedConnections: 4, // c2 (to), c3 (both: counted once), c7 (from), c8 (no from)
  orphanedKnowledge: 1, // k2
  crossGroupConnections: 1, // c4 (c5's target has no group)
  crossGroupEvents: 1, // e3 (e4's target does not exist)
  entitiesMissingGroupId: 1, // n1
  connectionsMissingGroupId: 2, // c6, c7
  eventsMissingGroupId: 1, // e4
  knowledgeMissingGroupId: 1, // k4
  invalidMetadataConnections: 1, // c6 (validTo 5 < validFrom 10)
  invalidMetadataEvents: 1, // e2
  malformedProperties: 2, // a2 (price, currency), o1 (plan)
  v1Entities: 3, // a1, a2 (int64 2), b1; n1's "1" is text
  eventsOlderThanYear: 2, // e5, e6 (e7 is 364 days old)
  archivedEventsOlderThanYear: 1, // e5
};

/** What the checks must find for group A (records whose own groupId is A). */
export const EXPECTED_GROUP_A = {
  entities: 2,
  connections: 5, // c1, c2, c3, c4, c8
  events: 5, // e1, e2, e5, e6, e7
  knowledge: 2,
  knowledgeWithSource: 2,
  orphanedConnections: 3, // c2, c3, c8
  orphanedKnowledge: 1,
  crossGroupConnections: 1,
  crossGroupEvents: 0,
  entitiesMissingGroupId: 0,
  connectionsMissingGroupId: 0,
  eventsMissingGroupId: 0,
  knowledgeMissingGroupId: 0,
  invalidMetadataConnections: 0,
  invalidMetadataEvents: 1,
  malformedProperties: 1,
  v1Entities: 2,
  eventsOlderThanYear: 2,
  archivedEventsOlderThanYear: 1,
};

/** What the checks must find for group B. */
export const EXPECTED_GROUP_B = {
  entities: 2, // b1, o1
  connections: 1, // c5
  events: 1, // e3
  knowledge: 1, // k3
  knowledgeWithSource: 0,
  orphanedConnections: 0,
  orphanedKnowledge: 0,
  crossGroupConnections: 0,
  crossGroupEvents: 1,
  entitiesMissingGroupId: 0,
  connectionsMissingGroupId: 0,
  eventsMissingGroupId: 0,
  knowledgeMissingGroupId: 0,
  invalidMetadataConnections: 0,
  invalidMetadataEvents: 0,
  malformedProperties: 1,
  v1Entities: 1,
  eventsOlderThanYear: 0,
  archivedEventsOlderThanYear: 0,
};
