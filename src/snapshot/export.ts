/**
 * `exportSnapshot`: writes a store as a Convex snapshot export in the uniform encoding — a ZIP (target ending
 * in `.zip`, streamed through yazl) or a directory — readable by `importSnapshot` and by `npx convex import`.
 * Documents keep their storage order; ontology tables carry their physical names under the store's naming
 * (`things` or `entities`); other tables are written back whole.
 *
 * The export reads through the snapshot-source port (`src/store/snapshot-source.ts`), page by page; the SQLite
 * adapter answers every page from one read transaction, so the export is one consistent state of the store even
 * while other work goes on. It is written under a temporary name and renamed on success: a failed export leaves
 * nothing that looks complete, and the temporary files of a killed export are removed by the next export to
 * the same target. Table names are checked before anything is written: no file lands outside the target.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { ErrorCode, OpsError } from '../errors.js';
import type { NamingGeneration } from '../ontology/naming.js';
import { tableNameProblem } from '../ontology/table-names.js';
import type { SnapshotRead, SnapshotSource } from '../store/snapshot-source.js';
import type { SnapshotFormat } from './reader.js';

export { tableNameProblem };

/** Options of `exportSnapshot`. */
export interface ExportOptions {
  /** Called as documents are written: documents so far, and the total. */
  onProgress?: (doneDocuments: number, totalDocuments: number) => void;
}

/** One exported table. */
export interface ExportedTable {
  /** Physical table name. */
  name: string;
  documents: number;
  /** sha256 (hex) of the table's `documents.jsonl` bytes. */
  sha256: string;
}

/** What `exportSnapshot` wrote. */
export interface ExportSummary {
  /** Absolute path of the ZIP file or directory. */
  path: string;
  format: SnapshotFormat;
  naming: NamingGeneration;
  /** Documents in all tables. */
  documents: number;
  /** Tables in table-number order. */
  tables: ExportedTable[];
}

/** A piece of a table's `documents.jsonl`: whole lines, and how many documents they hold. */
export interface DocumentsChunk {
  bytes: Buffer;
  documents: number;
}

/** A table to write into a snapshot: its name, number, and its `documents.jsonl` as chunks. */
export interface SnapshotFileTable {
  name: string;
  number: number;
  /** The chunks, in order; started once, when the table is written. */
  chunks: () => AsyncIterable<DocumentsChunk>;
}

/** `generated_schema.jsonl` of every table: the uniform encoding's marker. */
const UNIFORM_SCHEMA = '"uniform"\n';
/** Fixed entry times keep the ZIP bytes a pure function of the data (DOS time starts in 1980). */
const ENTRY_TIME = new Date('1980-01-01T00:00:00Z');
/** Deflate level 1: several times faster than the default on JSON lines, about 15 % larger. */
const COMPRESSION_LEVEL = 1;
/** Documents per page read from the source: one statement each for SQLite, one query each for Convex. */
const PAGE_DOCUMENTS = 2_000;
/** Throws a one-line error for the first table whose name is not a Convex table name or whose folder would leave `root`. */
function checkTableNames(root: string, tables: readonly { name: string }[]): void {
  for (const table of tables) {
    const problem = tableNameProblem(table.name);
    const folder = resolve(root, table.name);
    const inside = folder.startsWith(root + sep) && dirname(folder) === root;
    if (problem !== null || !inside) {
      throw new OpsError(
        ErrorCode.Conflict,
        `Cannot export: the store has a table named ${JSON.stringify(table.name.slice(0, 100))}, which is not a valid Convex table name ` +
          `(${problem ?? 'its folder would lie outside the export'}); nothing was written. Remove or rename that table in the store, then export again.`,
      );
    }
  }
}

/** True when a process with this id is running (or exists under another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files (`.<name>.<kind>-<pid>` next to `path`) that writers of `path` killed before they
 * finished left behind: only those of processes that no longer run.
 */
