import { SqliteSnapshotStore } from '../../../src/store/sqlite/sqlite-snapshot-store.ts';
import { snapshotStoreContract } from '../../contracts/snapshot-store.contract.ts';
import { tempStore } from '../../helpers/temp-store.ts';

snapshotStoreContract('SQLite', async () => {
  const { store } = tempStore();
  // The store closes itself when the test finishes.
  return { port: new SqliteSnapshotStore(store), close: async () => {} };
});
