/**
 * The bulk-load port: how a whole data set (a snapshot import, the demo seed, a restore) gets into a store,
 * all or nothing. A load is `begin(plan)`, any number of `write(table, documents)` of a bounded size, then
 * `commit()`; `abort()` at any point leaves the store exactly as it was.
 *
 * Adapters: SQLite (one write transaction, written by a writer thread for large loads, see
 * `src/store/sqlite/snapshot-bulk-load.ts`), a snapshot ZIP or folder (`src/snapshot/file-sink.ts`) and, later,
 * Convex, where every `write` is one call that stages a bounded page and `commit` publishes the staged data set
 * at once (Convex's snapshot import), so a failed load never shows a half-written data set there either.
 */
import { ErrorCode, OpsError } from '../errors.ts';
import type { NamingGeneration } from '../ontology/naming.ts';
import type { Lease } from './port.ts';
import { tableNameProblem } from '../ontology/table-names.ts';

/** A load named a table no Convex table can be called; nothing was changed. */
export class InvalidTableNameError extends OpsError {
  constructor(readonly table: string, problem: string) {
    super(
      ErrorCode.InvalidArgument,
      `Table name ${JSON.stringify(table.slice(0, 100))} is not a valid Convex table name (${problem}); nothing was loaded. Rename that table in the source.`,
    );
    this.name = 'InvalidTableNameError';
  }
}

/** Throws `InvalidTableNameError` unless `name` is a valid Convex table name. */
export function checkTableName(name: string): void {
  const problem = tableNameProblem(name);
  if (problem !== null) throw new InvalidTableNameError(name, problem);
}

/**
 * The lease a load runs under, so it never replaces data in the middle of a migration, undo or restore. SQLite
 * checks it inside the load's write transaction, which itself keeps every other writer (one taking the lease
 * included) out until the commit. An adapter without such a transaction (Convex) takes the lease in `begin`
 * and gives it up in `commit`/`abort`.
 */
export interface BulkLoadLease {
  /** Lease name (`DATA_SET_LEASE`). */
  name: string;
  /** Who the caller is; the lease must be free, expired, or held by this holder. */
  holder: string;
  /** The instant (epoch ms) the lease is judged at. */
  now: number;
}

/** What a load starts with. */
export interface BulkLoadPlan {
  /** Replace the data set a store already holds (otherwise a store holding documents is refused). */
  replace: boolean;
  /** The naming generation of the loaded data (`things` or `entities`). */
  naming: NamingGeneration;
  /** Convex table numbers to register, by physical table name (a snapshot's `_tables`, or the seed's). */
  tableNumbers: [string, number][];
  /** Documents the load is expected to write, when known: lets an adapter choose how to write (e.g. a thread). */
  expectedDocuments?: number;
  /** When set, `begin` refuses (`BulkLoadLeaseHeldError`) while another holder has this lease unexpired. */
  lease?: BulkLoadLease;
}

/**
 * Documents of one table, in order, as columns. Each document comes both as its uniform JSON text (what the
 * store keeps; an import passes its lines through unchanged) and as the fields its index keys are read from.
 */
export interface BulkDocuments {
  ids: string[];
  creationTimes: number[];
  /** The documents in the uniform encoding, one JSON text each. */
  texts: string[];
  /** The documents' fields (decoded or plain JSON values), for index keys. */
  fields: Record<string, unknown>[];
  /** The source line of each document (for messages); defaults to the position in the load. */
  lines?: number[];
}

/** A loaded data set, all or nothing. One instance per load; not reusable after `commit` or `abort`. */
export interface BulkLoadPort {
  /**
   * Starts the load; returns how many documents the store held before (now being replaced). Throws
   * `StoreNotEmptyError` when the store holds documents and `plan.replace` is false, and
   * `BulkLoadLeaseHeldError` when `plan.lease` is held by someone else, and `InvalidTableNameError` for a table
   * name no Convex table can have; nothing is changed then.
   */
  begin(plan: BulkLoadPlan): Promise<number>;
  /**
   * Adds documents of the physical table `table` (an ontology table under the plan's naming, or any other
   * table, kept whole). Throws `DuplicateDocumentError` for an id the load already has, `InvalidTableNameError`
   * for a table name no Convex table can have. Keep a call bounded
   * (a few thousand documents): an adapter may write one call as one request.
   */
  write(table: string, documents: BulkDocuments): Promise<void>;
  /** Gives the tables written without a number in the plan the next free numbers, then publishes everything. */
  commit(): Promise<void>;
  /** Throws the load away (when begun) and releases what it holds. Safe to call more than once, and after a failure. */
  abort(): Promise<void>;
}

/** How a caller would like a load written; adapters may ignore what they cannot do. */
export interface BulkLoadOptions {
  /** Write through a separate thread/connection (true), in the caller's (false), or let the adapter choose (undefined). */
  writerThread?: boolean;
  /** Build secondary indexes once at the end instead of per document (faster for large loads; blocks at commit). */
  deferIndexes?: boolean;
}

/** A store that can take bulk loads. */
export interface BulkLoadTarget {
  /** Where the data lives, for messages. */
  readonly location: string;
  /** A new load into this store (nothing happens before `begin`). */
  bulkLoad(options?: BulkLoadOptions): BulkLoadPort;
}

/** A document whose id the load already has. */
export class DuplicateDocumentError extends Error {
  constructor(
    readonly physical: string,
    readonly line: number,
    readonly id: string,
  ) {
    super(`duplicate _id ${id}`);
    this.name = 'DuplicateDocumentError';
  }
}

/** The store held documents and `replace` was not set; nothing was changed. */
export class StoreNotEmptyError extends Error {
  constructor(readonly documents: number) {
    super(`store holds ${documents} documents`);
    this.name = 'StoreNotEmptyError';
  }
}

/** Another holder has the plan's lease (e.g. a migration is running); nothing was changed. */
export class BulkLoadLeaseHeldError extends Error {
  constructor(readonly lease: Lease) {
    super(`lease ${lease.name} is held by ${lease.holder}`);
    this.name = 'BulkLoadLeaseHeldError';
  }
}
