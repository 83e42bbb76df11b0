/** A backend over a real temporary SQLite store seeded with the demo data set (issues of every category). */
import { sqliteBackend, type Backend } from '../../../src/backend.ts';
import type { ConvexDocument } from '../../../src/ontology/values.ts';
import { seedStore } from '../../../src/seed/seed.ts';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { tempStore } from '../temp-store.ts';

/** The instant the seeded data is "as of". */
export const SEEDED_AT = Date.parse('2026-11-27T12:00:00Z');

/** A seeded backend (checks in-process) and its store. */
export async function seededBackend(entities = 200): Promise<{ backend: Backend; store: SqliteStore }> {
  const { store } = tempStore();
  const backend = sqliteBackend(store, { useWorker: false });
  await seedStore(backend.bulkLoad, { entities, seed: 1, now: SEEDED_AT });
  return { backend, store };
}

/** Every document of a table (small stores only). */
export async function allDocuments(backend: Backend, table: 'entities' | 'groups' | 'connections' | 'events'): Promise<ConvexDocument[]> {
  const documents: ConvexDocument[] = [];
  let cursor: string | null = null;
  do {
    const page = await backend.documents.page(table, cursor, 1_000);
    documents.push(...page.documents);
    cursor = page.continueCursor;
  } while (cursor !== null);
  return documents;
}
