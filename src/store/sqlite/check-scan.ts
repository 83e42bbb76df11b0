/**
 * The SQLite implementation of the check port, run in one read transaction (a consistent snapshot).
 *
 * A reference ("does this id name an entity, and of which group?") is resolved in id order: platform-wide, the
 * entity ids are read once per scan, in the order of their index, into a compact shared index (`entity-index.ts`)
 * and each reference column, read in the order of its own index, is walked against it once (or, where that walk
 * cannot be used, SQLite joins the two indexes in the same order). The result is a typed array indexed by rowid
 * (record → referenced entity → its group); the JavaScript side never keeps id strings per record. Random lookups
 * (a JS Map of ids, or SQL joins in table order) cost several times more on a million records. A group scope
 * reads only the group's rows through the group indexes. Only entities whose type has a property rule have
 * their `properties` read, and only payment events their `metadata`. `SqliteCheckPort` (`check-port.ts`) runs
 * the scan in a worker thread with its own read-only connection, so the caller's event loop stays free;
 * platform-wide, the heavy parts (`scanPieces`) are shared out with helper threads, one per further core, that
 * compute them from the same snapshot meanwhile (`piece-board.ts`).
 *
 * The scan only fetches and counts: what makes a record orphaned, cross-group or malformed, and every issue
 * object, come from the shared pure rules in `src/quality/` (`record-rules.ts`, `rules.ts`, `issues.ts`), which
 * the Convex adapter runs too; a test holds this scan's counts and issues equal to those rules' verdicts.
 *
 * Limits: each reference list is one string, so a table should stay under ~30 million rows (V8's string size
 * limit); rowids are expected to be dense-ish (one typed-array slot per rowid up to the largest).
 */
import Database from 'better-sqlite3';
import { namingFor, type Naming, type NamingGeneration } from '../../ontology/naming.ts';
import type { Category } from '../../quality/categories.ts';
import {
  crossGroupConnectionIssue,
  crossGroupEventIssue,
  invalidPaymentMetadataIssue,
  invertedValidityIssue,
  malformedPropertiesIssue,
  missingGroupIdIssue,
  orphanedConnectionIssue,
  orphanedKnowledgeIssue,
  type IssueContext,
  type IssueRecord,
} from '../../quality/issues.ts';
import { byGroupId, scanTablesOf, type CheckScope, type GroupCounts, type ScanResult, type ScanTable } from '../../quality/port.ts';
import { ARCHIVAL_AGE_MS, classifyConnection, classifyEvent, isOrphanedSource, type EntityLookup } from '../../quality/record-rules.ts';
import { malformedPropertyFields, PAYMENT_EVENT_TYPE, paymentMetadataProblems, RULED_ENTITY_TYPES } from '../../quality/rules.ts';
import { createTally, emptyCounts, keepIssue, type QualityCounts, type Tally } from '../../quality/tally.ts';
import { META_KEYS } from './sqlite-store.ts';
import type { PieceHelper, SharedScanJob } from './check-workers.ts';
import { buildEntityIndex, resolveThroughIndex, type EntityIndex } from './entity-index.ts';
import { PieceBoard } from './piece-board.ts';

export { runCheckTaskInWorker, stopCheckWorker, warmUpCheckWorker } from './check-workers.ts';

/**
 * A window of one table for a paged scan: the rows with rowid in (`afterRowid`, `afterRowid + limit`]. Lookups
 * of referenced entities still see the whole store.
 */
export interface ScanWindow {
  table: ScanTable;
  afterRowid: number;
  limit: number;
}

/** The result of a scan task: the scan of the window (or of the whole scope) and whether its table goes on. */
export interface WindowScanResult {
  result: ScanResult;
  /** With a window: true when its table has rows after the window. Without: false. */
  more: boolean;
}

/** A unit of work the check worker can run. */
export type CheckTask =
  /** A scan of a whole scope (`window` null) or of one table window. */
  | { kind: 'scan'; scope: CheckScope; window: ScanWindow | null }
  /** Answers once the worker (and its helper) can take work. */
  | { kind: 'ready' };

/** The result of a `CheckTask`. */
export type CheckTaskResult = WindowScanResult | null;

type CountField = keyof QualityCounts;

/** Marks a rowid with no row in a per-rowid array (tables may have gaps). */
const NO_ROW = -1;
/** Group index of a record without a groupId (real groups are numbered from 1). */
const NO_GROUP = 0;
/** Group index of a record that has a groupId the scan did not need to read (platform-wide, no per-group counts). */
const SOME_GROUP = -2;
/** In a per-rowid reference array: the record has no such reference (0 means it names no existing entity). */
const NO_REFERENCE = -1;

function sqlList(values: readonly string[]): string {
  return values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ');
}

function readNaming(database: Database.Database): Naming {
  const row = database.prepare('SELECT value FROM store_meta WHERE key = ?').get(META_KEYS.naming) as { value: string } | undefined;
  return namingFor((row?.value as NamingGeneration | undefined) ?? 'current');
}

/** Calls `each` for every non-negative integer in a comma-separated list (what `group_concat` returns). */
function forEachInteger(list: string | null, each: (value: number) => void): void {
  if (list === null) return;
  let value = 0;
  for (let index = 0; index < list.length; index++) {
    const code = list.charCodeAt(index);
    if (code === 44) {
      each(value);
      value = 0;
    } else {
      value = value * 10 + (code - 48);
    }
  }
  if (list.length > 0) each(value);
}

