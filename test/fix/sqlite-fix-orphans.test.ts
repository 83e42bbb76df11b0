import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../src/backend.ts';
import { SqliteFixStore } from '../../src/store/sqlite/fix-store.ts';
import { SqliteMigrationStore } from '../../src/store/sqlite/migration-store.ts';
import { fixOrphansContract } from '../contracts/fix-orphans.contract.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

fixOrphansContract('SQLite', async () => {
  const { store } = tempStore({ now: () => 1_700_000_000_000 });
  return {
    open: (crash) => sqliteBackend(store, { useWorker: false, crash }),
    fixStore: () => new SqliteFixStore(new SqliteMigrationStore(store)),
    async danglingIds(count) {
      const ids: string[] = [];
      for (let index = 0; index < count; index++) {
        const entity = store.insertSync('entities', { type: 'agent' });
        store.database.prepare('DELETE FROM entities WHERE id = ?').run(entity._id);
        ids.push(entity._id);
      }
      return ids;
    },
    keepsIds: true,
    backups: true,
  };
});

describe('SQLite fix batches are atomic', () => {
  it('a crash inside a batch transaction keeps none of that batch; the rerun ends as an uninterrupted run', async () => {
    const { store } = tempStore({ now: () => 1_700_000_000_000 });
    const group = store.insertSync('groups', { slug: 'acme', name: 'acme', type: 'organization', status: 'active' })._id;
    const kept = store.insertSync('entities', { groupId: group, type: 'creator', name: 'n', properties: {}, schemaVersion: 1 })._id;
    const gone = store.insertSync('entities', { type: 'agent' })._id;
    store.database.prepare('DELETE FROM entities WHERE id = ?').run(gone);
    const orphans = [0, 1, 2].map((index) => store.insertSync('connections', { groupId: group, fromEntityId: kept, toEntityId: gone, relationshipType: `r${index}` })._id);
    const crashing = sqliteBackend(store, {
      useWorker: false,
      crash: (point) => {
        if (point === 'in-fix-batch:2') throw new Error('killed inside batch 2');
      },
    });
    await expect(crashing.fixes({ backupDir: join(tempDir(), 'b') }).run('orphans', { actor: 'a', batchSize: 1, backup: false })).rejects.toThrow(/killed inside batch 2/);
    const archived = () => (store.database.prepare("SELECT COUNT(*) FROM other_documents WHERE table_name = 'archivedConnections'").pluck().get() as number);
    expect(archived()).toBe(1);
    expect(store.database.prepare('SELECT COUNT(*) FROM fix_journal').pluck().get()).toBe(1);
    expect(store.database.prepare('SELECT COUNT(*) FROM connections').pluck().get()).toBe(2);
    const resumed = await sqliteBackend(store, { useWorker: false }).fixes({ backupDir: join(tempDir(), 'b') }).run('orphans', { actor: 'a', batchSize: 1, backup: false });
    expect(resumed).toMatchObject({ status: 'completed', resumed: true, changed: { connections: 3, knowledge: 0 } });
    expect(archived()).toBe(3);
    for (const id of orphans) expect(store.getSync('connections', id)).toBeNull();
  });
});
