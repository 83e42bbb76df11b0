// @vitest-environment edge-runtime
import { ConvexSnapshotStore } from '../../../src/store/convex/snapshot-store.ts';
import { snapshotStoreContract } from '../../contracts/snapshot-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';

snapshotStoreContract('Convex, through ConvexHttpClient', async () => ({ port: new ConvexSnapshotStore(convexParts().caller), close: async () => undefined }));
