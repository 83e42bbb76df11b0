import { SqliteEventArchive } from '../../../src/store/sqlite/sqlite-event-archive.ts';
import { eventArchiveContract } from '../../contracts/event-archive.contract.ts';
import { tempStore } from '../../helpers/temp-store.ts';

eventArchiveContract('SQLite', async () => {
  const { store } = tempStore();
  // The store closes itself when the test finishes.
  return { port: new SqliteEventArchive(store), documents: store, close: async () => {} };
});
