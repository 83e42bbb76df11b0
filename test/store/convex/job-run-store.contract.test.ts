// @vitest-environment edge-runtime
import { ConvexJobRunStore } from '../../../src/store/convex/job-run-store.ts';
import { jobRunStoreContract } from '../../contracts/job-run-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';

jobRunStoreContract('Convex, through ConvexHttpClient', async () => ({ port: new ConvexJobRunStore(convexParts().caller), close: async () => undefined }));
