/**
 * Where a bulk load (snapshot import, demo seed) writes its documents: straight into the store's connection,
 * or through a writer thread with its own connection. The thread keeps SQLite's work (inserts, index builds,
 * the commit and the WAL checkpoint after it) off the main event loop and runs it in parallel with producing
 * the documents; the semantics are the same either way: the data set is replaced by all documents or by none.
 */
import { Worker } from 'node:worker_threads';
import type { OntologyTable } from '../../ontology/naming.ts';
import { BulkLoadLeaseHeldError, DuplicateDocumentError, StoreNotEmptyError, type BulkLoadPlan } from '../bulk-load.ts';
import type { Lease } from '../port.ts';
import { indexedColumns } from './schema.ts';
import { clearDataSet, deferSecondaryIndexes, RowWriter, storedDocumentCount } from './snapshot-load.ts';
import { META_KEYS, type SqliteStore } from './sqlite-store.ts';
import { workerEntry } from './worker-entry.ts';

/** Documents of one table, in order (file order for an import). */
export interface DocumentBatch {
  /** Physical table name. */
  physical: string;
  /** Logical ontology table, or null for a table kept whole. */
  logical: OntologyTable | null;
  /** Line number of each document, for messages. */
  lines: number[];
  ids: string[];
  creationTimes: number[];
  /** Uniform JSON text of each document. */
  texts: string[];
  /** Indexed column values of each document (`indexedColumns`; empty for a table kept whole). */
  columns: (readonly unknown[])[];
}

/** What the load starts with (the port's plan, and how this adapter writes it). */
export interface LoadPlan extends BulkLoadPlan {
  /** Rebuild the secondary indexes once at the end instead of updating them per row (for large loads). */
  deferIndexes: boolean;
}

export { BulkLoadLeaseHeldError, DuplicateDocumentError, StoreNotEmptyError };

/** Receives validated documents inside one transaction. */
export interface DocumentSink {
  /** Starts the transaction; returns the documents the store held before. */
  begin(plan: LoadPlan): Promise<number>;
  write(batch: DocumentBatch): Promise<void>;
  /** Registers `tables` that have no number yet, then commits. */
  commit(tables: string[]): Promise<void>;
  /** Rolls back (when begun) and releases everything. Safe to call more than once. */
  abort(): Promise<void>;
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const SAVEPOINT = 'snapshot_load';

/** The part of a load that runs on a connection, in whichever thread holds it. */
export class ConnectionLoad {
  private writer: RowWriter | null = null;
  private restoreIndexes: (() => void) | null = null;
  private nested = false;
  private open = false;

  constructor(private readonly store: SqliteStore) {}

  begin(plan: LoadPlan): number {
    const database = this.store.database;
    // Inside the caller's transaction the load is a savepoint of it: still all or nothing.
    this.nested = database.inTransaction;
    database.exec(this.nested ? `SAVEPOINT ${SAVEPOINT}` : 'BEGIN IMMEDIATE');
    try {
      const existing = storedDocumentCount(this.store);
      // Inside the write transaction: nobody can take the lease between this check and the commit.
      if (plan.lease) {
        const lease = database
          .prepare('SELECT name, holder, acquired_at AS acquiredAt, expires_at AS expiresAt FROM leases WHERE name = ?')
          .get(plan.lease.name) as Lease | undefined;
        if (lease && lease.holder !== plan.lease.holder && lease.expiresAt > plan.lease.now) throw new BulkLoadLeaseHeldError(lease);
      }
      if (existing > 0 && !plan.replace) throw new StoreNotEmptyError(existing);
      clearDataSet(this.store);
      if (plan.deferIndexes) this.restoreIndexes = deferSecondaryIndexes(this.store);
      this.store.setMetaSync(META_KEYS.naming, plan.naming);
      const numbering = database.prepare('INSERT INTO convex_tables (name, table_number) VALUES (?, ?)');
      for (const [name, number] of plan.tableNumbers) numbering.run(name, number);
      this.writer = new RowWriter(database);
      this.open = true;
      return existing;
    } catch (error) {
      this.open = true;
      this.rollback();
      throw error;
    }
  }

  /** Inserts rows whose columns are computed; throws `DuplicateDocumentError` for a repeated id. */
  insert(
    physical: string,
    logical: OntologyTable | null,
    row: { line: number; id: string; creationTime: number; columns: readonly unknown[] | null; text: string },
  ): void {
    // Outside the load's transaction every insert would commit on its own: never let that happen.
    if (!this.writer || !this.open || !this.store.database.inTransaction) throw new Error('the snapshot load has no open transaction');
    try {
      if (logical) this.writer.ontologyRow(logical, row.id, row.creationTime, row.columns ?? [], row.text);
      else this.writer.otherRow(physical, row.id, row.creationTime, row.text);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateDocumentError(physical, row.line, row.id);
      throw error;
    }
  }

  commit(tables: string[]): void {
    for (const name of tables) this.store.tableNumber(name);
    this.restoreIndexes?.();
    this.restoreIndexes = null;
    this.store.database.exec(this.nested ? `RELEASE ${SAVEPOINT}` : 'COMMIT');
    this.open = false;
  }

