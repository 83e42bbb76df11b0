// @vitest-environment edge-runtime
import { ConvexAlertStore } from '../../../src/store/convex/alert-store.ts';
import { ConvexOutboxStore } from '../../../src/store/convex/outbox-store.ts';
import { outboxStoreContract } from '../../contracts/outbox-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';

outboxStoreContract('Convex, through ConvexHttpClient', async () => {
  const { caller } = convexParts();
  return { port: new ConvexOutboxStore(caller), alerts: new ConvexAlertStore(caller), close: async () => undefined };
});
