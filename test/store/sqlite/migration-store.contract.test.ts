import { migrationStoreContract } from '../../contracts/migration-store.contract.ts';
import { SqliteMigrationStore } from '../../../src/store/sqlite/migration-store.ts';
import { counterRandom, tempStore } from '../../helpers/temp-store.ts';

migrationStoreContract('SQLite', async () => {
  const { store } = tempStore({ random: counterRandom(), now: () => 1_700_000_000_000 });
  return { port: new SqliteMigrationStore(store, { pageRows: 3 }), documents: store, leases: store, meta: store, close: async () => store.close() };
});
