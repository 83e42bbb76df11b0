/**
 * `importSnapshot`: loads a Convex snapshot export (ZIP or directory, uniform or legacy encoding, current or
 * legacy naming) into the SQLite store, atomically: one write transaction around the whole stream, so a bad
 * line, a corrupt archive or any other failure leaves the store exactly as it was.
 *
 * This thread reads and validates the snapshot; a large snapshot is written by a writer thread with its own
 * connection (see `snapshot-writer.ts`), so SQLite's work runs in parallel and off the event loop.
 */
import { ErrorCode, InvalidSnapshotError, OpsError } from '../errors.ts';
import type { NamingGeneration, OntologyTable } from '../ontology/naming.ts';
import type { ValueEncoding } from '../ontology/values.ts';
import { indexedColumns } from '../store/sqlite/schema.ts';
import {
  DuplicateDocumentError,
  InThreadSink,
  StoreNotEmptyError,
  WorkerSink,
  type DocumentBatch,
  type DocumentSink,
} from '../store/sqlite/snapshot-writer.ts';
import type { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { decodeSnapshotLineAt, duplicateIdMessage, ontologyTableOf } from './documents.ts';
import { SnapshotReader, type SnapshotFormat } from './reader.ts';

/** Options of `importSnapshot`. */
export interface ImportOptions {
  /** Replace the data of a store that already holds documents (otherwise that is refused). */
  replace?: boolean;
  /** Called as the snapshot is read: bytes of `documents.jsonl` read so far, and their total. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /**
   * Write through a writer thread (true) or the store's own connection (false). Default: a thread for snapshots
   * of 8 MiB and more. The store's connection is always used while it is inside a transaction.
   */
  writerThread?: boolean;
}

/** One imported table. */
export interface ImportedTable {
  /** Physical name in the snapshot. */
  name: string;
  /** The logical ontology table it went into, or null when it is kept whole as another table. */
  logical: OntologyTable | null;
  documents: number;
  encoding: ValueEncoding;
}

/** What `importSnapshot` loaded. */
export interface ImportSummary {
  source: string;
  format: SnapshotFormat;
  naming: NamingGeneration;
  /** Documents imported, all tables. */
  documents: number;
  tables: ImportedTable[];
  /** Documents the store held before (now replaced); 0 for an empty store. */
  replacedDocuments: number;
  /** System tables of the snapshot (`_storage`, …) that were not imported. */
  skippedTables: string[];
}

/** Snapshots from this size on are written by a writer thread (starting it costs a few hundred ms). */
const WRITER_THREAD_MIN_BYTES = 8 * 1024 * 1024;

function emptyBatch(physical: string, logical: OntologyTable | null): DocumentBatch {
  return { physical, logical, lines: [], ids: [], creationTimes: [], texts: [], columns: [] };
}

function chooseSink(store: SqliteStore, reader: SnapshotReader, options: ImportOptions): DocumentSink {
  const threadable = !store.database.inTransaction && !store.database.memory;
  const wanted = options.writerThread ?? reader.totalBytes() >= WRITER_THREAD_MIN_BYTES;
  return threadable && wanted ? new WorkerSink(store.location) : new InThreadSink(store);
}

/**
 * Imports a snapshot into the store in one transaction. Without `replace`, a store that already holds
 * documents is refused; with it, the ontology tables, other tables and table numbers are replaced (store
 * settings such as the v1-migration marker stay). Sets the store's naming generation and table numbers from
 * the snapshot. Throws `InvalidSnapshotError` (`<table>/documents.jsonl:<line>: what is wrong`) for a bad line
 * and leaves the store unchanged.
 */
export async function importSnapshot(store: SqliteStore, source: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const reader = await SnapshotReader.open(source);
  const sink = chooseSink(store, reader, options);
  try {
    const naming = reader.naming();
    const totalBytes = reader.totalBytes();
    let doneBytes = 0;
    const onChunk = (bytes: number) => {
      doneBytes += bytes;
      options.onProgress?.(doneBytes, totalBytes);
    };
    const existing = await sink.begin({
      replace: options.replace === true,
      naming: naming.generation,
      tableNumbers: [...reader.tableNumbers],
      // Rebuilding indexes blocks for a while: only where that does not stall the caller's event loop.
      deferIndexes: sink instanceof WorkerSink,
    });
    const tables: ImportedTable[] = [];
    for (const table of reader.tables) {
      const logical = ontologyTableOf(table.name, naming);
      let documents = 0;
      await reader.readTable(
        table,
        (lines, firstLine) => {
          const batch = emptyBatch(table.name, logical);
          for (let offset = 0; offset < lines.length; offset++) {
            const line = lines[offset]!;
            if (line.trim() === '') continue;
            const decoded = decodeSnapshotLineAt(table.file, firstLine + offset, line, table.encoding, logical, table.number);
            batch.lines.push(firstLine + offset);
            batch.ids.push(decoded.id);
            batch.creationTimes.push(decoded.creationTime);
            batch.texts.push(decoded.text);
            batch.columns.push(logical ? indexedColumns(logical, decoded.fields) : []);
          }
          documents += batch.ids.length;
          return batch.ids.length > 0 ? sink.write(batch) : undefined;
        },
        onChunk,
      );
      tables.push({ name: table.name, logical, documents, encoding: table.encoding });
    }
    // Tables the snapshot did not number get one, so ids minted later name the right table.
    await sink.commit(reader.tables.map((table) => table.name));
    return {
      source: reader.source,
      format: reader.format,
      naming: naming.generation,
      documents: tables.reduce((sum, table) => sum + table.documents, 0),
      tables,
      replacedDocuments: existing,
      skippedTables: reader.skippedTables,
    };
  } catch (error) {
    await sink.abort();
    if (error instanceof DuplicateDocumentError) {
      throw new InvalidSnapshotError(`${error.physical}/documents.jsonl:${error.line}: ${duplicateIdMessage(error.id)}`);
    }
    if (error instanceof StoreNotEmptyError) {
      throw new OpsError(
        ErrorCode.Conflict,
        `The store at ${store.location} already holds ${error.documents} documents: pass --replace to replace them with the snapshot.`,
      );
    }
    throw error;
  } finally {
    await reader.close();
  }
}
