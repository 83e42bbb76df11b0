// @vitest-environment edge-runtime
import { documentStoreContract } from '../../contracts/document-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';

documentStoreContract('Convex, through ConvexHttpClient', async () => ({ port: convexParts().documents, close: async () => undefined }));
