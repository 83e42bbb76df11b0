/**
 * Streaming reader of a Convex snapshot export, as a ZIP archive or an unpacked directory:
 * `<table>/documents.jsonl` (one document per line), `<table>/generated_schema.jsonl` (the JSON string
 * `"uniform"` for the uniform encoding, an inferred shape for the older one) and `_tables/documents.jsonl`
 * (`{"name": …, "id": <table number>}` per line).
 *
 * Nothing is read whole: a ZIP is opened through its central directory (yauzl, lazy entries) and each table is
 * streamed chunk by chunk, its lines handed over in batches with their line numbers. While streaming, the
 * reader counts lines and computes the sha256 of the table's `documents.jsonl` bytes (and checks a ZIP entry's
 * CRC-32, which yauzl leaves to the caller).
 *
 * A snapshot is untrusted input, so the reader refuses, before anything is handed over: a line longer than a
 * Convex document may be (1 MiB; the read stops as soon as a line passes it, so memory stays bounded), nesting
 * deeper than Convex allows (64), invalid UTF-8, duplicate ZIP entry names, table names Convex would refuse,
 * and symbolic links or other non-files in a snapshot folder. Lines are assembled in linear time: bytes after
 * the last newline of a chunk wait as buffers and are joined once, when their newline arrives.
 */
import { createHash } from 'node:crypto';
import { constants, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { InvalidSnapshotError, NotFoundError, OpsError } from '../errors.js';
import { detectNaming, type Naming, type NamingGeneration } from '../ontology/naming.js';
import type { ValueEncoding } from '../ontology/values.js';
import { decodeSnapshotLineAt, duplicateIdMessage, ontologyTableOf } from './documents.js';
import { invalidTableNameText } from '../ontology/table-names.js';

/** How a snapshot is stored. */
export type SnapshotFormat = 'zip' | 'dir';

/** A table of the snapshot that has a `documents.jsonl`. */
export interface SnapshotTable {
  /** Physical table name (the folder name). */
  name: string;
  /** `<name>/documents.jsonl`, as messages name it. */
  file: string;
  encoding: ValueEncoding;
  /** Size of `documents.jsonl` in bytes (uncompressed). */
  bytes: number;
  /** The table's number from `_tables/documents.jsonl` (every `_id` in it must carry it), if listed. */
  number?: number;
}

/** What streaming one table found. */
export interface TableReadResult {
  /** Lines in the file (blank ones included). */
  lines: number;
  /** Non-blank lines, i.e. documents. */
  documents: number;
  /** sha256 (hex) of the file's bytes. */
  sha256: string;
  bytes: number;
}

/**
 * Receives the complete lines of one chunk; `firstLine` is the 1-based number of `lines[0]`. A returned promise
 * is awaited before the next chunk is read (backpressure).
 */
export type LineVisitor = (lines: string[], firstLine: number) => void | Promise<void>;

const TABLES_FILE = '_tables/documents.jsonl';

/** Largest document line accepted: Convex's own limit of 1 MiB per document. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Deepest nesting of objects and arrays accepted, as in Convex. */
export const MAX_NESTING_DEPTH = 64;

/** True when objects and arrays nest deeper than `max` somewhere in a JSON text (brackets in strings ignored). */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > max) return true;
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return false;
}

/** At least `count` occurrences of `{` and `[` together (a cheap bound before the exact depth scan). */
function hasOpeningBrackets(text: string, count: number): boolean {
  let found = 0;
  for (const bracket of ['{', '[']) {
    let index = text.indexOf(bracket);
    while (index >= 0) {
      if (++found >= count) return true;
      index = text.indexOf(bracket, index + 1);
    }
  }
  return false;
}

interface FileSource {
  readonly format: SnapshotFormat;
  /** Relative paths ('/'-separated) of the files in the snapshot. */
  paths(): string[];
  size(path: string): number;
  open(path: string): Promise<Readable>;
  /** Expected CRC-32 of a file, when the container records one. */
  crc(path: string): number | undefined;
  close(): Promise<void>;
}

class DirectorySource implements FileSource {
  readonly format = 'dir' as const;
  private readonly files: string[] = [];

