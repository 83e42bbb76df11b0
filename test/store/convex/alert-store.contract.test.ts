// @vitest-environment edge-runtime
import { ConvexAlertStore } from '../../../src/store/convex/alert-store.ts';
import { ConvexOutboxStore } from '../../../src/store/convex/outbox-store.ts';
import { alertStoreContract } from '../../contracts/alert-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';

alertStoreContract('Convex, through ConvexHttpClient', async () => {
  const { caller } = convexParts();
  return { port: new ConvexAlertStore(caller), outbox: new ConvexOutboxStore(caller), close: async () => undefined };
});
