// @vitest-environment edge-runtime
import { convexBackend } from '../../src/backend.ts';
import { ConvexFixStore } from '../../src/store/convex/fix-store.ts';
import { fixOrphansContract } from '../contracts/fix-orphans.contract.ts';
import { convexParts, danglingEntityIds } from '../convex/parts.ts';

fixOrphansContract('Convex, through ConvexHttpClient', async () => {
  const parts = convexParts();
  const connection = { url: parts.harness.url, deployKey: parts.harness.deployKey, fetch: parts.harness.fetch, sleep: async () => undefined };
  return {
    open: (crash) => convexBackend(connection, { crash }),
    fixStore: () => new ConvexFixStore(parts.caller),
    danglingIds: (count) => danglingEntityIds(parts.harness, count),
    keepsIds: false,
    backups: false,
  };
});
