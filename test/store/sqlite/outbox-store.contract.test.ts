import { SqliteAlertStore } from '../../../src/store/sqlite/sqlite-alert-store.ts';
import { SqliteOutboxStore } from '../../../src/store/sqlite/sqlite-outbox-store.ts';
import { outboxStoreContract } from '../../contracts/outbox-store.contract.ts';
import { tempStore } from '../../helpers/temp-store.ts';

outboxStoreContract('SQLite', async () => {
  const { store } = tempStore();
  // The store closes itself when the test finishes.
  return { port: new SqliteOutboxStore(store), alerts: new SqliteAlertStore(store), close: async () => {} };
});
