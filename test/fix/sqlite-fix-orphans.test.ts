import { sqliteBackend } from '../../src/backend.ts';
import { SqliteFixStore } from '../../src/store/sqlite/fix-store.ts';
import { SqliteMigrationStore } from '../../src/store/sqlite/migration-store.ts';
import { fixOrphansContract } from '../contracts/fix-orphans.contract.ts';
import { tempStore } from '../helpers/temp-store.ts';

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
