/**
 * Bulk loading of whole data sets into the SQLite store (snapshot import, demo seed): emptiness checks,
 * clearing the data set, fast prepared inserts, deferred index builds.
 */
import type Database from 'better-sqlite3';
import { ONTOLOGY_TABLES, type OntologyTable } from '../../ontology/naming.ts';
import { insertSql } from './schema.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** Number of documents in the ontology tables and `other_documents` (0: the store holds no data set). */
export function storedDocumentCount(store: SqliteStore): number {
  let total = 0;
  for (const table of [...ONTOLOGY_TABLES, 'other_documents']) {
    total += (store.database.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
  return total;
}

/**
 * Deletes every ontology document, every other-table document and the table numbers, so a new data set can
 * take their place. Store settings, leases and feature tables stay. Call inside a transaction.
 */
export function clearDataSet(store: SqliteStore): void {
  for (const table of [...ONTOLOGY_TABLES, 'other_documents', 'convex_tables']) {
    store.database.prepare(`DELETE FROM ${table}`).run();
  }
}

/** Prepared inserts for rows whose columns are already computed. */
export class RowWriter {
  private readonly ontology: Record<OntologyTable, Database.Statement>;
  private readonly other: Database.Statement;

  constructor(database: Database.Database) {
    this.ontology = Object.fromEntries(
      ONTOLOGY_TABLES.map((table) => [table, database.prepare(insertSql(table))]),
    ) as Record<OntologyTable, Database.Statement>;
    this.other = database.prepare('INSERT INTO other_documents (table_name, id, creation_time, doc) VALUES (?, ?, ?, ?)');
  }

  /** Inserts a row of a logical ontology table: id, creation time, the indexed columns, the uniform JSON text. */
  ontologyRow(table: OntologyTable, id: string, creationTime: number, columns: readonly unknown[], docText: string): void {
    this.ontology[table].run(id, creationTime, ...columns, docText);
  }

  /** Inserts a document of a table outside the ontology. */
  otherRow(tableName: string, id: string, creationTime: number, docText: string): void {
    this.other.run(tableName, id, creationTime, docText);
  }
}

/**
 * Drops the secondary indexes of the ontology tables and returns a function that recreates them. Building an
 * index once over loaded rows costs about half of updating it row by row (random ids scatter the inserts over
 * the B-tree). Only for bulk loads into emptied tables, inside the load's transaction (a rollback restores the
 * indexes too), and off the main thread or in batch jobs: recreating an index blocks for up to a second.
 */
export function deferSecondaryIndexes(store: SqliteStore): () => void {
  const placeholders = ONTOLOGY_TABLES.map(() => '?').join(', ');
  const indexes = store.database
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${placeholders})`)
    .all(...ONTOLOGY_TABLES) as { name: string; sql: string }[];
  for (const index of indexes) store.database.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
  return () => {
    for (const index of indexes) store.database.exec(index.sql);
  };
}

/** Lets the event loop run (timers, progress bars, I/O) between chunks of a long synchronous job. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
