// @vitest-environment edge-runtime
import { eventArchiveContract } from '../../contracts/event-archive.contract.ts';
import { convexParts } from '../../convex/parts.ts';
import { ConvexEventArchive } from '../../../src/store/convex/event-archive.ts';

eventArchiveContract('Convex, through ConvexHttpClient', async () => {
  const parts = convexParts();
  return { port: new ConvexEventArchive(parts.caller), documents: parts.documents, close: async () => undefined };
});
