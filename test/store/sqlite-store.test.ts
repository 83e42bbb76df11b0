import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, OpsError } from '../../src/errors.ts';
import { META_KEYS, SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tableNumberOfId } from '../../src/ontology/ids.ts';
import { counterRandom, tempDir, tempStore } from '../helpers/temp-store.ts';

describe('SqliteStore documents', () => {
  it('inserts with a Convex id of the table and increasing creation times', async () => {
    const { store } = tempStore({ now: () => 1_000, random: counterRandom() });
    const first = await store.insert('groups', { slug: 'acme', name: 'Acme' });
    const second = await store.insert('groups', { slug: 'beta', name: 'Beta' });
    expect(tableNumberOfId(first._id)).toBe(store.tableNumber('groups'));
    expect(second._creationTime).toBeGreaterThan(first._creationTime);
    expect(await store.findGroupBySlug('beta')).toEqual(second);
    expect(await store.findGroupBySlug('missing')).toBeNull();
  });

  it('keeps int64 and float64 apart through patch and get', async () => {
    const { store } = tempStore();
    const entity = await store.insert('entities', { type: 'product', properties: { price: 5 } });
    await store.patch('entities', entity._id, { schemaVersion: 1, counter: 3n, properties: undefined });
    const stored = await store.get('entities', entity._id);
    expect(stored?.schemaVersion).toBe(1);
    expect(stored?.counter).toBe(3n);
    expect(stored).not.toHaveProperty('properties');
  });

  it('keeps indexed columns in step with the document', async () => {
    const { store } = tempStore();
    const entity = await store.insert('entities', { type: 'creator' });
    expect(await store.count('entities', { groupId: 'g1' })).toBe(0);
    await store.patch('entities', entity._id, { groupId: 'g1' });
    expect(await store.count('entities', { groupId: 'g1' })).toBe(1);
    const row = store.database.prepare('SELECT group_id, type FROM entities WHERE id = ?').get(entity._id);
    expect(row).toEqual({ group_id: 'g1', type: 'creator' });
  });

  it('refuses to patch an unknown document or a system field', async () => {
    const { store } = tempStore();
    await expect(store.patch('entities', 'nope', { groupId: 'g' })).rejects.toThrow(/No document nope/);
    const entity = await store.insert('entities', { type: 'creator' });
    await expect(store.patch('entities', entity._id, { _id: 'x' })).rejects.toThrow(/System field/);
  });

  it('pages through a table in storage order', async () => {
    const { store } = tempStore();
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) ids.push((await store.insert('knowledge', { knowledgeType: 'chunk' }))._id);
    const first = await store.page('knowledge', null, 2);
    const second = await store.page('knowledge', first.continueCursor, 2);
    const third = await store.page('knowledge', second.continueCursor, 2);
    expect([...first.documents, ...second.documents, ...third.documents].map((doc) => doc._id)).toEqual(ids);
    expect(third.continueCursor).toBeNull();
    await expect(store.page('knowledge', 'bogus', 2)).rejects.toThrow(/Invalid page cursor/);
  });

  it('finds events and connections of an entity, newest events first', async () => {
    const { store } = tempStore();
    const a = await store.insert('entities', { type: 'creator' });
    const b = await store.insert('entities', { type: 'creator' });
    await store.insert('events', { type: 'viewed', actorId: a._id, targetId: b._id, timestamp: 10 });
    await store.insert('events', { type: 'liked', actorId: b._id, targetId: a._id, timestamp: 30 });
    await store.insert('events', { type: 'other', actorId: b._id, timestamp: 20 });
    await store.insert('connections', { fromEntityId: a._id, toEntityId: b._id, relationshipType: 'follows' });
    const events = await store.eventsOfEntity(a._id, 10);
    expect(events.map((event) => event.type)).toEqual(['liked', 'viewed']);
    const connections = await store.connectionsOfEntity(b._id, 10);
    expect(connections.outgoing).toHaveLength(0);
    expect(connections.incoming).toHaveLength(1);
  });

  it('lists an event with the entity as both actor and target once, and orders equal timestamps newest-created first', async () => {
    const { store } = tempStore({ now: () => 1_000 });
    const a = await store.insert('entities', { type: 'creator' });
    await store.insert('events', { type: 'first', actorId: a._id, targetId: a._id, timestamp: 50 });
    await store.insert('events', { type: 'second', targetId: a._id, timestamp: 50 });
    await store.insert('events', { type: 'third', actorId: a._id, timestamp: 50 });
    await store.insert('events', { type: 'undated', actorId: a._id });
    const events = await store.eventsOfEntity(a._id, 10);
    expect(events.map((event) => event.type)).toEqual(['third', 'second', 'first', 'undated']);
    expect((await store.eventsOfEntity(a._id, 2)).map((event) => event.type)).toEqual(['third', 'second']);
  });

  it('reports info with naming, counts and the v1 migration flag', async () => {
    const { store } = tempStore();
    await store.insert('entities', { type: 'creator' });
    store.setMetaSync(META_KEYS.naming, 'legacy');
    store.setMetaSync(META_KEYS.v1MigrationCompletedAt, '2026-01-01T00:00:00.000Z');
    const info = await store.info();
    expect(info.naming.entitiesTable).toBe('things');
    expect(info.tables.find((table) => table.logical === 'entities')).toEqual({ name: 'things', logical: 'entities', documents: 1 });
    expect(info.v1MigrationCompleted).toBe(true);
    expect(info.sizeBytes).toBeGreaterThan(0);
  });

  it('reopens a file with its data', async () => {
    const { store, path } = tempStore();
    const group = await store.insert('groups', { slug: 'acme' });
    store.close();
    const reopened = SqliteStore.open(path);
    expect((await reopened.get('groups', group._id))?.slug).toBe('acme');
    reopened.close();
  });
});

