import { documentStoreContract } from '../../contracts/document-store.contract.ts';
import { tempStore } from '../../helpers/temp-store.ts';

// tempStore closes and removes the store when the test finishes.
documentStoreContract('SQLite', async () => ({ port: tempStore().store, close: async () => undefined }));