  rollback(): void {
    this.restoreIndexes = null;
    if (!this.open) return;
    this.open = false;
    const database = this.store.database;
    if (this.nested) database.exec(`ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
    else if (database.inTransaction) database.exec('ROLLBACK');
  }
}

/** Writes through the caller's own connection (small snapshots, or when that connection is in a transaction). */
export class InThreadSink implements DocumentSink {
  private readonly load: ConnectionLoad;

  constructor(store: SqliteStore) {
    this.load = new ConnectionLoad(store);
  }

  async begin(plan: LoadPlan): Promise<number> {
    return this.load.begin(plan);
  }

  async write(batch: DocumentBatch): Promise<void> {
    for (let index = 0; index < batch.ids.length; index++) {
      this.load.insert(batch.physical, batch.logical, {
        line: batch.lines[index]!,
        id: batch.ids[index]!,
        creationTime: batch.creationTimes[index]!,
        columns: batch.logical ? batch.columns[index]! : null,
        text: batch.texts[index]!,
      });
    }
  }

  async commit(tables: string[]): Promise<void> {
    this.load.commit(tables);
  }

  async abort(): Promise<void> {
    this.load.rollback();
  }
}

/** Messages to the writer thread. */
export type WriterRequest =
  | { type: 'begin'; path: string; plan: LoadPlan }
  | {
      type: 'rows';
      physical: string;
      logical: OntologyTable | null;
      lines: Int32Array;
      creationTimes: Float64Array;
      ids: string[];
      /** Document texts (arrays, not one joined text: multi-megabyte strings make the garbage collector work hard). */
      texts: string[];
      /** Indexed columns of all rows, row after row (ontology tables only). */
      columns: unknown[];
      width: number;
    }
  | { type: 'commit'; tables: string[] }
  | { type: 'abort' };

/** Replies of the writer thread, one per request. */
export type WriterReply =
  | { ok: true; existing?: number }
  | { ok: false; kind: 'duplicate'; physical: string; line: number; id: string }
  | { ok: false; kind: 'not-empty'; documents: number }
  | { ok: false; kind: 'lease-held'; lease: Lease }
  | { ok: false; kind: 'failed'; message: string };

const WRITER_ENTRY = workerEntry(import.meta.url, 'snapshot-writer-worker');
/** Batches the reader may be ahead of the writer: bounds memory while keeping both threads busy. */
const MAX_IN_FLIGHT = 4;

/** Writes through a dedicated thread and connection. */
export class WorkerSink implements DocumentSink {
  private worker: Worker | null = null;
  private readonly pending: { resolve: (reply: WriterReply) => void }[] = [];
  private failure: Error | null = null;
  private inFlight: Promise<void>[] = [];

  constructor(private readonly path: string) {}

  private request(message: WriterRequest, transfer: ArrayBuffer[] = []): Promise<WriterReply> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.worker!;
    return new Promise((resolve) => {
      this.pending.push({ resolve });
      worker.postMessage(message, transfer);
    });
  }

  private static check(reply: WriterReply): WriterReply & { ok: true } {
    if (reply.ok) return reply;
    if (reply.kind === 'duplicate') throw new DuplicateDocumentError(reply.physical, reply.line, reply.id);
    if (reply.kind === 'not-empty') throw new StoreNotEmptyError(reply.documents);
    if (reply.kind === 'lease-held') throw new BulkLoadLeaseHeldError(reply.lease);
    throw new Error(reply.message);
  }

  async begin(plan: LoadPlan): Promise<number> {
    const worker = new Worker(WRITER_ENTRY);
    this.worker = worker;
    worker.on('message', (reply: WriterReply) => this.pending.shift()?.resolve(reply));
    const fail = (error: Error) => {
      this.failure = error;
      for (const waiting of this.pending.splice(0)) waiting.resolve({ ok: false, kind: 'failed', message: error.message });
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the snapshot writer thread stopped (exit code ${code})`)));
    const reply = WorkerSink.check(await this.request({ type: 'begin', path: this.path, plan }));
    return reply.existing ?? 0;
  }

  async write(batch: DocumentBatch): Promise<void> {
    const width = batch.logical ? indexedColumns(batch.logical, {}).length : 0;
    const columns: unknown[] = [];
    if (batch.logical) for (const row of batch.columns) for (const value of row) columns.push(value);
    const lines = Int32Array.from(batch.lines);
    const creationTimes = Float64Array.from(batch.creationTimes);
    const sent = this.request(
      {
        type: 'rows',
        physical: batch.physical,
        logical: batch.logical,
        lines,
        creationTimes,
        ids: batch.ids,
        texts: batch.texts,
        columns,
        width,
      },
      [lines.buffer as ArrayBuffer, creationTimes.buffer as ArrayBuffer],
    ).then((reply) => {
      WorkerSink.check(reply);
    });
    // A rejection is seen by the next write or by commit; keep it from being reported as unhandled meanwhile.
    sent.catch(() => {});
    this.inFlight.push(sent);
    if (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight.shift();
  }

  async commit(tables: string[]): Promise<void> {
    for (const sent of this.inFlight.splice(0)) await sent;
    WorkerSink.check(await this.request({ type: 'commit', tables }));
    await this.stop();
  }

  async abort(): Promise<void> {
    if (!this.worker) return;
    if (!this.failure) {
      await Promise.allSettled(this.inFlight.splice(0));
      await this.request({ type: 'abort' }).catch(() => undefined);
    }
    await this.stop();
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  }
}
