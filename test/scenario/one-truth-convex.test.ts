// @vitest-environment edge-runtime
/**
 * The one-truth scenario on a Convex deployment (the convex-test harness, reached through `ConvexHttpClient`):
 * start, migrate, undo and archival. The full restore is left out here: the harness's document ids are not the
 * ones a real export carries, so a backup written from it does not verify (the SQLite run covers the restore).
 */
import { describe, it } from 'vitest';
import { openBackend } from '../../src/backend.ts';
import { createConvexHarness } from '../convex/harness.ts';
import { runOneTruthScenario } from './one-truth.ts';

describe('one truth per moment on Convex', () => {
  it('every surface agrees after start, migrate, undo and archival', async () => {
    const harness = createConvexHarness();
    const backend = openBackend({
      dbPath: '/nonexistent/never-opened.db',
      convex: { url: harness.url, deployKey: harness.deployKey, fetch: harness.fetch, sleep: async () => undefined },
    });
    try {
      await runOneTruthScenario(backend, { backups: false });
    } finally {
      await backend.close();
    }
  }, 20_000);
});