/**
 * Calls `each(key, value)` for a list shaped `key:v,v,v;key:v` (one key, then the values that share it), what a
 * grouped `group_concat` returns.
 */
function forEachKeyedInteger(list: string | null, each: (key: number, value: number) => void): void {
  if (list === null || list.length === 0) return;
  let key = 0;
  let value = 0;
  for (let index = 0; index < list.length; index++) {
    const code = list.charCodeAt(index);
    if (code === 58) {
      key = value;
      value = 0;
    } else if (code === 44 || code === 59) {
      each(key, value);
      value = 0;
    } else {
      value = value * 10 + (code - 48);
    }
  }
  each(key, value);
}

function parseJsonOrNull(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

/** A reference column and the index that orders it. */
const REFERENCE_INDEXES = {
  'connections.from_id': 'connections_by_from',
  'connections.to_id': 'connections_by_to',
  'events.actor_id': 'events_by_actor',
  'events.target_id': 'events_by_target',
  'knowledge.source_id': 'knowledge_by_source',
} as const;
type ReferenceColumn = keyof typeof REFERENCE_INDEXES;

/**
 * One independent, heavy part of a scan. Computed from the same snapshot, a piece is the same on any connection,
 * so the threads of a check share the pieces out and each computes its own on its own connection. The row-by-row
 * pieces (property rules, payment metadata) come in slices of the table's rowids, so they can be shared out too.
 */
export type ScanPiece =
  | { kind: 'references'; column: ReferenceColumn }
  | { kind: 'malformed'; slice?: RowidSlice }
  | { kind: 'payments'; slice?: RowidSlice }
  | { kind: 'v1' }
  | { kind: 'inverted' };

/** Slice `index` of `of` equal slices of a table's rowids 1 … max. */
export interface RowidSlice {
  index: number;
  of: number;
}

/**
 * What a piece computes: per-rowid arrays (references: referenced entity rowid; v1 / inverted: flags), or the
 * failing records (malformed: `[rowid, type, fields]`; payments: `[rowid, fields]`).
 */
export type PieceResult = Int32Array | Uint8Array | [number, string, string[]][] | [number, string[]][];

function pieceKey(piece: ScanPiece): string {
  if (piece.kind === 'references') return `references:${piece.column}`;
  if ((piece.kind === 'malformed' || piece.kind === 'payments') && piece.slice) return `${piece.kind}:${piece.slice.index}/${piece.slice.of}`;
  return piece.kind;
}

function maxRowidOf(database: Database.Database, table: string): number {
  return (database.prepare(`SELECT ifnull(max(rowid), 0) FROM ${table}`).pluck().get() as number) | 0;
}

/** SQL condition (with a trailing AND) and its arguments restricting a query to a slice of a table's rowids. */
function sliceCondition(database: Database.Database, table: string, slice: RowidSlice | undefined): { sql: string; args: number[] } {
  if (!slice) return { sql: '', args: [] };
  const maxRowid = maxRowidOf(database, table);
  const bound = (index: number) => Math.floor((maxRowid * index) / slice.of);
  return { sql: 'rowid > ? AND rowid <= ? AND ', args: [bound(slice.index), bound(slice.index + 1)] };
}

/** A flag per rowid of `table`: 1 for the rowids the query lists as one `group_concat`. */
function flagsWhere(database: Database.Database, table: string, sql: string, args: unknown[]): Uint8Array {
  const flags = new Uint8Array(maxRowidOf(database, table) + 1);
  forEachInteger(database.prepare(sql).pluck().get(...args) as string | null, (rowid) => {
    flags[rowid] = 1;
  });
  return flags;
}

/**
 * For each row (by rowid) the rowid of the entity a reference column names: 0 when it names none that exists,
 * `NO_REFERENCE` when the column is empty. Platform-wide, the column is read in its index order and walked
 * against the shared entity index (`entity-index.ts`), or, without one, grouped by the referenced id so each
 * distinct id is looked up once, in index order; a group scope reads only the group's rows (through the group
 * index) and looks their ids up one by one, which beats walking the whole reference index.
 */
function referencedEntities(database: Database.Database, scope: CheckScope, column: ReferenceColumn, entities: EntityIndex | null): Int32Array {
  const [table, field] = column.split('.') as [string, string];
  const entityOf = new Int32Array(maxRowidOf(database, table) + 1).fill(NO_REFERENCE);
  if (scope.groupId === null && entities !== null && resolveThroughIndex(database, entities, table, field, REFERENCE_INDEXES[column], entityOf)) {
    return entityOf;
  }
  const list = (
    scope.groupId === null
      ? database
          .prepare(
            `SELECT group_concat(ifnull(e.rowid, 0) || ':' || r.rowids, ';')
             FROM (SELECT ${field} AS id, group_concat(rowid) AS rowids FROM ${table} INDEXED BY ${REFERENCE_INDEXES[column]}
                   WHERE ${field} IS NOT NULL GROUP BY ${field}) r
             LEFT JOIN entities e ON e.id = r.id`,
          )
          .pluck()
          .get()
      : database
          .prepare(
            `SELECT group_concat(ifnull(e.rowid, 0) || ':' || r.rowid, ';')
             FROM ${table} r INDEXED BY ${table}_by_group LEFT JOIN entities e ON e.id = r.${field}
             WHERE r.group_id = ? AND r.${field} IS NOT NULL`,
          )
          .pluck()
          .get(scope.groupId)
  ) as string | null;
  forEachKeyedInteger(list, (entityRowid, rowid) => {
    entityOf[rowid] = entityRowid;
  });
  return entityOf;
}

/**
 * Computes one piece of a scan on a connection (inside the caller's read transaction). `entities`: the shared
 * entity index of the same snapshot, if one was built (platform-wide reference pieces use it).
 */
export function computePiece(database: Database.Database, scope: CheckScope, piece: ScanPiece, entities: EntityIndex | null = null): PieceResult {
  const inGroup = scope.groupId === null ? '' : 'group_id = ? AND ';
  const groupArgs = scope.groupId === null ? [] : [scope.groupId];
  switch (piece.kind) {
    case 'references':
      return referencedEntities(database, scope, piece.column, entities);
    case 'v1':
      return flagsWhere(database, 'entities', `SELECT group_concat(rowid) FROM entities WHERE ${inGroup}schema_version >= 1`, groupArgs);
    case 'inverted':
      return flagsWhere(database, 'connections', `SELECT group_concat(rowid) FROM connections WHERE ${inGroup}valid_to < valid_from`, groupArgs);
    case 'malformed': {
      const malformed: [number, string, string[]][] = [];
      const slice = sliceCondition(database, 'entities', piece.slice);
      const rows = database
        .prepare(
          `SELECT rowid, type, doc -> '$.properties' FROM entities
           WHERE ${slice.sql}${inGroup}type IN (${sqlList(RULED_ENTITY_TYPES)}) ORDER BY rowid`,
        )
        .raw(true)
        .iterate(...slice.args, ...groupArgs) as IterableIterator<[number, string, string | null]>;
      for (const [rowid, type, properties] of rows) {
        const fields = malformedPropertyFields(type, parseJsonOrNull(properties));
        if (fields.length > 0) malformed.push([rowid, type, fields]);
      }
      return malformed;
    }
    case 'payments': {
      const invalid: [number, string[]][] = [];
      const slice = sliceCondition(database, 'events', piece.slice);
      const rows = database
        .prepare(`SELECT rowid, doc -> '$.metadata' FROM events WHERE ${slice.sql}${inGroup}type = '${PAYMENT_EVENT_TYPE}' ORDER BY rowid`)
        .raw(true)
        .iterate(...slice.args, ...groupArgs) as IterableIterator<[number, string | null]>;
      for (const [rowid, metadata] of rows) {
        const problems = paymentMetadataProblems(parseJsonOrNull(metadata));
        if (problems.length > 0) invalid.push([rowid, problems]);
      }
      return invalid;
    }
  }
}

/** Slices of the property rules and of the payment metadata in a shared scan (enough to balance a few threads). */
const PROPERTY_SLICES = 4;
const PAYMENT_SLICES = 2;

/**
 * The pieces a platform-wide scan of `scope` shares out among its threads, heaviest first (so the last pieces
 * claimed are short and the threads finish together); empty for a group scope, which is fast on its own and
 * computes its pieces as it needs them.
 */
export function scanPieces(scope: CheckScope): ScanPiece[] {
  if (scope.groupId !== null) return [];
  const selected = new Set(scope.categories);
  const tables = new Set(scanTablesOf(scope));
  const resolveConnections = tables.has('connections') && (selected.has('orphaned') || selected.has('crossGroup'));
  const resolveEvents = tables.has('events') && selected.has('crossGroup');
  const invalidMetadata = selected.has('invalidMetadata');
  const pieces: ScanPiece[] = [];
  if (tables.has('entities') && selected.has('malformedProperties')) {
    for (let index = 0; index < PROPERTY_SLICES; index++) pieces.push({ kind: 'malformed', slice: { index, of: PROPERTY_SLICES } });
  }
  if (resolveConnections) pieces.push({ kind: 'references', column: 'connections.from_id' }, { kind: 'references', column: 'connections.to_id' });
  if (invalidMetadata && tables.has('connections')) pieces.push({ kind: 'inverted' });
  if (invalidMetadata && tables.has('events')) {
    for (let index = 0; index < PAYMENT_SLICES; index++) pieces.push({ kind: 'payments', slice: { index, of: PAYMENT_SLICES } });
  }
  if (resolveEvents) pieces.push({ kind: 'references', column: 'events.actor_id' }, { kind: 'references', column: 'events.target_id' });
  if (scope.metricCounts !== false && tables.has('entities')) pieces.push({ kind: 'v1' });
  if (tables.has('knowledge')) pieces.push({ kind: 'references', column: 'knowledge.source_id' });
  return pieces;
}

/** True when some piece resolves references (and so uses the shared entity index). */
function needsEntityIndex(pieces: readonly ScanPiece[]): boolean {
  return pieces.some((piece) => piece.kind === 'references');
}

/**
 * The computed pieces by key, the slices of a row-by-row piece joined into the whole piece (slices are in rowid
 * order, so joining them in slice order gives exactly the unsliced result).
 */
function piecesByKey(pieces: readonly ScanPiece[], results: readonly PieceResult[]): Map<string, PieceResult> {
  const byKey = new Map<string, PieceResult>();
  pieces.forEach((piece, index) => {
    const result = results[index]!;
    if ((piece.kind === 'malformed' || piece.kind === 'payments') && piece.slice) {
      const whole = (byKey.get(piece.kind) ?? []) as unknown[];
      for (const item of result as unknown[]) whole.push(item);
      byKey.set(piece.kind, whole as PieceResult);
    } else {
      byKey.set(pieceKey(piece), result);
    }
  });
  return byKey;
}

/** Runs the checks of `scope` over a database synchronously, in one read transaction. */
export function scanDatabase(database: Database.Database, scope: CheckScope): ScanResult {
  return database.transaction(() => new DatabaseScan(database, scope, new Map(), null).run().result)();
}

/** Runs the checks of `scope` over one table window of a database synchronously, in one read transaction. */
export function scanDatabaseWindow(database: Database.Database, scope: CheckScope, window: ScanWindow): WindowScanResult {
  return database.transaction(() => new DatabaseScan(database, scope, new Map(), window).run())();
}

/**
 * Runs the checks of `scope` over a database file with its own read-only connection, sharing the pieces of a
 * platform-wide scan with the helper threads given (see `piece-board.ts`): each thread claims the next piece when
 * it is free. All threads must read the same snapshot: this thread opens its read transaction first, each helper
 * opens its own and marks the board, and a third connection's `data_version`, read before and again after a
 * helper has marked, shows whether any write committed in between (checked before each piece this thread claims,
 * and at the end). The pieces of a helper for which it did, or that failed, are computed here, in this snapshot.
 */
export async function scanDatabaseFile(databasePath: string, scope: CheckScope, helpers: readonly PieceHelper[]): Promise<ScanResult> {
  const database = openReadOnly(databasePath);
  try {
    const pieces = scanPieces(scope);
    if (helpers.length === 0 || pieces.length === 0) return scanDatabase(database, scope);
    const watcher = openReadOnly(databasePath);
    try {
      const versionBefore = watcher.pragma('data_version', { simple: true });
      database.exec('BEGIN');
      try {
        // The first read fixes the transaction's snapshot.
        database.prepare('SELECT count(*) FROM sqlite_master').get();
        const entities = needsEntityIndex(pieces) ? buildEntityIndex(database) : null;
        const board = PieceBoard.create(helpers.length + 1, pieces.length);
        const jobs = helpers.map((helper, index) => {
          const job = helper.compute({ databasePath, scope, pieces, board: board.cells, threads: board.threads, slot: index + 1, entities });
          // A discarded or failed helper job must not surface as an unhandled rejection.
          job.catch(() => undefined);
          return job;
        });
        // Per helper slot: true once it is known to read this snapshot, false once known not to.
        const sameSnapshot: (boolean | undefined)[] = [];
        const judgeHelpers = () => {
          for (let slot = 1; slot < board.threads; slot++) {
            if (sameSnapshot[slot] === undefined && board.hasBegun(slot)) {
              sameSnapshot[slot] = watcher.pragma('data_version', { simple: true }) === versionBefore;
            }
          }
        };
        const results: PieceResult[] = [];
        for (;;) {
          judgeHelpers();
          const piece = board.claim(0);
          if (piece < 0) break;
          results[piece] = computePiece(database, scope, pieces[piece]!, entities);
        }
        judgeHelpers();
        const byKey = new Map<string, PieceResult>();
        const scan = new DatabaseScan(database, scope, byKey, null);
        // The helpers may still be computing their last pieces: read the rest meanwhile.
        scan.prepare();
        await Promise.all(
          jobs.map(async (job, index) => {
            const slot = index + 1;
            if (!pieces.some((_piece, piece) => board.ownerOf(piece) === slot)) return;
            try {
              const computed = await job;
              if (sameSnapshot[slot] !== true) return;
              for (const [piece, result] of computed) if (board.ownerOf(piece) === slot) results[piece] = result;
            } catch {
              // The helper failed: the pieces it owed are computed below, in this snapshot.
            }
          }),
        );
        pieces.forEach((piece, index) => {
          results[index] ??= computePiece(database, scope, piece, entities);
        });
        for (const [key, result] of piecesByKey(pieces, results)) byKey.set(key, result);
        return scan.run().result;
      } finally {
        database.exec('COMMIT');
      }
    } finally {
      watcher.close();
    }
  } finally {
    database.close();
  }
}

/**
 * A helper's part of a shared scan: opens its own read transaction on `databasePath`, marks its `slot` on the
 * board once its snapshot is fixed, then claims and computes pieces until none is left; answers the pieces it
 * computed by index.
 */
export function computeClaimedPieces(job: SharedScanJob): [number, PieceResult][] {
  const board = PieceBoard.of(job.board, job.threads);
  const database = openReadOnly(job.databasePath, HELPER_CACHE_KIB);
  try {
    database.exec('BEGIN');
    try {
      database.prepare('SELECT count(*) FROM sqlite_master').get();
      board.markBegun(job.slot);
      const computed: [number, PieceResult][] = [];
      for (let piece = board.claim(job.slot); piece >= 0; piece = board.claim(job.slot)) {
        computed.push([piece, computePiece(database, job.scope, job.pieces[piece]!, job.entities)]);
      }
      return computed;
    } finally {
      database.exec('COMMIT');
    }
  } finally {
    database.close();
  }
}

/**
 * Page caches of the check connections, in KiB. A scan reads each table page once, in order, so the operating
 * system's file cache serves it as well as a large page cache would; what a check thread's cache holds stays
 * resident while the thread is kept, so they are small (the scanning thread's also serves the issue lookups).
 */
const SCAN_CACHE_KIB = 16 * 1024;
const HELPER_CACHE_KIB = 8 * 1024;

/** A read-only connection for a check (worker threads, helper threads). */
export function openReadOnly(databasePath: string, cacheKib = SCAN_CACHE_KIB): Database.Database {
  const database = new Database(databasePath, { readonly: true, fileMustExist: true });
  database.pragma('busy_timeout = 5000');
  database.pragma(`cache_size = -${cacheKib}`);
  return database;
}

/** A kept issue before its ids are read (only kept issues cost a lookup). */
interface PendingIssue {
  category: Category;
  kind: 'entity' | 'connection' | 'event' | 'knowledge';
  rowid: number;
  fields?: string[];
  entityType?: string;
}

/**
 * One scan. References are resolved with sorted joins over covering indexes (connections by from-id against
 * the entity id index, and so on), which SQLite answers with sequential page reads; the results come back as
 * compact lists of rowids, so the JavaScript side works on typed arrays indexed by rowid, never on id strings.
 */
class DatabaseScan {
  private readonly naming: Naming;
  private readonly selected: Set<Category>;
  private readonly tally: Tally;
  /** Per-group counts by group index (with `perGroup`), else null. */
  private readonly groups: (QualityCounts | undefined)[] | null;
  /** Group id strings by group index (index 0: no group). */
  private readonly groupNames: (string | null)[] = [null];
  private readonly groupIndex = new Map<string, number>();
  private readonly scopeGroup: number;
  private readonly pending: PendingIssue[] = [];
  private readonly keptPerCategory = new Map<Category, number>();
  /** SQL condition (with a trailing AND) and its arguments restricting a query to the scope's group, if any. */
  private readonly inGroup: string;
  private readonly groupArgs: string[];
  /** The entity index for platform-wide reference pieces computed here (built on first need; null: unusable). */
  private entities: EntityIndex | null | undefined;
  /** Row groups read so far, by table and kind (see `rowGroups`), and the events' ages once read. */
  private readonly rowGroupsRead = new Map<string, Int32Array>();
  private ages: Uint8Array | undefined;

  constructor(
    private readonly database: Database.Database,
    private readonly scope: CheckScope,
    /** Pieces computed ahead (possibly by a helper thread); missing ones are computed on demand. */
    private readonly pieces: Map<string, PieceResult>,
    /** Only this window of one table (null: every table of the scope, whole). */
    private readonly window: ScanWindow | null,
  ) {
    this.naming = readNaming(database);
    this.selected = new Set(scope.categories);
    this.tally = createTally(scope.issueLimit);
    this.groups = scope.perGroup ? [] : null;
    this.scopeGroup = scope.groupId === null ? NO_ROW : this.intern(scope.groupId);
    this.inGroup = scope.groupId === null ? '' : 'group_id = ? AND ';
    this.groupArgs = scope.groupId === null ? [] : [scope.groupId];
  }

  /**
   * Reads what the steps need besides the pieces (each table's rows and groups, the events' ages), so a caller
   * can do it while other threads still compute pieces; `run` reads it itself otherwise.
   */
  prepare(): void {
    const tables = new Set(scanTablesOf(this.scope).filter((table) => this.window === null || table === this.window.table));
    const crossGroup = this.selected.has('crossGroup') && (tables.has('connections') || tables.has('events'));
    if (tables.has('entities') || crossGroup) this.rowGroups('entities', crossGroup);
    if (tables.has('connections')) this.rowGroups('connections', false);
    if (tables.has('events')) this.eventAges(this.rowGroups('events', false).length);
    if (tables.has('knowledge')) this.rowGroups('knowledge', false);
  }

  run(): WindowScanResult {
    const tables = new Set(scanTablesOf(this.scope).filter((table) => this.window === null || table === this.window.table));
    const crossGroup = this.selected.has('crossGroup') && (tables.has('connections') || tables.has('events'));
    const entityGroup = tables.has('entities') || crossGroup ? this.rowGroups('entities', crossGroup) : new Int32Array(1).fill(NO_ROW);
    let more = false;
    if (tables.has('entities')) more = this.scanEntities(entityGroup);
    if (tables.has('connections')) more = this.scanConnections(entityGroup);
    if (tables.has('events')) more = this.scanEvents(entityGroup);
    if (tables.has('knowledge')) more = this.scanKnowledge();
    this.materializeIssues();
    if (this.groups === null) return { result: { tally: this.tally }, more };
    const groups: GroupCounts[] = [];
    this.groups.forEach((counts, index) => {
      if (counts) groups.push({ groupId: this.groupNames[index]!, counts });
    });
    groups.sort(byGroupId);
    return { result: { tally: this.tally, groups }, more };
  }

  /**
   * The rowids a step visits: all of its table (1…max), or the window's; and whether the table has rows after
   * them (only ever true for a window).
   */
  private bounds(maxRowid: number): { first: number; last: number; more: boolean } {
    if (this.window === null) return { first: 1, last: maxRowid, more: false };
    const last = Math.min(maxRowid, this.window.afterRowid + this.window.limit);
    return { first: this.window.afterRowid + 1, last, more: last < maxRowid };
  }

  private intern(groupId: string): number {
    let index = this.groupIndex.get(groupId);
    if (index === undefined) {
      index = this.groupNames.length;
      this.groupNames.push(groupId);
      this.groupIndex.set(groupId, index);
    }
    return index;
  }

  /** Each row's own group index by rowid (`NO_ROW` where no row has that rowid), from the group_id index. */
  private ownGroups(table: 'entities' | 'connections' | 'events' | 'knowledge'): Int32Array {
    const maxRowid = maxRowidOf(this.database, table);
    const groupOf = new Int32Array(maxRowid + 1).fill(NO_ROW);
    const rows = this.database
      .prepare(`SELECT group_id, group_concat(rowid) FROM ${table} INDEXED BY ${table}_by_group GROUP BY group_id`)
      .raw(true)
      .all() as [string | null, string][];
    for (const [groupId, rowids] of rows) {
      const index = groupId === null ? NO_GROUP : this.intern(groupId);
      forEachInteger(rowids, (rowid) => {
        groupOf[rowid] = index;
      });
    }
    return groupOf;
  }

  /**
   * Each row's group index by rowid, reading only what the scan needs: real groups when asked for (entity groups
   * for the cross-group check) or for per-group counts; for a group scope only that group's rows (through the
   * group index); platform-wide just which rows exist and which have no groupId (`SOME_GROUP` for the rest).
   */
  private rowGroups(table: 'entities' | 'connections' | 'events' | 'knowledge', realGroups: boolean): Int32Array {
    const key = `${table}:${realGroups}`;
    let groupOf = this.rowGroupsRead.get(key);
    if (groupOf === undefined) {
      groupOf = this.readRowGroups(table, realGroups);
      this.rowGroupsRead.set(key, groupOf);
    }
    return groupOf;
  }

  private readRowGroups(table: 'entities' | 'connections' | 'events' | 'knowledge', realGroups: boolean): Int32Array {
    if (realGroups || this.groups !== null) return this.ownGroups(table);
    const maxRowid = maxRowidOf(this.database, table);
    if (this.scope.groupId !== null) {
      const groupOf = new Int32Array(maxRowid + 1).fill(NO_ROW);
      const rowids = this.database.prepare(`SELECT group_concat(rowid) FROM ${table} WHERE group_id = ?`).pluck().get(this.scope.groupId);
      forEachInteger(rowids as string | null, (rowid) => {
        groupOf[rowid] = this.scopeGroup;
      });
      return groupOf;
    }
    const groupOf = new Int32Array(maxRowid + 1).fill(SOME_GROUP);
    groupOf[0] = NO_ROW;
    const rows = this.database.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    // Rowids are unique positive integers, so count = max means every rowid 1…max is a row; otherwise list them.
    if (rows !== maxRowid) {
      groupOf.fill(NO_ROW);
      forEachInteger(this.database.prepare(`SELECT group_concat(rowid) FROM ${table}`).pluck().get() as string | null, (rowid) => {
        groupOf[rowid] = SOME_GROUP;
      });
    }
    const withoutGroup = this.database.prepare(`SELECT group_concat(rowid) FROM ${table} WHERE group_id IS NULL`).pluck().get();
    forEachInteger(withoutGroup as string | null, (rowid) => {
      groupOf[rowid] = NO_GROUP;
    });
    return groupOf;
  }

  /**
   * Per event rowid (`length` slots): 0: not older than a year (or no numeric timestamp, or no metric counts
   * asked for), 1: older, 2: older and archived.
   */
  private eventAges(length: number): Uint8Array {
    if (this.ages !== undefined) return this.ages;
    const age = new Uint8Array(length);
    if (this.scope.metricCounts !== false) {
      const rows = this.database
        .prepare(`SELECT archived, group_concat(rowid) FROM events WHERE ${this.inGroup}timestamp < ? GROUP BY archived`)
        .raw(true)
        .all(...this.groupArgs, this.scope.now - ARCHIVAL_AGE_MS) as [number, string][];
      for (const [archived, rowids] of rows) {
        const mark = archived === 1 ? 2 : 1;
        forEachInteger(rowids, (rowid) => {
          age[rowid] = mark;
        });
      }
    }
    this.ages = age;
    return age;
  }

  /** A piece: computed ahead, or now. */
  private piece<T extends PieceResult>(piece: ScanPiece): T {
    const computed = this.pieces.get(pieceKey(piece));
    if (computed !== undefined) return computed as T;
    if (piece.kind === 'references' && this.scope.groupId === null && this.entities === undefined) this.entities = buildEntityIndex(this.database);
    return computePiece(this.database, this.scope, piece, this.entities ?? null) as T;
  }

  private inScope(group: number): boolean {
    return group !== NO_ROW && (this.scopeGroup === NO_ROW || group === this.scopeGroup);
  }

  /** Adds one to a count of the scope and, with per-group counts, of the record's own group. */
  private bump(field: CountField, group: number): void {
    this.tally.counts[field]++;
    if (this.groups !== null && group > NO_GROUP) {
      let counts = this.groups[group];
      if (!counts) {
        counts = emptyCounts();
        this.groups[group] = counts;
      }
      counts[field]++;
    }
  }

  /** Counts an issue and remembers it when its category still has room. */
  private flag(field: CountField, group: number, issue: PendingIssue): void {
    this.bump(field, group);
    const kept = this.keptPerCategory.get(issue.category) ?? 0;
    if (kept < this.scope.issueLimit) {
      this.keptPerCategory.set(issue.category, kept + 1);
      this.pending.push(issue);
    }
  }

  // Step 1: entities.
  private scanEntities(entityGroup: Int32Array): boolean {
    const metricCounts = this.scope.metricCounts !== false;
    const v1 = metricCounts ? this.piece<Uint8Array>({ kind: 'v1' }) : null;
    const missing = this.selected.has('missingGroupId');
    const { first, last, more } = this.bounds(entityGroup.length - 1);
    for (let rowid = first; rowid <= last; rowid++) {
      const group = entityGroup[rowid]!;
      if (!this.inScope(group)) continue;
      this.bump('entities', group);
      if (v1 !== null && v1[rowid] === 1) this.bump('v1Entities', group);
      if (missing && group === NO_GROUP) this.flag('entitiesMissingGroupId', group, { category: 'missingGroupId', kind: 'entity', rowid });
    }
    if (!this.selected.has('malformedProperties')) return more;
    for (const [rowid, type, fields] of this.piece<[number, string, string[]][]>({ kind: 'malformed' })) {
      const group = entityGroup[rowid]!;
      if (rowid < first || rowid > last || !this.inScope(group)) continue;
      this.flag('malformedProperties', group, { category: 'malformedProperties', kind: 'entity', rowid, fields, entityType: type });
    }
    return more;
  }

  // Step 2: connections.
  private scanConnections(entityGroup: Int32Array): boolean {
    const ownGroup = this.rowGroups('connections', false);
    const { first, last, more } = this.bounds(ownGroup.length - 1);
    const resolve = this.selected.has('orphaned') || this.selected.has('crossGroup');
    const fromEntity = resolve ? this.piece<Int32Array>({ kind: 'references', column: 'connections.from_id' }) : null;
    const toEntity = resolve ? this.piece<Int32Array>({ kind: 'references', column: 'connections.to_id' }) : null;
    const inverted = this.selected.has('invalidMetadata') ? this.piece<Uint8Array>({ kind: 'inverted' }) : null;
    const orphaned = this.selected.has('orphaned');
    const crossGroup = this.selected.has('crossGroup');
    const missing = this.selected.has('missingGroupId');
    for (let rowid = first; rowid <= last; rowid++) {
      const group = ownGroup[rowid]!;
      if (!this.inScope(group)) continue;
      this.bump('connections', group);
      if (missing && group === NO_GROUP) this.flag('connectionsMissingGroupId', group, { category: 'missingGroupId', kind: 'connection', rowid });
      if (fromEntity !== null && toEntity !== null) {
        const from = fromEntity[rowid]!;
        const to = toEntity[rowid]!;
        if (from <= 0 || to <= 0) {
          if (orphaned) this.flag('orphanedConnections', group, { category: 'orphaned', kind: 'connection', rowid });
        } else if (crossGroup) {
          const fromGroup = entityGroup[from]!;
          const toGroup = entityGroup[to]!;
          if (fromGroup !== NO_GROUP && toGroup !== NO_GROUP && fromGroup !== toGroup) {
            this.flag('crossGroupConnections', group, { category: 'crossGroup', kind: 'connection', rowid });
          }
        }
      }
      if (inverted !== null && inverted[rowid] === 1) this.flag('invalidMetadataConnections', group, { category: 'invalidMetadata', kind: 'connection', rowid });
    }
    return more;
  }

  // Step 3: events.
  private scanEvents(entityGroup: Int32Array): boolean {
    const ownGroup = this.rowGroups('events', false);
    const { first, last, more } = this.bounds(ownGroup.length - 1);
    const crossGroup = this.selected.has('crossGroup');
    const actorEntity = crossGroup ? this.piece<Int32Array>({ kind: 'references', column: 'events.actor_id' }) : null;
    const targetEntity = crossGroup ? this.piece<Int32Array>({ kind: 'references', column: 'events.target_id' }) : null;
    const age = this.eventAges(ownGroup.length);
    const invalidPayments = new Map<number, string[]>(
      this.selected.has('invalidMetadata') ? this.piece<[number, string[]][]>({ kind: 'payments' }) : [],
    );
    const missing = this.selected.has('missingGroupId');
    for (let rowid = first; rowid <= last; rowid++) {
      const group = ownGroup[rowid]!;
      if (!this.inScope(group)) continue;
      this.bump('events', group);
      if (age[rowid] !== 0) {
        this.bump('eventsOlderThanYear', group);
        if (age[rowid] === 2) this.bump('archivedEventsOlderThanYear', group);
      }
      if (missing && group === NO_GROUP) this.flag('eventsMissingGroupId', group, { category: 'missingGroupId', kind: 'event', rowid });
      if (actorEntity !== null && targetEntity !== null) {
        const actor = actorEntity[rowid]!;
        const target = targetEntity[rowid]!;
        if (actor > 0 && target > 0) {
          const actorGroup = entityGroup[actor]!;
          const targetGroup = entityGroup[target]!;
          if (actorGroup !== NO_GROUP && targetGroup !== NO_GROUP && actorGroup !== targetGroup) {
            this.flag('crossGroupEvents', group, { category: 'crossGroup', kind: 'event', rowid });
          }
        }
      }
      const problems = invalidPayments.get(rowid);
      if (problems) this.flag('invalidMetadataEvents', group, { category: 'invalidMetadata', kind: 'event', rowid, fields: problems });
    }
    return more;
  }

  // Step 4: knowledge.
  private scanKnowledge(): boolean {
    const ownGroup = this.rowGroups('knowledge', false);
    const { first, last, more } = this.bounds(ownGroup.length - 1);
    const sourceEntity = this.piece<Int32Array>({ kind: 'references', column: 'knowledge.source_id' });
    const orphaned = this.selected.has('orphaned');
    const missing = this.selected.has('missingGroupId');
    for (let rowid = first; rowid <= last; rowid++) {
      const group = ownGroup[rowid]!;
      if (!this.inScope(group)) continue;
      this.bump('knowledge', group);
      if (missing && group === NO_GROUP) this.flag('knowledgeMissingGroupId', group, { category: 'missingGroupId', kind: 'knowledge', rowid });
      const source = sourceEntity[rowid]!;
      if (source !== NO_REFERENCE) {
        this.bump('knowledgeWithSource', group);
        if (orphaned && source === 0) {
          this.flag('orphanedKnowledge', group, { category: 'orphaned', kind: 'knowledge', rowid });
        }
      }
    }
    return more;
  }

  /**
   * Reads the kept issues' records and builds each issue with the shared pure builders, judging references
   * again with the shared rules (only kept issues cost these lookups). A rule that disagrees with the SQL
   * counts is a bug in this scan, reported as such rather than as a wrong issue.
   */
  private materializeIssues(): void {
    const context: IssueContext = { naming: this.naming, v1MigrationCompleted: this.scope.v1MigrationCompleted };
    const entityRow = this.database.prepare('SELECT id, group_id FROM entities WHERE rowid = ?').raw(true);
    const connectionRow = this.database.prepare('SELECT id, group_id, from_id, to_id FROM connections WHERE rowid = ?').raw(true);
    const eventRow = this.database.prepare('SELECT id, group_id, actor_id, target_id FROM events WHERE rowid = ?').raw(true);
    const knowledgeRow = this.database.prepare('SELECT id, group_id, source_id FROM knowledge WHERE rowid = ?').raw(true);
    const entityById = this.database.prepare('SELECT group_id FROM entities WHERE id = ?').raw(true);
    const lookupEntity: EntityLookup = (id) => {
      const row = entityById.get(id) as [string | null] | undefined;
      return row === undefined ? null : { groupId: row[0] };
    };
    const disagree = (record: IssueRecord, category: Category): never => {
      throw new Error(`The SQLite check scan and the shared ${category} rule disagree on ${record.table} ${record.id}.`);
    };
    for (const pending of this.pending) {
      const { category, rowid } = pending;
      if (pending.kind === 'entity') {
        const [id, groupId] = entityRow.get(rowid) as [string, string | null];
        const record: IssueRecord = { table: 'entities', id, groupId };
        if (category === 'missingGroupId') keepIssue(this.tally, missingGroupIdIssue(record, context));
        else keepIssue(this.tally, malformedPropertiesIssue(record, pending.entityType ?? '', pending.fields ?? [], context));
      } else if (pending.kind === 'connection') {
        const [id, groupId, fromId, toId] = connectionRow.get(rowid) as [string, string | null, string | null, string | null];
        const record: IssueRecord = { table: 'connections', id, groupId };
        const endpoints = { fromId, toId };
        if (category === 'missingGroupId') keepIssue(this.tally, missingGroupIdIssue(record, context));
        else if (category === 'invalidMetadata') keepIssue(this.tally, invertedValidityIssue(record, context));
        else {
          const verdict = classifyConnection(endpoints, lookupEntity);
          if (verdict.kind === 'orphaned' && category === 'orphaned') {
            keepIssue(this.tally, orphanedConnectionIssue(record, endpoints, verdict.missing, context));
          } else if (verdict.kind === 'crossGroup' && category === 'crossGroup') {
            keepIssue(this.tally, crossGroupConnectionIssue(record, endpoints, verdict, context));
          } else disagree(record, category);
        }
      } else if (pending.kind === 'event') {
        const [id, groupId, actorId, targetId] = eventRow.get(rowid) as [string, string | null, string | null, string | null];
        const record: IssueRecord = { table: 'events', id, groupId };
        if (category === 'missingGroupId') keepIssue(this.tally, missingGroupIdIssue(record, context));
        else if (category === 'invalidMetadata') keepIssue(this.tally, invalidPaymentMetadataIssue(record, pending.fields ?? [], context));
        else {
          const references = { actorId, targetId };
          const verdict = classifyEvent(references, lookupEntity);
          if (verdict.kind !== 'crossGroup') disagree(record, category);
          else keepIssue(this.tally, crossGroupEventIssue(record, references, verdict, context));
        }
      } else {
        const [id, groupId, sourceId] = knowledgeRow.get(rowid) as [string, string | null, string | null];
        const record: IssueRecord = { table: 'knowledge', id, groupId };
        if (category === 'missingGroupId') keepIssue(this.tally, missingGroupIdIssue(record, context));
        else if (sourceId !== null && isOrphanedSource(sourceId, lookupEntity)) keepIssue(this.tally, orphanedKnowledgeIssue(record, sourceId, context));
        else disagree(record, category);
      }
    }
  }
}

/** Runs a task against a database synchronously (what the worker does, and the in-process path). */
export function runCheckTask(database: Database.Database, task: CheckTask): CheckTaskResult {
  if (task.kind !== 'scan') return null;
  if (task.window !== null) return scanDatabaseWindow(database, task.scope, task.window);
  return { result: scanDatabase(database, task.scope), more: false };
}
