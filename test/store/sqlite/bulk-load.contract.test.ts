/** The bulk-load contract against the SQLite adapter, written in the caller's thread and through a writer thread. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { bulkLoadContract } from '../../contracts/bulk-load.contract.ts';

for (const writerThread of [false, true]) {
  bulkLoadContract(`SQLite (${writerThread ? 'writer thread' : 'in-thread'})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulk-load-contract-'));
    const store = SqliteStore.open(join(dir, 'ontology.db'));
    return {
      port: { location: store.location, bulkLoad: (options) => store.bulkLoad({ ...options, writerThread }) },
      documents: store,
      leases: store,
      close: async () => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
