/**
 * The SQLite adapter of the bulk-load port: one write transaction around the whole load, written through the
 * caller's connection (small loads, or when that connection is inside a transaction) or through a writer thread
 * with its own connection (large loads: SQLite's work runs in parallel with producing the documents and off the
 * caller's event loop), see `snapshot-writer.ts`.
 */
import { logicalTable, namingFor, type Naming, type OntologyTable } from '../../ontology/naming.ts';
import { checkTableName, type BulkDocuments, type BulkLoadOptions, type BulkLoadPlan, type BulkLoadPort } from '../bulk-load.ts';
import { indexedColumns } from './schema.ts';
import { InThreadSink, WorkerSink, type DocumentBatch, type DocumentSink } from './snapshot-writer.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** Loads expected to write this many documents or more use a writer thread (starting one costs a few hundred ms). */
export const WRITER_THREAD_MIN_DOCUMENTS = 30_000;

/** The logical ontology table a physical table is loaded into under a naming, or null for a table kept whole. */
function logicalOf(physical: string, naming: Naming): OntologyTable | null {
  if (physical === 'entities' || physical === 'things') return physical === naming.entitiesTable ? 'entities' : null;
  return logicalTable(physical) ?? null;
}

/** A bulk load into a SQLite store. Construct one per load: `new SqliteBulkLoad(store, options)`. */
export class SqliteBulkLoad implements BulkLoadPort {
  private sink: DocumentSink | null = null;
  private naming: Naming | null = null;
  /** Tables written, in first-write order, with the documents written so far (line numbers default to these). */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly store: SqliteStore,
    private readonly options: BulkLoadOptions = {},
  ) {}

  async begin(plan: BulkLoadPlan): Promise<number> {
    if (this.sink) throw new Error('this bulk load has already begun');
    for (const [name] of plan.tableNumbers) checkTableName(name);
    const database = this.store.database;
    const threadable = !database.inTransaction && !database.memory;
    const wanted = this.options.writerThread ?? (plan.expectedDocuments ?? 0) >= WRITER_THREAD_MIN_DOCUMENTS;
    const threaded = threadable && wanted;
    const sink = threaded ? new WorkerSink(this.store.location) : new InThreadSink(this.store);
    this.sink = sink;
    this.naming = namingFor(plan.naming);
    const { expectedDocuments: _expected, ...rest } = plan;
    // Rebuilding indexes blocks for a while: by default only where that does not stall the caller's event loop.
    return sink.begin({ ...rest, deferIndexes: this.options.deferIndexes ?? threaded });
  }

  async write(table: string, documents: BulkDocuments): Promise<void> {
    if (!this.sink || !this.naming) throw new Error('write before begin: call begin(plan) first');
    const before = this.written.get(table);
    if (before === undefined) checkTableName(table);
    const logical = logicalOf(table, this.naming);
    const count = documents.ids.length;
    this.written.set(table, (before ?? 0) + count);
    if (count === 0) return;
    const lines = documents.lines ?? Array.from({ length: count }, (_, index) => (before ?? 0) + index + 1);
    const batch: DocumentBatch = {
      physical: table,
      logical,
      lines,
      ids: documents.ids,
      creationTimes: documents.creationTimes,
      texts: documents.texts,
      columns: logical ? documents.fields.map((fields) => indexedColumns(logical, fields)) : [],
    };
    await this.sink.write(batch);
  }

  async commit(): Promise<void> {
    if (!this.sink) throw new Error('commit before begin: call begin(plan) first');
    // Tables the plan did not number get one, so ids minted later name the right table.
    await this.sink.commit([...this.written.keys()]);
  }

  async abort(): Promise<void> {
    await this.sink?.abort();
  }
}
