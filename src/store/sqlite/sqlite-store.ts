/**
 * The embedded SQLite adapter (better-sqlite3): documents, leases and store settings. Feature modules
 * (checks, migration, monitor state) build on `database` with their own tables and statements.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, OpsError } from '../../errors.ts';
import { newConvexId, type RandomBytes } from '../../ontology/ids.ts';
import {
  namingFor,
  ONTOLOGY_TABLES,
  physicalTable,
  type Naming,
  type NamingGeneration,
  type OntologyTable,
} from '../../ontology/naming.ts';
import { parseDocument, stringifyUniform, type ConvexDocument, type ConvexValue } from '../../ontology/values.ts';
import type { BulkLoadOptions, BulkLoadPort, BulkLoadTarget } from '../bulk-load.ts';
import { META_KEYS, type DocumentPage, type DocumentStore, type Lease, type LeaseResult, type LeaseStore, type MetaStore, type StoreInfo } from '../port.ts';
import { CORE_SCHEMA, CORE_TABLES, indexedColumns, insertSql, updateSql } from './schema.ts';
import type { SnapshotRead, SnapshotSource } from '../snapshot-source.ts';
import { SqliteBulkLoad } from './snapshot-bulk-load.ts';
import { SqliteSnapshotRead } from './snapshot-source.ts';

/** Store settings keys (defined with the `MetaStore` port; re-exported for this adapter's callers). */
export { META_KEYS } from '../port.ts';

/** Why a database file could not be opened, in words (SQLite's own text for anything unusual). */
function storeOpenReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB') return 'the file is not a SQLite database';
  if (code === 'SQLITE_CANTOPEN') return 'the file cannot be opened: it is a folder, missing, or not accessible';
  if (code === 'EACCES' || code === 'EPERM') return 'no permission to create its folder';
  if (code === 'SQLITE_READONLY') return 'the file is read-only';
  if (code === 'SQLITE_READONLY_DIRECTORY' || code === 'SQLITE_READONLY_CANTINIT') {
    return 'its folder is read-only, and SQLite must create the shared-memory file <store>-shm next to a WAL store to read it: copy the store to a writable folder';
  }
  return error instanceof Error ? error.message : String(error);
}

/** True when this process may write the file. */
function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** First table number given to a table that a snapshot did not number (Convex numbers user tables from 10001). */
export const FIRST_TABLE_NUMBER = 10001;

/** Options of `SqliteStore.open`. */
export interface SqliteStoreOptions {
  /** Clock for `_creationTime` and leases; defaults to `Date.now`. */
  now?: () => number;
  /** Random bytes for new ids; defaults to crypto. */
  random?: RandomBytes;
  /** Open read-only: for commands that only read (a store file or folder without write access still opens), and a check worker's second connection. */
  readonly?: boolean;
  /**
   * An existing file of zero bytes becomes a new store (commands that create one: seed, import, e.g. into a file
   * `mktemp` made). Without it such a file is refused like any file that is not an ontology-ops store.
   */
  emptyIsNew?: boolean;
}

/**
 * Why an existing database is not an ontology-ops store, or null when it is one: every store has the core
 * tables from its creation on. Only reads `sqlite_master`, so a refused file is left exactly as it was.
 */
