/**
 * `importSnapshot`: loads a Convex snapshot export (ZIP or directory, uniform or legacy encoding, current or
 * legacy naming) into a store, atomically: one write transaction around the whole stream, so a bad
 * line, a corrupt archive or any other failure leaves the store exactly as it was.
 *
 * This thread reads and validates the snapshot and hands the documents to the store's bulk-load port (see
 * `src/store/bulk-load.ts`); for SQLite a large snapshot is written by a writer thread with its own connection,
 * so SQLite's work runs in parallel and off the event loop.
 */
import { ErrorCode, InvalidSnapshotError, OpsError } from '../errors.ts';
import type { NamingGeneration, OntologyTable } from '../ontology/naming.ts';
import type { ValueEncoding } from '../ontology/values.ts';
import {
  DuplicateDocumentError,
  StoreNotEmptyError,
  type BulkDocuments,
  type BulkLoadLease,
  type BulkLoadTarget,
} from '../store/bulk-load.ts';
import { decodeSnapshotLineAt, duplicateIdMessage, ontologyTableOf } from './documents.ts';
import { loadError, throwIfAborted } from './load-errors.ts';
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
  /** Refuse (one-line `LockHeld` error, nothing written) while another holder has this lease. */
  lease?: BulkLoadLease;
  /** Stops the import between batches; the store is then left exactly as it was. */
  signal?: AbortSignal;
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

function emptyDocuments(): BulkDocuments & { lines: number[] } {
  return { lines: [], ids: [], creationTimes: [], texts: [], fields: [] };
}

/**
 * Imports a snapshot into the store in one transaction. Without `replace`, a store that already holds
 * documents is refused; with it, the ontology tables, other tables and table numbers are replaced (store
 * settings such as the v1-migration marker stay). Sets the store's naming generation and table numbers from
 * the snapshot. Throws `InvalidSnapshotError` (`<table>/documents.jsonl:<line>: what is wrong`) for a bad line
 * and leaves the store unchanged.
 */
export async function importSnapshot(store: BulkLoadTarget, source: string, options: ImportOptions = {}): Promise<ImportSummary> {
  throwIfAborted(options.signal, 'import');
  const reader = await SnapshotReader.open(source);
  const threaded = options.writerThread ?? reader.totalBytes() >= WRITER_THREAD_MIN_BYTES;
  const load = store.bulkLoad({ writerThread: threaded });
  try {
    const naming = reader.naming();
    const totalBytes = reader.totalBytes();
    let doneBytes = 0;
    const onChunk = (bytes: number) => {
      doneBytes += bytes;
      options.onProgress?.(doneBytes, totalBytes);
    };
    const existing = await load.begin({
      replace: options.replace === true,
      naming: naming.generation,
      tableNumbers: [...reader.tableNumbers],
      ...(options.lease ? { lease: options.lease } : {}),
    });
    const tables: ImportedTable[] = [];
    for (const table of reader.tables) {
      const logical = ontologyTableOf(table.name, naming);
      let documents = 0;
      await reader.readTable(
        table,
        (lines, firstLine) => {
          throwIfAborted(options.signal, 'import');
          const batch = emptyDocuments();
          for (let offset = 0; offset < lines.length; offset++) {
            const line = lines[offset]!;
            if (line.trim() === '') continue;
            const decoded = decodeSnapshotLineAt(table.file, firstLine + offset, line, table.encoding, logical, table.number);
            batch.lines.push(firstLine + offset);
            batch.ids.push(decoded.id);
            batch.creationTimes.push(decoded.creationTime);
            batch.texts.push(decoded.text);
            batch.fields.push(decoded.fields);
          }
          documents += batch.ids.length;
          return batch.ids.length > 0 ? load.write(table.name, batch) : undefined;
        },
        onChunk,
      );
      // An empty table is still registered (it gets a table number at commit).
      if (documents === 0) await load.write(table.name, emptyDocuments());
      tables.push({ name: table.name, logical, documents, encoding: table.encoding });
    }
    throwIfAborted(options.signal, 'import');
    // Tables the snapshot did not number get one, so ids minted later name the right table.
    await load.commit();
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
    await load.abort();
    if (error instanceof DuplicateDocumentError) {
      throw new InvalidSnapshotError(`${error.physical}/documents.jsonl:${error.line}: ${duplicateIdMessage(error.id)}`);
    }
    if (error instanceof StoreNotEmptyError) {
      throw new OpsError(
        ErrorCode.Conflict,
        `The store at ${store.location} already holds ${error.documents} documents: pass --replace to replace them with the snapshot.`,
      );
    }
    throw loadError(error, store.location);
  } finally {
    await reader.close();
  }
}