  constructor(private readonly root: string) {
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (entry.isSymbolicLink()) throw DirectorySource.linkError(root, entry.name);
      if (!entry.isDirectory()) continue;
      for (const file of ['documents.jsonl', 'generated_schema.jsonl']) {
        const stats = lstatSync(join(root, entry.name, file), { throwIfNoEntry: false });
        if (!stats) continue;
        if (stats.isSymbolicLink()) throw DirectorySource.linkError(root, `${entry.name}/${file}`);
        if (!stats.isFile()) throw new InvalidSnapshotError(`${root}: ${entry.name}/${file} is not a regular file: a snapshot folder holds plain files only.`);
        this.files.push(`${entry.name}/${file}`);
      }
    }
  }

  // The target is neither followed nor named: a snapshot could point at any file of this machine.
  private static linkError(root: string, name: string): InvalidSnapshotError {
    return new InvalidSnapshotError(
      `${root}: ${name} is a symbolic link, which a snapshot folder may not hold: copy the real files into the folder (or pass the .zip).`,
    );
  }

  paths(): string[] {
    return this.files;
  }

  size(path: string): number {
    return statSync(join(this.root, path)).size;
  }

  async open(path: string): Promise<Readable> {
    // O_NOFOLLOW: a file swapped for a link after the listing is still not followed.
    const handle = await openFile(join(this.root, path), constants.O_RDONLY | constants.O_NOFOLLOW);
    return handle.createReadStream({ highWaterMark: 256 * 1024 });
  }

  crc(): undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}

/** Refused rather than reported as a corrupt archive. */
class DuplicateEntryError extends InvalidSnapshotError {}

class ZipSource implements FileSource {
  readonly format = 'zip' as const;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
  ) {}

  static async open(path: string): Promise<ZipSource> {
    const zip = await new Promise<yauzl.ZipFile>((resolvePromise, reject) => {
      yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, file) =>
        error ? reject(error) : resolvePromise(file),
      );
    });
    const entries = new Map<string, yauzl.Entry>();
    try {
      await new Promise<void>((resolvePromise, reject) => {
        zip.on('entry', (entry: yauzl.Entry) => {
          if (!entry.fileName.endsWith('/')) {
            // With two entries of one name, which one a tool reads differs: refuse rather than drop one.
            if (entries.has(entry.fileName)) {
              reject(new DuplicateEntryError(`${path}: the ZIP archive holds two entries named ${JSON.stringify(entry.fileName)}: export the snapshot again.`));
              return;
            }
            entries.set(entry.fileName, entry);
          }
          zip.readEntry();
        });
        zip.on('end', () => resolvePromise());
        zip.on('error', reject);
        zip.readEntry();
      });
    } catch (error) {
      zip.close();
      throw error;
    }
    return new ZipSource(zip, ZipSource.withoutWrapperFolder(entries));
  }

  /**
   * A ZIP made by zipping an exported folder (`zip -r snap.zip export/`) holds `export/<table>/documents.jsonl`:
   * read it as if the folder were the root.
   */
  private static withoutWrapperFolder(entries: Map<string, yauzl.Entry>): Map<string, yauzl.Entry> {
    const names = [...entries.keys()];
    if (names.some((name) => /^[^/]+\/documents\.jsonl$/.test(name))) return entries;
    const folders = new Set(names.filter((name) => /^[^/]+\/[^/]+\/documents\.jsonl$/.test(name)).map((name) => name.slice(0, name.indexOf('/') + 1)));
    if (folders.size !== 1) return entries;
    const [folder] = [...folders] as [string];
    return new Map([...entries].filter(([name]) => name.startsWith(folder)).map(([name, entry]) => [name.slice(folder.length), entry]));
  }

  paths(): string[] {
    return [...this.entries.keys()];
  }

  size(path: string): number {
    return this.entries.get(path)?.uncompressedSize ?? 0;
  }

  open(path: string): Promise<Readable> {
    const entry = this.entries.get(path);
    if (!entry) return Promise.reject(new Error(`no entry ${path}`));
    return new Promise((resolvePromise, reject) => {
      this.zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolvePromise(stream)));
    });
  }

  crc(path: string): number | undefined {
    return this.entries.get(path)?.crc32;
  }

  async close(): Promise<void> {
    this.zip.close();
  }
}

/** An open snapshot. Call `close()` when done. */
export class SnapshotReader {
  private constructor(
    /** The snapshot path, as given (resolved). */
    readonly source: string,
    private readonly files: FileSource,
    /** Tables with a `documents.jsonl`, in table-number order (unnumbered ones last, by name). */
    readonly tables: SnapshotTable[],
    /** Table numbers from `_tables/documents.jsonl` (physical name → number). */
    readonly tableNumbers: Map<string, number>,
    /** System tables of the export (`_storage`, …) that are not read: their documents are not kept. */
    readonly skippedTables: string[] = [],
  ) {}

