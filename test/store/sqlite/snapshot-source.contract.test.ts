/** The snapshot-source contract against the SQLite adapter. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { snapshotSourceContract } from '../../contracts/snapshot-source.contract.ts';

snapshotSourceContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-source-contract-'));
  const store = SqliteStore.open(join(dir, 'ontology.db'));
  return {
    port: store,
    load: store,
    close: async () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