function foreignStoreReason(database: Database.Database): string | null {
  const tables = (database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
  const missing = CORE_TABLES.filter((table) => !tables.includes(table));
  if (missing.length === 0) return null;
  if (tables.length === 0) return 'it has no tables';
  if (missing.length === CORE_TABLES.length) {
    const shown = tables.slice(0, 3).join(', ');
    return `it holds another application's tables: ${shown}${tables.length > 3 ? ` and ${tables.length - 3} more` : ''}`;
  }
  return `it has no ${missing[0]} table${missing.length > 1 ? `, nor ${missing.length - 1} more tables every store has` : ''}`;
}

/** The refusal of a file that is not an ontology-ops store; it names the file and what to pass instead. */
function notAStoreError(path: string, reason: string): OpsError {
  return new OpsError(
    ErrorCode.StoreUnavailable,
    `${path} is not an ontology-ops store (${reason}); it was left unchanged: pass --db with a store made by \`ontology-ops seed\` or \`ontology-ops import\`, or a new path to create one.`,
  );
}

/** The embedded store. One instance per database file and process. */
export class SqliteStore implements DocumentStore, LeaseStore, MetaStore, BulkLoadTarget, SnapshotSource {
  /** The better-sqlite3 handle, for feature modules of this adapter. */
  readonly database: Database.Database;
  readonly location: string;
  private readonly now: () => number;
  private readonly random: RandomBytes | undefined;
  private lastCreationTime = 0;

  private constructor(path: string, options: SqliteStoreOptions, fresh: boolean) {
    this.location = path;
    this.now = options.now ?? Date.now;
    this.random = options.random;
    this.database = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    try {
      // Set before the schema is written: another process may hold the write lock for a moment.
      this.database.pragma('busy_timeout = 5000');
      // Looked at before anything is written (WAL mode alone rewrites the file's header).
      const foreign = fresh ? null : foreignStoreReason(this.database);
      if (foreign) throw notAStoreError(path, foreign);
      if (!options.readonly) {
        this.database.pragma('journal_mode = WAL');
        this.database.pragma('synchronous = NORMAL');
        this.database.pragma('foreign_keys = ON');
        this.database.exec(CORE_SCHEMA);
      }
      this.database.pragma('cache_size = -65536');
    } catch (error) {
      this.database.close();
      throw error;
    }
  }

  /**
   * Opens (and creates when missing, with its folder) the database file at `path`. A path that cannot hold a
   * store (a folder, a file that is not SQLite, a folder without write access) is a `StoreUnavailable` error
   * naming the path, and so is an existing file that is not an ontology-ops store (another application's
   * database, an empty file, `/dev/null`): it is refused before anything is written to it, read-only or not.
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const absolute = resolve(path);
    try {
      const existing = statSync(absolute, { throwIfNoEntry: false });
      const fresh = !existing || (options.emptyIsNew === true && existing.isFile() && existing.size === 0);
      if (existing && !existing.isDirectory() && !fresh && (existing.size === 0 || !existing.isFile())) {
        throw notAStoreError(absolute, existing.size === 0 ? 'it is empty' : 'it is not a regular file');
      }
      if (!options.readonly) {
        mkdirSync(dirname(absolute), { recursive: true });
        if (existsSync(absolute) && !isWritable(absolute)) {
          throw new OpsError(
            ErrorCode.StoreReadOnly,
            `The store ${absolute} is read-only and this command changes it: make the file (and its folder) writable, or run it on a writable copy with --db.`,
          );
        }
      }
      // Read-only, SQLite reports a folder as an I/O error: say what it is.
      if (statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'SQLITE_CANTOPEN' });
      const store = new SqliteStore(absolute, options, fresh);
      if (options.readonly) {
        // A read-only connection opens lazily: read once so an unreadable store fails here, naming its path.
        try {
          store.database.prepare('SELECT COUNT(*) FROM sqlite_master').get();
        } catch (error) {
          store.close();
          throw error;
        }
      }
      return store;
    } catch (error) {
      if (error instanceof OpsError) throw error;
      throw new OpsError(
        ErrorCode.StoreUnavailable,
        `Cannot open the store ${absolute} (${storeOpenReason(error)}): pass --db with an ontology-ops SQLite store file, or a new path to create one.`,
        { cause: error },
      );
    }
  }

  close(): void {
    if (this.database.open) this.database.close();
  }

  /** A new bulk load into this store (see `SqliteBulkLoad`). */
  bulkLoad(options: BulkLoadOptions = {}): BulkLoadPort {
    return new SqliteBulkLoad(this, options);
  }

  /** A consistent read of the data set for an export (see `SqliteSnapshotRead`). */
  openSnapshotRead(): Promise<SnapshotRead> {
    return SqliteSnapshotRead.open(this);
  }

  // ---- settings -------------------------------------------------------------------------------------------

  async getMeta(key: string): Promise<string | null> {
    return this.getMetaSync(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.setMetaSync(key, value);
  }

  getMetaSync(key: string): string | null {
    const row = this.database.prepare('SELECT value FROM store_meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value ?? null;
  }

  setMetaSync(key: string, value: string): void {
    this.database
      .prepare('INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  // ---- documents ------------------------------------------------------------------------------------------

  async naming(): Promise<Naming> {
    return this.namingSync();
  }

  namingSync(): Naming {
    const generation = this.getMetaSync(META_KEYS.naming) as NamingGeneration | null;
    return namingFor(generation ?? 'current');
  }

  async info(): Promise<StoreInfo> {
    const naming = this.namingSync();
    const tables: StoreInfo['tables'] = ONTOLOGY_TABLES.map((table) => ({
      name: physicalTable(table, naming),
      logical: table,
      documents: this.countSync(table),
    }));
    const others = this.database
      .prepare('SELECT table_name AS name, COUNT(*) AS documents FROM other_documents GROUP BY table_name ORDER BY table_name')
      .all() as { name: string; documents: number }[];
    for (const other of others) tables.push({ name: other.name, logical: null, documents: other.documents });
    return {
      location: this.location,
      naming,
      tables,
      sizeBytes: this.sizeOnDisk(),
      v1MigrationCompleted: this.getMetaSync(META_KEYS.v1MigrationCompletedAt) !== null,
    };
  }

  private sizeOnDisk(): number | null {
    let total = 0;
    for (const suffix of ['', '-wal']) {
      try {
        total += statSync(this.location + suffix).size;
      } catch {
        // No WAL file yet: nothing to add.
      }
    }
    return total;
  }

  async count(table: OntologyTable, options: { groupId?: string } = {}): Promise<number> {
    return this.countSync(table, options.groupId);
  }

  countSync(table: OntologyTable, groupId?: string): number {
    if (groupId !== undefined && table !== 'groups') {
      return (this.database.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE group_id = ?`).get(groupId) as { n: number }).n;
    }
    return (this.database.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  async get(table: OntologyTable, id: string): Promise<ConvexDocument | null> {
    return this.getSync(table, id);
  }

  getSync(table: OntologyTable, id: string): ConvexDocument | null {
    const row = this.database.prepare(`SELECT doc FROM ${table} WHERE id = ?`).get(id) as { doc: string } | undefined;
    return row ? parseDocument(row.doc, 'uniform') : null;
  }

  async findGroupBySlug(slug: string): Promise<ConvexDocument | null> {
    const row = this.database.prepare('SELECT doc FROM groups WHERE slug = ? ORDER BY rowid LIMIT 1').get(slug) as
      | { doc: string }
      | undefined;
    return row ? parseDocument(row.doc, 'uniform') : null;
  }

  async insert(table: OntologyTable, fields: Record<string, ConvexValue>): Promise<ConvexDocument> {
    return this.insertSync(table, fields);
  }

  /** Synchronous insert, for use inside a better-sqlite3 transaction. */
  insertSync(table: OntologyTable, fields: Record<string, ConvexValue>): ConvexDocument {
    const physical = physicalTable(table, this.namingSync());
    const document = {
      _id: newConvexId(this.tableNumber(physical), this.random),
      _creationTime: this.nextCreationTime(),
      ...fields,
    } as ConvexDocument;
    this.insertDocumentSync(table, document);
    return document;
  }

  /** Writes a complete document (with its own `_id` and `_creationTime`) into a logical table. */
  insertDocumentSync(table: OntologyTable, document: ConvexDocument): void {
    this.database
      .prepare(insertSql(table))
      .run(document._id, document._creationTime, ...indexedColumns(table, document), stringifyUniform(document));
  }

  async patch(table: OntologyTable, id: string, fields: Record<string, ConvexValue | undefined>): Promise<void> {
    this.patchSync(table, id, fields);
  }

  /** Synchronous patch, for use inside a better-sqlite3 transaction. */
  patchSync(table: OntologyTable, id: string, fields: Record<string, ConvexValue | undefined>): ConvexDocument {
    const current = this.getSync(table, id);
    if (!current) throw new Error(`No document ${id} in table ${table}`);
    const next: Record<string, ConvexValue> = { ...current };
    for (const [key, value] of Object.entries(fields)) {
      if (key === '_id' || key === '_creationTime') throw new Error(`System field ${key} cannot be patched`);
      if (value === undefined) delete next[key];
      else next[key] = value;
    }
    this.replaceSync(table, next as ConvexDocument);
    return next as ConvexDocument;
  }

  /** Replaces a stored document by `_id` with the given one (same id), rewriting its columns. */
  replaceSync(table: OntologyTable, document: ConvexDocument): void {
    const result = this.database
      .prepare(updateSql(table))
      .run(...indexedColumns(table, document), stringifyUniform(document), document._id);
    if (result.changes !== 1) throw new Error(`No document ${document._id} in table ${table}`);
  }

  async page(table: OntologyTable, cursor: string | null, limit: number): Promise<DocumentPage> {
    const after = cursor === null ? 0 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw new Error(`Invalid page cursor: ${cursor}`);
    const rows = this.database
      .prepare(`SELECT rowid AS position, doc FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ?`)
      .all(after, limit) as { position: number; doc: string }[];
    const last = rows.at(-1);
    return {
      documents: rows.map((row) => parseDocument(row.doc, 'uniform')),
      continueCursor: rows.length === limit && last ? String(last.position) : null,
    };
  }

  async eventsOfEntity(entityId: string, limit: number): Promise<ConvexDocument[]> {
    const rows = this.database
      .prepare(
        // UNION (not UNION ALL): an event with the entity as both actor and target is listed once. Equal
        // timestamps are ordered by creation, newest first, so the list is the same on every call.
        `SELECT doc, timestamp, creation_time, id FROM events WHERE actor_id = @entityId
         UNION SELECT doc, timestamp, creation_time, id FROM events WHERE target_id = @entityId
         ORDER BY timestamp DESC, creation_time DESC, id DESC LIMIT @limit`,
      )
      .all({ entityId, limit }) as { doc: string }[];
    return rows.map((row) => parseDocument(row.doc, 'uniform'));
  }

  async connectionsOfEntity(
    entityId: string,
    limit: number,
  ): Promise<{ outgoing: ConvexDocument[]; incoming: ConvexDocument[] }> {
    const query = (column: string) =>
      (
        this.database.prepare(`SELECT doc FROM connections WHERE ${column} = ? ORDER BY rowid LIMIT ?`).all(entityId, limit) as {
          doc: string;
        }[]
      ).map((row) => parseDocument(row.doc, 'uniform'));
    return { outgoing: query('from_id'), incoming: query('to_id') };
  }

  /** The Convex table number of a physical table, registering a new one when the table has none yet. */
  tableNumber(physicalName: string): number {
    const row = this.database.prepare('SELECT table_number FROM convex_tables WHERE name = ?').get(physicalName) as
      | { table_number: number }
      | undefined;
    if (row) return row.table_number;
    const max = this.database.prepare('SELECT MAX(table_number) AS n FROM convex_tables').get() as { n: number | null };
    const next = Math.max(FIRST_TABLE_NUMBER, (max.n ?? 0) + 1);
    this.database.prepare('INSERT INTO convex_tables (name, table_number) VALUES (?, ?)').run(physicalName, next);
    return next;
  }

  /** `_creationTime` values are unique and increasing within a process, as in Convex. */
  private nextCreationTime(): number {
    const now = this.now();
    this.lastCreationTime = now > this.lastCreationTime ? now : this.lastCreationTime + 0.001;
    return this.lastCreationTime;
  }

  // ---- leases ---------------------------------------------------------------------------------------------

  async acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<LeaseResult> {
    return this.database.transaction((): LeaseResult => {
      const current = this.getLeaseSync(name);
      if (current && current.holder !== holder && current.expiresAt > now) return { acquired: false, heldBy: current };
      const lease: Lease = {
        name,
        holder,
        acquiredAt: current && current.holder === holder && current.expiresAt > now ? current.acquiredAt : now,
        expiresAt: now + ttlMs,
      };
      this.database
        .prepare(
          `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
        )
        .run(lease.name, lease.holder, lease.acquiredAt, lease.expiresAt);
      return { acquired: true, lease };
    }).immediate();
  }

  async renewLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
    const result = this.database
      .prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at > ?')
      .run(now + ttlMs, name, holder, now);
    return result.changes === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.database.prepare('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder);
  }

  async getLease(name: string): Promise<Lease | null> {
    return this.getLeaseSync(name);
  }

  private getLeaseSync(name: string): Lease | null {
    const row = this.database
      .prepare('SELECT name, holder, acquired_at AS acquiredAt, expires_at AS expiresAt FROM leases WHERE name = ?')
      .get(name) as Lease | undefined;
    return row ?? null;
  }
}
