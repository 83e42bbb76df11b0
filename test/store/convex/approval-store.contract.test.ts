// @vitest-environment edge-runtime
import { approvalStoreContract } from '../../contracts/approval-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';

approvalStoreContract('Convex, through ConvexHttpClient', async () => {
  const parts = convexParts();
  return { port: parts.approvals, close: async () => undefined };
});
