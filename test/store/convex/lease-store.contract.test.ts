// @vitest-environment edge-runtime
import { leaseStoreContract } from '../../contracts/lease-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';

leaseStoreContract('Convex, through ConvexHttpClient', async () => {
  const parts = convexParts();
  return { port: parts.leases, meta: parts.meta, close: async () => undefined };
});
