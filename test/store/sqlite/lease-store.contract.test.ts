import { leaseStoreContract } from '../../contracts/lease-store.contract.ts';
import { tempStore } from '../../helpers/temp-store.ts';

leaseStoreContract('SQLite', async () => {
  // tempStore closes and removes the store when the test finishes.
  const { store } = tempStore();
  return { port: store, meta: store, close: async () => undefined };
});