  get format(): SnapshotFormat {
    return this.files.format;
  }

  /** Opens a ZIP file or a directory; a missing path, an unreadable archive or a bad `_tables` file is an error. */
  static async open(source: string): Promise<SnapshotReader> {
    const path = resolve(source);
    if (!existsSync(path)) throw new NotFoundError(`No snapshot at ${path}: pass a Convex snapshot export (a .zip file or its unpacked folder).`);
    let files: FileSource;
    if (statSync(path).isDirectory()) {
      try {
        files = new DirectorySource(path);
      } catch (error) {
        if (error instanceof OpsError) throw error;
        throw new InvalidSnapshotError(`${path}: the snapshot folder cannot be read (${(error as Error).message}).`);
      }
    }
    else {
      try {
        files = await ZipSource.open(path);
      } catch (error) {
        if (error instanceof DuplicateEntryError) throw error;
        throw new InvalidSnapshotError(`${path}: not a readable ZIP archive, it is truncated or corrupt (${(error as Error).message}).`);
      }
    }
    try {
      const reader = new SnapshotReader(path, files, [], new Map());
      await reader.load();
      return reader;
    } catch (error) {
      await files.close();
      throw error;
    }
  }

  private async load(): Promise<void> {
    const paths = new Set(this.files.paths());
    if (paths.has(TABLES_FILE)) await this.loadTableNumbers();
    const tableOf = (path: string) => path.slice(0, -'/documents.jsonl'.length);
    const names = [...paths].filter((path) => /^[^/_][^/]*\/documents\.jsonl$/.test(path)).map(tableOf);
    this.skippedTables.push(
      ...[...paths]
        .filter((path) => /^_[^/]*\/documents\.jsonl$/.test(path) && path !== TABLES_FILE)
        .map(tableOf)
        .sort(),
    );
    if (names.length === 0 && this.tableNumbers.size === 0) {
      throw new InvalidSnapshotError(`${this.source}: not a Convex snapshot: no <table>/documents.jsonl and no ${TABLES_FILE}.`);
    }
    for (const path of paths) {
      const folder = path.slice(0, path.indexOf('/'));
      const problem = /^[^/]+\/(documents|generated_schema)\.jsonl$/.test(path) ? invalidTableNameText(folder) : null;
      if (problem) throw new InvalidSnapshotError(`${this.source}: ${path}: ${problem}.`);
    }
    for (const name of names) {
      const schemaPath = `${name}/generated_schema.jsonl`;
      const encoding = paths.has(schemaPath) ? await this.encodingOf(schemaPath) : 'legacy';
      const number = this.tableNumbers.get(name);
      this.tables.push({ name, file: `${name}/documents.jsonl`, encoding, bytes: this.files.size(`${name}/documents.jsonl`), ...(number === undefined ? {} : { number }) });
    }
    const order = (name: string) => this.tableNumbers.get(name) ?? Number.MAX_SAFE_INTEGER;
    this.tables.sort((a, b) => order(a.name) - order(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async loadTableNumbers(): Promise<void> {
    const numbers = new Set<number>();
    await this.readFile(TABLES_FILE, (lines, firstLine) => {
      lines.forEach((line, offset) => {
        if (line.trim() === '') return;
        const where = `${TABLES_FILE}:${firstLine + offset}`;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (error) {
          throw new InvalidSnapshotError(`${where}: invalid JSON (${(error as Error).message})`);
        }
        const { name, id } = (value ?? {}) as { name?: unknown; id?: unknown };
        if (typeof name !== 'string' || name === '') throw new InvalidSnapshotError(`${where}: name must be a non-empty string`);
        const problem = invalidTableNameText(name);
        if (problem) throw new InvalidSnapshotError(`${where}: ${problem}`);
        if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) throw new InvalidSnapshotError(`${where}: id must be a positive whole number`);
        if (id > 0xffffffff) throw new InvalidSnapshotError(`${where}: id ${id} is above 4294967295, the largest Convex table number`);
        if (this.tableNumbers.has(name)) throw new InvalidSnapshotError(`${where}: table ${name} is listed twice`);
        if (numbers.has(id)) throw new InvalidSnapshotError(`${where}: table number ${id} is used twice`);
        numbers.add(id);
        this.tableNumbers.set(name, id);
      });
    });
  }

  /** The encoding named by the first line of a `generated_schema.jsonl`. */
  private async encodingOf(schemaPath: string): Promise<ValueEncoding> {
    const stream = await this.openFile(schemaPath);
    let head = '';
    try {
      for await (const chunk of stream) {
        head += (chunk as Buffer).toString('utf8');
        if (head.includes('\n') || head.length > 64 * 1024) break;
      }
    } catch (error) {
      throw this.containerError(schemaPath, error);
    } finally {
      stream.destroy();
    }
    const first = head.split('\n', 1)[0]!.trim();
    if (first === '') return 'legacy';
    let value: unknown;
    try {
      value = JSON.parse(first);
    } catch (error) {
      throw new InvalidSnapshotError(`${schemaPath}:1: invalid JSON (${(error as Error).message})`);
    }
    return value === 'uniform' ? 'uniform' : 'legacy';
  }

  /** The naming generation the snapshot's table names show. */
  naming(): Naming {
    return detectNaming([...this.tables.map((table) => table.name), ...this.tableNumbers.keys()]);
  }

  /** Total bytes of all tables' `documents.jsonl`. */
  totalBytes(): number {
    return this.tables.reduce((sum, table) => sum + table.bytes, 0);
  }

  /**
   * Streams a table's `documents.jsonl`, handing over each chunk's complete lines (without line ends).
   * `onChunk` gets the byte count of every chunk read. An error thrown by `visit` stops the read and is
   * rethrown as is.
   */
  readTable(table: SnapshotTable, visit: LineVisitor, onChunk?: (bytes: number) => void): Promise<TableReadResult> {
    return this.readFile(table.file, visit, onChunk);
  }

  private async openFile(path: string): Promise<Readable> {
    try {
      return await this.files.open(path);
    } catch (error) {
      throw this.containerError(path, error);
    }
  }

  private containerError(path: string, error: unknown): Error {
    if (error instanceof OpsError) return error;
    const reason = this.format === 'zip' ? 'the ZIP archive is truncated or corrupt' : 'the file cannot be read';
    return new InvalidSnapshotError(`${this.source}: ${path}: ${reason} (${(error as Error).message}).`);
  }

  private async readFile(path: string, visit: LineVisitor, onChunk?: (bytes: number) => void): Promise<TableReadResult> {
    const stream = await this.openFile(path);
    const hash = createHash('sha256');
    // fatal: invalid UTF-8 is refused instead of turning into U+FFFD; ignoreBOM keeps a BOM for JSON.parse to refuse.
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let checksum = 0;
    let nextLine = 1;
    let documents = 0;
    let bytes = 0;
    // The bytes of the line being assembled, not yet ended by a newline: joined once, when the newline comes.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const tooLarge = (line: number) =>
      new InvalidSnapshotError(`${path}:${line}: the document is larger than ${MAX_DOCUMENT_BYTES} bytes (1 MiB), the most Convex stores in one document.`);
    const decodeLines = (region: Buffer): string[] => {
      try {
        return decoder.decode(region).split('\n');
      } catch {
        throw this.utf8Error(path, region, nextLine);
      }
    };
    const hand = (lines: string[]) => {
      const first = nextLine;
      for (let index = 0; index < lines.length; index++) {
        let line = lines[index]!;
        if (line.endsWith('\r')) lines[index] = line = line.slice(0, -1);
        if (line.length * 3 > MAX_DOCUMENT_BYTES && Buffer.byteLength(line) > MAX_DOCUMENT_BYTES) throw tooLarge(first + index);
        if (line.length > MAX_NESTING_DEPTH && hasOpeningBrackets(line, MAX_NESTING_DEPTH + 1) && nestsDeeperThan(line, MAX_NESTING_DEPTH)) {
          throw new InvalidSnapshotError(`${path}:${first + index}: objects and arrays nest deeper than ${MAX_NESTING_DEPTH} levels, the most Convex allows.`);
        }
        if (line.trim() !== '') documents++;
      }
      nextLine += lines.length;
      return visit(lines, first);
    };
    // Errors of the visitor (and of the line checks) pass through unchanged; only errors of the stream are about the container.
    let visitorFailed = false;
    let visitorError: unknown;
    try {
      for await (const chunk of stream) {
        const buffer = chunk as Buffer;
        hash.update(buffer);
        checksum = crc32(buffer, checksum);
        bytes += buffer.length;
        const lastNewline = buffer.lastIndexOf(0x0a);
        if (lastNewline < 0) {
          pending.push(buffer);
          pendingBytes += buffer.length;
          // Stop at once: a hostile line may be hundreds of MB, and nothing of it is needed.
          if (pendingBytes > MAX_DOCUMENT_BYTES) throw tooLarge(nextLine);
        } else {
          if (pendingBytes > 0 && pendingBytes + buffer.indexOf(0x0a) > MAX_DOCUMENT_BYTES) throw tooLarge(nextLine);
          const head = buffer.subarray(0, lastNewline);
          const lines = decodeLines(pending.length === 0 ? head : Buffer.concat([...pending, head]));
          const tail = buffer.subarray(lastNewline + 1);
          pending = tail.length > 0 ? [tail] : [];
          pendingBytes = tail.length;
          try {
            await hand(lines);
          } catch (error) {
            visitorFailed = true;
            visitorError = error;
            break;
          }
        }
        onChunk?.(buffer.length);
      }
    } catch (error) {
      stream.destroy();
      throw this.containerError(path, error);
    }
    if (visitorFailed) {
      stream.destroy();
      throw visitorError;
    }
    if (pendingBytes > 0) await hand(decodeLines(Buffer.concat(pending)));
    const expected = this.files.crc(path);
    if (expected !== undefined && expected >>> 0 !== checksum >>> 0) {
      throw new InvalidSnapshotError(`${this.source}: ${path}: CRC-32 mismatch, the ZIP archive is corrupt.`);
    }
    return { lines: nextLine - 1, documents, sha256: hash.digest('hex'), bytes };
  }

  /** Names the first line of `region` (whose first line is `firstLine`) that is not valid UTF-8, without its text. */
  private utf8Error(path: string, region: Buffer, firstLine: number): InvalidSnapshotError {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let start = 0;
    for (let line = firstLine; ; line++) {
      const end = region.indexOf(0x0a, start);
      const slice = region.subarray(start, end < 0 ? region.length : end);
      try {
        decoder.decode(slice);
      } catch {
        return new InvalidSnapshotError(`${path}:${line}: the line is not valid UTF-8 text: re-export the snapshot, or fix the file's encoding.`);
      }
      if (end < 0) break;
      start = end + 1;
    }
    return new InvalidSnapshotError(`${path}:${firstLine}: not valid UTF-8 text: re-export the snapshot, or fix the file's encoding.`);
  }

  async close(): Promise<void> {
    await this.files.close();
  }
}

/** What `verifySnapshot` found in one table. */
export interface VerifiedTable {
  name: string;
  documents: number;
  /** sha256 (hex) of the table's `documents.jsonl` bytes. */
  sha256: string;
  encoding: ValueEncoding;
}

/** What `verifySnapshot` found. */
export interface SnapshotVerification {
  path: string;
  format: SnapshotFormat;
  naming: NamingGeneration;
  /** Documents in all tables. */
  documents: number;
  tables: VerifiedTable[];
  /** Table numbers from `_tables/documents.jsonl`. */
  tableNumbers: Record<string, number>;
  /** System tables (`_storage`, …) that were not read. */
  skippedTables: string[];
}

/**
 * Reads a whole snapshot without changing anything: every line of every table must be a valid document (the
 * same rules as import, duplicate ids included). Returns per-table document counts and sha256 of each
 * `documents.jsonl`; throws `InvalidSnapshotError` (`file:line: what is wrong`) at the first bad line.
 */
export async function verifySnapshot(source: string): Promise<SnapshotVerification> {
  const reader = await SnapshotReader.open(source);
  try {
    const naming = reader.naming();
    const tables: VerifiedTable[] = [];
    for (const table of reader.tables) {
      const logical = ontologyTableOf(table.name, naming);
      const seen = new Set<string>();
      const result = await reader.readTable(table, (lines, firstLine) => {
        lines.forEach((line, offset) => {
          if (line.trim() === '') return;
          const { id } = decodeSnapshotLineAt(table.file, firstLine + offset, line, table.encoding, logical, table.number);
          if (seen.has(id)) throw new InvalidSnapshotError(`${table.file}:${firstLine + offset}: ${duplicateIdMessage(id)}`);
          seen.add(id);
        });
      });
      tables.push({ name: table.name, documents: result.documents, sha256: result.sha256, encoding: table.encoding });
    }
    return {
      path: reader.source,
      format: reader.format,
      naming: naming.generation,
      documents: tables.reduce((sum, table) => sum + table.documents, 0),
      tables,
      tableNumbers: Object.fromEntries(reader.tableNumbers),
      skippedTables: reader.skippedTables,
    };
  } finally {
    await reader.close();
  }
}
