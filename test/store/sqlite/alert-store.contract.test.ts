import { SqliteAlertStore } from '../../../src/store/sqlite/sqlite-alert-store.ts';
import { SqliteOutboxStore } from '../../../src/store/sqlite/sqlite-outbox-store.ts';
import { alertStoreContract } from '../../contracts/alert-store.contract.ts';
import { tempStore } from '../../helpers/temp-store.ts';

alertStoreContract('SQLite', async () => {
  const { store } = tempStore();
  // The store closes itself when the test finishes.
  return { port: new SqliteAlertStore(store), outbox: new SqliteOutboxStore(store), close: async () => {} };
});
