/**
 * The contract every `DocumentStore` adapter passes (SQLite now, Convex too): documents seeded and read through
 * the port only. Inserted documents come back as stored (int64 and float64 kept apart), pages merge to the whole
 * table in insertion order and resume exactly from any cursor, counts agree with what was inserted, patches set
 * and remove fields and refuse unknown ids, and the per-entity lists order and limit as documented.
 */
import { describe, expect, it } from 'vitest';
import type { ConvexDocument } from '../../src/ontology/values.ts';
import type { DocumentStore } from '../../src/store/port.ts';

/** What a contract run needs from an adapter. */
export interface DocumentStoreHandles {
  port: DocumentStore;
  close: () => Promise<void>;
}

/** Declares the document-store contract for one adapter. */
export function documentStoreContract(name: string, open: () => Promise<DocumentStoreHandles>): void {
  const withStore = async (run: (port: DocumentStore) => Promise<void>) => {
    const handles = await open();
    try {
      await run(handles.port);
    } finally {
      await handles.close();
    }
  };

  describe(`DocumentStore contract: ${name}`, () => {
    it('inserts documents with an id and increasing creation times and reads them back as stored', () =>
      withStore(async (port) => {
        const group = await port.insert('groups', { slug: 'acme', name: 'Acme' });
        const entity = await port.insert('entities', { groupId: group._id, type: 'product', name: 'Kit', properties: { price: 5.5, stock: 3n, tags: ['a'] }, schemaVersion: 1 });
        expect(typeof entity._id).toBe('string');
        expect(entity._creationTime).toBeGreaterThan(group._creationTime);
        expect(entity).toMatchObject({ groupId: group._id, type: 'product', properties: { price: 5.5, stock: 3n, tags: ['a'] }, schemaVersion: 1 });
        const stored = await port.get('entities', entity._id);
        expect(stored).toEqual(entity);
        expect(typeof (stored!.properties as { stock: unknown }).stock).toBe('bigint');
        expect(typeof stored!.schemaVersion).toBe('number');
        expect(await port.get('groups', group._id)).toEqual(group);
      }));

    it('answers null for an unknown id, an id of another table and a string that is no id', () =>
      withStore(async (port) => {
        const group = await port.insert('groups', { slug: 'acme' });
        expect(await port.get('entities', group._id)).toBeNull();
        expect(await port.get('entities', 'not-an-id')).toBeNull();
        expect(await port.findGroupBySlug('missing')).toBeNull();
      }));

    it('finds the first group of a slug', () =>
      withStore(async (port) => {
        await port.insert('groups', { slug: 'other' });
        const first = await port.insert('groups', { slug: 'acme', name: 'First' });
        await port.insert('groups', { slug: 'acme', name: 'Second' });
        expect(await port.findGroupBySlug('acme')).toEqual(first);
      }));

    it('counts a table, and the records of one group', () =>
      withStore(async (port) => {
        const [a, b] = [await port.insert('groups', { slug: 'a' }), await port.insert('groups', { slug: 'b' })];
        for (let index = 0; index < 5; index++) await port.insert('entities', { groupId: index < 3 ? a._id : b._id, type: 'agent' });
        await port.insert('entities', { type: 'agent' });
        expect(await port.count('entities')).toBe(6);
        expect(await port.count('entities', { groupId: a._id })).toBe(3);
        expect(await port.count('entities', { groupId: b._id })).toBe(2);
        expect(await port.count('entities', { groupId: 'nobody' })).toBe(0);
        expect(await port.count('groups')).toBe(2);
        expect(await port.count('events')).toBe(0);
      }));

    it('patches: sets fields, removes fields set to undefined, keeps number types, and the count by group follows', () =>
      withStore(async (port) => {
        const group = await port.insert('groups', { slug: 'g' });
        const entity = await port.insert('entities', { type: 'product', name: 'Kit', properties: { price: 5 } });
        expect(await port.count('entities', { groupId: group._id })).toBe(0);
        await port.patch('entities', entity._id, { groupId: group._id, schemaVersion: 1n, name: undefined });
        const stored = await port.get('entities', entity._id);
        expect(stored).toMatchObject({ groupId: group._id, schemaVersion: 1n, properties: { price: 5 } });
        expect(stored).not.toHaveProperty('name');
        expect(stored!._creationTime).toBe(entity._creationTime);
        expect(await port.count('entities', { groupId: group._id })).toBe(1);
      }));

    it('refuses to patch an unknown document or a system field, changing nothing', () =>
      withStore(async (port) => {
        const group = await port.insert('groups', { slug: 'g' });
        await expect(port.patch('entities', group._id, { type: 'x' })).rejects.toThrow(/No document/);
        await expect(port.patch('entities', 'nope', { type: 'x' })).rejects.toThrow(/No document nope/);
        const entity = await port.insert('entities', { type: 'creator' });
        await expect(port.patch('entities', entity._id, { _id: 'x' })).rejects.toThrow(/System field/);
        expect(await port.get('entities', entity._id)).toEqual(entity);
      }));

    it('pages through a table in insertion order; the pages merge to the whole table and every cursor resumes exactly', () =>
      withStore(async (port) => {
        const ids: string[] = [];
        for (let index = 0; index < 11; index++) ids.push((await port.insert('knowledge', { knowledgeType: 'chunk', text: `t${index}` }))._id);
        for (const limit of [1, 3, 11, 50]) {
          const seen: string[] = [];
          const cursors: (string | null)[] = [null];
          let cursor: string | null = null;
          do {
            const page = await port.page('knowledge', cursor, limit);
            expect(page.documents.length).toBeLessThanOrEqual(limit);
            seen.push(...page.documents.map((doc: ConvexDocument) => doc._id));
            cursor = page.continueCursor;
            if (cursor !== null) cursors.push(cursor);
          } while (cursor !== null && seen.length <= ids.length);
          expect(seen, `limit ${limit}`).toEqual(ids);
          // Resuming from any cursor again gives the rest of the table, exactly.
          const middle = cursors[Math.floor(cursors.length / 2)]!;
          const rest: string[] = [];
          let again: string | null = middle;
          do {
            const page = await port.page('knowledge', again, limit);
            rest.push(...page.documents.map((doc: ConvexDocument) => doc._id));
            again = page.continueCursor;
          } while (again !== null);
          expect(ids.slice(ids.length - rest.length)).toEqual(rest);
        }
        expect((await port.page('events', null, 5)).documents).toEqual([]);
        await expect(port.page('knowledge', 'bogus', 2)).rejects.toThrow(/Invalid page cursor/);
      }));

    it('lists events of an entity newest first, each once, equal timestamps newest-created first, undated last', () =>
      withStore(async (port) => {
        const a = await port.insert('entities', { type: 'creator' });
        const b = await port.insert('entities', { type: 'creator' });
        await port.insert('events', { type: 'first', actorId: a._id, targetId: a._id, timestamp: 50 });
        await port.insert('events', { type: 'second', targetId: a._id, timestamp: 50 });
        await port.insert('events', { type: 'older', actorId: b._id, targetId: a._id, timestamp: 10 });
        await port.insert('events', { type: 'third', actorId: a._id, timestamp: 50 });
        await port.insert('events', { type: 'undated', actorId: a._id });
        await port.insert('events', { type: 'newest', actorId: a._id, timestamp: 90 });
        await port.insert('events', { type: 'unrelated', actorId: b._id, timestamp: 99 });
        const events = await port.eventsOfEntity(a._id, 10);
        expect(events.map((event) => event.type)).toEqual(['newest', 'third', 'second', 'first', 'older', 'undated']);
        expect((await port.eventsOfEntity(a._id, 2)).map((event) => event.type)).toEqual(['newest', 'third']);
        expect(await port.eventsOfEntity('nobody', 5)).toEqual([]);
      }));

    it('lists connections from and to an entity, at most the limit each', () =>
      withStore(async (port) => {
        const a = await port.insert('entities', { type: 'creator' });
        const b = await port.insert('entities', { type: 'creator' });
        const out1 = await port.insert('connections', { fromEntityId: a._id, toEntityId: b._id, relationshipType: 'follows' });
        const out2 = await port.insert('connections', { fromEntityId: a._id, toEntityId: b._id, relationshipType: 'owns' });
        const incoming = await port.insert('connections', { fromEntityId: b._id, toEntityId: a._id, relationshipType: 'follows' });
        const both = await port.connectionsOfEntity(a._id, 10);
        expect(both.outgoing.map((doc) => doc._id)).toEqual([out1._id, out2._id]);
        expect(both.incoming.map((doc) => doc._id)).toEqual([incoming._id]);
        const limited = await port.connectionsOfEntity(a._id, 1);
        expect(limited.outgoing).toHaveLength(1);
        expect(limited.incoming).toHaveLength(1);
      }));

    it('reports the current naming and info with its counts', () =>
      withStore(async (port) => {
        await port.insert('entities', { type: 'creator' });
        await port.insert('entities', { type: 'agent' });
        expect((await port.naming()).generation).toBe('current');
        const info = await port.info();
        expect(info.location).toBe(port.location);
        expect(info.naming.entitiesTable).toBe('entities');
        expect(info.tables.find((table) => table.logical === 'entities')).toEqual({ name: 'entities', logical: 'entities', documents: 2 });
        expect(info.tables.find((table) => table.logical === 'groups')?.documents).toBe(0);
        expect(info.v1MigrationCompleted).toBe(false);
      }));
  });
}
