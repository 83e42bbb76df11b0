/** The one-truth scenario on the embedded SQLite store (a real store file). */
import { describe, it } from 'vitest';
import { sqliteBackend } from '../../src/backend.ts';
import { stopCheckWorker } from '../../src/store/sqlite/check-scan.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { runOneTruthScenario } from './one-truth.ts';

describe('one truth per moment on SQLite', () => {
  it('every surface agrees after start, migrate, undo, restore and archival', async () => {
    const { store } = tempStore();
    const backend = sqliteBackend(store, { useWorker: false });
    try {
      await runOneTruthScenario(backend);
    } finally {
      await backend.close();
      stopCheckWorker();
    }
  }, 20_000);
});
