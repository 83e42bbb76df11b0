import { SqliteApprovalStore } from '../../../src/store/sqlite/sqlite-approval-store.ts';
import { approvalStoreContract } from '../../contracts/approval-store.contract.ts';
import { tempStore } from '../../helpers/temp-store.ts';

approvalStoreContract('SQLite', async () => {
  const { store } = tempStore();
  // The store closes itself when the test finishes.
  return { port: new SqliteApprovalStore(store), close: async () => {} };
});
