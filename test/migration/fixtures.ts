/** Small hand-made pre-v1 stores covering every assignment rule, in either naming. */
import { META_KEYS, type SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { NamingGeneration } from '../../src/ontology/naming.ts';
import type { ConvexValue } from '../../src/ontology/values.ts';

/** Ids of the fixture's records, by role. */
export interface Fixture {
  groups: { a: string; b: string };
  entities: Record<'grouped' | 'bare' | 'oldVersion' | 'nullGroup' | 'noGroupV2' | 'nestedMention', string>;
  connections: Record<'fromGrouped' | 'toOnly' | 'orphan' | 'alreadyGrouped' | 'emptyGroup' | 'crossCreated', string>;
  events: Record<'actorGrouped' | 'targetOnly' | 'noEndpoints' | 'alreadyGrouped', string>;
  knowledge: Record<'withSource' | 'orphanSource' | 'noSource', string>;
  /** A well-formed id of an entity that does not exist. */
  missingEntityId: string;
}

/** What a run must do to the fixture, per table. */
export const FIXTURE_CHANGES = { entities: 5, connections: 5, events: 3, knowledge: 3 } as const;

/**
 * Fills an empty store with the fixture. `naming` picks the physical naming (`things`, `fromThingId` for
 * legacy). Numbers keep their Convex types: int64 as bigint, float64 as number.
 */
export async function buildFixture(store: SqliteStore, naming: NamingGeneration = 'legacy', now = 1_700_000_000_000): Promise<Fixture> {
  store.setMetaSync(META_KEYS.naming, naming);
  const from = naming === 'legacy' ? 'fromThingId' : 'fromEntityId';
  const to = naming === 'legacy' ? 'toThingId' : 'toEntityId';
  const group = async (slug: string) =>
    (await store.insert('groups', { slug, name: slug, type: 'organization', status: 'active', metadata: {}, settings: {}, createdAt: now, updatedAt: now }))._id;
  const a = await group('acme');
  const b = await group('globex');
  const entity = async (fields: Record<string, ConvexValue>) =>
    (await store.insert('entities', { type: 'creator', name: 'n', properties: { role: 'r', count: 3n, ratio: 0.5 }, createdAt: now, updatedAt: now, ...fields }))._id;
  const entities = {
    grouped: await entity({ groupId: a, schemaVersion: 1 }),
    bare: await entity({}),
    oldVersion: await entity({ groupId: b, schemaVersion: 0 }),
    nullGroup: await entity({ groupId: null, schemaVersion: 0.5 }),
    noGroupV2: await entity({ schemaVersion: 2n }),
    nestedMention: await entity({ metadata: { groupId: 'not-top-level', schemaVersion: 7 } }),
  };
  // An id minted for the entities table but never inserted: references to it are orphaned.
  const missingEntityId = (await store.insert('entities', { type: 'creator', name: 'gone', groupId: a, schemaVersion: 1 }))._id;
  store.database.prepare('DELETE FROM entities WHERE id = ?').run(missingEntityId);
  const connection = async (fields: Record<string, ConvexValue>) =>
    (await store.insert('connections', { relationshipType: 'owns', createdAt: now, updatedAt: now, strength: 1, validFrom: 5n, ...fields }))._id;
  const connections = {
    fromGrouped: await connection({ [from]: entities.grouped, [to]: entities.bare }),
    toOnly: await connection({ [from]: missingEntityId, [to]: entities.oldVersion }),
    orphan: await connection({ [from]: missingEntityId, [to]: missingEntityId }),
    alreadyGrouped: await connection({ [from]: entities.bare, [to]: entities.grouped, groupId: b }),
    emptyGroup: await connection({ [from]: entities.bare, [to]: entities.oldVersion, groupId: '' }),
    crossCreated: await connection({ [from]: entities.oldVersion, [to]: entities.nullGroup }),
  };
  const event = async (fields: Record<string, ConvexValue>) =>
    (await store.insert('events', { type: 'entity_updated', timestamp: now - 1000, metadata: { amount: 1n }, ...fields }))._id;
  const events = {
    actorGrouped: await event({ actorId: entities.grouped, targetId: entities.bare }),
    targetOnly: await event({ actorId: missingEntityId, targetId: entities.oldVersion }),
    noEndpoints: await event({}),
    alreadyGrouped: await event({ actorId: entities.bare, groupId: a }),
  };
  const note = async (fields: Record<string, ConvexValue>) =>
    (await store.insert('knowledge', { knowledgeType: 'chunk', text: 't', createdAt: now, updatedAt: now, ...fields }))._id;
  const knowledge = {
    withSource: await note({ sourceThingId: entities.oldVersion }),
    orphanSource: await note({ sourceThingId: missingEntityId }),
    noSource: await note({}),
  };
  return { groups: { a, b }, entities, connections, events, knowledge, missingEntityId };
}

/** Every stored document text of the ontology tables, by table and id. */
export function documentTexts(store: SqliteStore): Map<string, string> {
  const texts = new Map<string, string>();
  for (const table of ['groups', 'entities', 'connections', 'events', 'knowledge']) {
    for (const row of store.database.prepare(`SELECT id, doc FROM ${table}`).all() as { id: string; doc: string }[]) {
      texts.set(`${table}/${row.id}`, row.doc);
    }
  }
  return texts;
}