export function removeStaleTemporaries(path: string, kind = 'partial'): void {
  const prefix = `.${basename(path)}.${kind}-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!/^\d+$/.test(name.slice(prefix.length)) || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(dirname(path), name), { recursive: true, force: true });
  }
}

/** Stops the writers of a failed export from asking for more data (yazl pulls its entries lazily). */
interface Cancellation {
  cancelled: boolean;
}

/** A table's chunks as a byte stream; fills `result` (count, sha256) as it goes and stops when cancelled. */
function documentsStream(table: SnapshotFileTable, result: ExportedTable, onDocuments: (documents: number) => void, cancel: Cancellation): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    if (!cancel.cancelled) {
      for await (const chunk of table.chunks()) {
        hash.update(chunk.bytes);
        result.documents += chunk.documents;
        onDocuments(chunk.documents);
        if (chunk.bytes.length > 0) yield chunk.bytes;
        if (cancel.cancelled) return;
      }
    }
    result.sha256 = hash.digest('hex');
  }
  return Readable.from(bytes(), { objectMode: false });
}

function tablesFile(tables: readonly SnapshotFileTable[]): Buffer {
  return Buffer.from(tables.map((table) => `${JSON.stringify({ name: table.name, id: table.number })}\n`).join(''), 'utf8');
}

async function writeZip(
  tables: readonly SnapshotFileTable[],
  path: string,
  results: ExportedTable[],
  onDocuments: (n: number) => void,
  cancel: Cancellation,
): Promise<void> {
  const zip = new yazl.ZipFile();
  const output = createWriteStream(path);
  let fail: (error: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  // A stream may still fail after the export has given up: that must not become an unhandled rejection.
  failed.catch(() => {});
  zip.on('error', (error: unknown) => fail(error));
  output.on('error', (error) => fail(error));
  zip.outputStream.pipe(output);
  try {
    zip.addBuffer(tablesFile(tables), '_tables/documents.jsonl', { mtime: ENTRY_TIME, compressionLevel: COMPRESSION_LEVEL });
    tables.forEach((table, index) => {
      zip.addReadStreamLazy(`${table.name}/documents.jsonl`, { mtime: ENTRY_TIME, compressionLevel: COMPRESSION_LEVEL }, (callback) => {
        const stream = documentsStream(table, results[index]!, onDocuments, cancel);
        stream.on('error', (error) => fail(error));
        callback(null, stream);
      });
      zip.addBuffer(Buffer.from(UNIFORM_SCHEMA), `${table.name}/generated_schema.jsonl`, { mtime: ENTRY_TIME, compressionLevel: 0 });
    });
    zip.end();
    await Promise.race([finished(output), failed]);
  } catch (error) {
    cancel.cancelled = true;
    zip.outputStream.unpipe(output);
    output.destroy();
    throw error;
  }
  // Flushed to disk before the rename publishes it (in the thread pool: a large file takes a while).
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeDirectory(
  tables: readonly SnapshotFileTable[],
  path: string,
  results: ExportedTable[],
  onDocuments: (n: number) => void,
  cancel: Cancellation,
): Promise<void> {
  mkdirSync(join(path, '_tables'), { recursive: true });
  writeFileSync(join(path, '_tables', 'documents.jsonl'), tablesFile(tables));
  for (const [index, table] of tables.entries()) {
    mkdirSync(join(path, table.name), { recursive: true });
    await pipeline(documentsStream(table, results[index]!, onDocuments, cancel), createWriteStream(join(path, table.name, 'documents.jsonl')));
    writeFileSync(join(path, table.name, 'generated_schema.jsonl'), UNIFORM_SCHEMA);
  }
}

/** The snapshot format a target path asks for: a ZIP when it ends in `.zip`, else a directory. */
export function snapshotFormatOf(path: string): SnapshotFormat {
  return /\.zip$/i.test(path) ? 'zip' : 'dir';
}

/**
 * Writes a snapshot of `tables` (in the order given) to `path` (absolute; must not exist): checks every table
 * name first, then writes under a temporary name next to the target (removing the temporary files of killed
 * earlier attempts) and renames it on success. Any failure removes the temporary files and is one `OpsError`.
 */
export async function writeSnapshotFiles(
  path: string,
  tables: readonly SnapshotFileTable[],
  onDocuments: (documents: number) => void = () => {},
): Promise<ExportedTable[]> {
  const format = snapshotFormatOf(path);
  checkTableNames(path, tables);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw exportWriteError(path, error);
  }
  removeStaleTemporaries(path);
  const temporary = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  const cancel: Cancellation = { cancelled: false };
  try {
    const results: ExportedTable[] = tables.map((table) => ({ name: table.name, documents: 0, sha256: '' }));
    rmSync(temporary, { recursive: true, force: true });
    if (format === 'zip') await writeZip(tables, temporary, results, onDocuments, cancel);
    else await writeDirectory(tables, temporary, results, onDocuments, cancel);
    renameSync(temporary, path);
    return results;
  } catch (error) {
    cancel.cancelled = true;
    rmSync(temporary, { recursive: true, force: true });
    throw exportWriteError(path, error);
  }
}

/** A table of a snapshot read as `documents.jsonl` chunks, one page each. */
async function* pagedChunks(read: SnapshotRead, table: string): AsyncGenerator<DocumentsChunk> {
  let cursor: string | null = null;
  do {
    const page = await read.page(table, cursor, PAGE_DOCUMENTS);
    if (page.texts.length > 0) yield { bytes: Buffer.from(`${page.texts.join('\n')}\n`, 'utf8'), documents: page.texts.length };
    cursor = page.continueCursor;
  } while (cursor !== null);
}

/**
 * Exports the store to `target`: a ZIP when it ends in `.zip`, else a directory. The target must not exist
 * yet. Returns per-table document counts and the sha256 of each `documents.jsonl` (for backup manifests).
 */
export async function exportSnapshot(store: SnapshotSource, target: string, options: ExportOptions = {}): Promise<ExportSummary> {
  const path = resolve(target);
  if (existsSync(path)) {
    throw new OpsError(ErrorCode.Conflict, `Export target ${path} already exists: choose a new path or remove it first.`);
  }
  let read: SnapshotRead;
  try {
    read = await store.openSnapshotRead();
  } catch (error) {
    throw exportWriteError(path, error);
  }
  try {
    const total = read.tables.reduce((sum, table) => sum + table.documents, 0);
    let done = 0;
    const onDocuments = (documents: number) => {
      done += documents;
      options.onProgress?.(done, total);
    };
    const tables = read.tables.map((table) => ({ name: table.name, number: table.number, chunks: () => pagedChunks(read, table.name) }));
    const results = await writeSnapshotFiles(path, tables, onDocuments);
    return { path, format: snapshotFormatOf(path), naming: read.naming, documents: done, tables: results };
  } finally {
    await read.close();
  }
}

const EXPORT_WRITE_REASONS: Record<string, string> = {
  EEXIST: 'a file stands where a folder is needed',
  ENOTDIR: 'a file stands where a folder is needed',
  EACCES: 'no permission',
  EPERM: 'no permission',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/**
 * Any failure of an export as one line naming the target: a file-system failure (no space, no permission, a
 * file where a folder must be) with its reason, anything else with its message.
 */
function exportWriteError(path: string, error: unknown): OpsError {
  if (error instanceof OpsError) return error;
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string') {
    const message = error instanceof Error ? error.message : String(error);
    return new OpsError(ErrorCode.StoreUnavailable, `Cannot write the export to ${path} (${message}); nothing was written there.`, { cause: error });
  }
  const reason = EXPORT_WRITE_REASONS[code] ?? `${code} on ${syscall}`;
  return new OpsError(
    ErrorCode.StoreUnavailable,
    `Cannot write the export to ${path} (${reason}): choose a path in a folder you can write to, with free space.`,
    { cause: error },
  );
}