describe('SqliteStore.open on a path that cannot hold a store', () => {
  it.each([
    { make: (dir: string) => (writeFileSync(join(dir, 'notes.txt'), 'plain text\n'), join(dir, 'notes.txt')), reason: /the file is not a SQLite database/, what: 'a text file' },
    { make: (dir: string) => dir, reason: /the file cannot be opened: it is a folder/, what: 'a folder' },
    { make: (dir: string) => (writeFileSync(join(dir, 'file'), ''), join(dir, 'file', 'sub', 'x.db')), reason: /ENOTDIR/, what: 'a path below a file' },
  ])('fails with one StoreUnavailable line naming the path: $what', ({ make, reason }) => {
    const dir = tempDir();
    const path = make(dir);
    const before = existsSync(path) && statSync(path).isFile() ? readFileSync(path) : null;
    let caught: unknown;
    try {
      SqliteStore.open(path).close();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OpsError);
    expect((caught as OpsError).code).toBe(ErrorCode.StoreUnavailable);
    expect((caught as OpsError).message).toMatch(reason);
    expect((caught as OpsError).message).toContain(path);
    expect((caught as OpsError).message.split('\n')).toHaveLength(1);
    if (before) expect(readFileSync(path)).toEqual(before);
  });
});

describe('SqliteStore leases', () => {
  it.each([
    ['free', null, 'b', 0, true],
    ['held by another, not expired', 'a', 'b', 500, false],
    ['held by another, expired', 'a', 'b', 1500, true],
    ['held by the same holder', 'a', 'a', 500, true],
  ])('%s → acquired %s', async (_case, firstHolder, secondHolder, at, expected) => {
    const { store } = tempStore();
    if (firstHolder) await store.acquireLease('lock', firstHolder, 1000, 0);
    const result = await store.acquireLease('lock', secondHolder as string, 1000, at as number);
    expect(result.acquired).toBe(expected);
    if (!result.acquired) expect(result.heldBy).toMatchObject({ holder: 'a', acquiredAt: 0, expiresAt: 1000 });
  });

  it('renews only a live lease of the holder and releases it', async () => {
    const { store } = tempStore();
    await store.acquireLease('lock', 'a', 1000, 0);
    expect(await store.renewLease('lock', 'b', 1000, 100)).toBe(false);
    expect(await store.renewLease('lock', 'a', 1000, 100)).toBe(true);
    expect((await store.getLease('lock'))?.expiresAt).toBe(1100);
    expect(await store.renewLease('lock', 'a', 1000, 5000)).toBe(false);
    await store.releaseLease('lock', 'a');
    expect(await store.getLease('lock')).toBeNull();
  });
});
