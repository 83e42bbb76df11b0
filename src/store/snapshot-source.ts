/**
 * The snapshot-source port: what an export (`ontology-ops export`, migration backups) reads a store through.
 * A read lists the tables with their Convex numbers and document counts, then pages each table's documents,
 * as uniform JSON texts in storage order, with an opaque cursor: a bounded page per call, so a Convex adapter
 * can answer each page with one query.
 */
import type { NamingGeneration } from '../ontology/naming.js';

/** A table of the data set, as an export writes it. */
export interface SourceTable {
  /** Physical table name (`things` under the legacy naming). */
  name: string;
  /** Convex table number. */
  number: number;
  /** Documents in the table when the read began. */
  documents: number;
}

/** One page of a table's documents. */
export interface SourcePage {
  /** The documents in the uniform encoding, one JSON text each, in storage order. */
  texts: string[];
  /** Opaque; pass it back to continue after this page. Null when this page is the last. */
  continueCursor: string | null;
}

/** One read of the whole data set; every page comes from the state the read began in (where the adapter can). */
export interface SnapshotRead {
  readonly naming: NamingGeneration;
  /** Tables in table-number order (system tables such as `_storage` left out). */
  readonly tables: readonly SourceTable[];
  /** Up to `limit` documents of `table` after `cursor` (null: from the start). */
  page(table: string, cursor: string | null, limit: number): Promise<SourcePage>;
  /** Ends the read; later `page` calls fail with a plain error. Safe to call more than once. */
  close(): Promise<void>;
}

/** A store an export can read. */
export interface SnapshotSource {
  /** Where the data lives, for messages. */
  readonly location: string;
  /** Starts a read of the whole data set. */
  openSnapshotRead(): Promise<SnapshotRead>;
}
