import { SqliteJobRunStore } from '../../../src/store/sqlite/sqlite-job-run-store.ts';
import { jobRunStoreContract } from '../../contracts/job-run-store.contract.ts';
import { tempStore } from '../../helpers/temp-store.ts';

jobRunStoreContract('SQLite', async () => {
  const { store } = tempStore();
  // The store closes itself when the test finishes.
  return { port: new SqliteJobRunStore(store), close: async () => {} };
});
