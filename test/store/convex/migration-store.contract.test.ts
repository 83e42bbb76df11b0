// @vitest-environment edge-runtime
import { migrationStoreContract } from '../../contracts/migration-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';
import { ConvexMigrationStore } from '../../../src/store/convex/migration-store.ts';

migrationStoreContract('Convex, through ConvexHttpClient', async () => {
  const parts = convexParts();
  return { port: new ConvexMigrationStore(parts.caller), documents: parts.documents, leases: parts.leases, meta: parts.meta, close: async () => undefined };
});
