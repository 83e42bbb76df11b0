/**
 * The SQLite implementation of the check port, run in one read transaction (a consistent snapshot).
 *
 * A reference ("does this id name an entity, and of which group?") is resolved by a sorted join: SQLite walks
 * e.g. the connections-by-from-id index in id order and probes the entity id index in the same order, so both
 * are read sequentially. The join answers with a compact list of rowids; the JavaScript side then works on
 * typed arrays indexed by rowid (record → referenced entity → its group), never on id strings. Random lookups
 * (a JS Map of ids, or SQL joins in table order) cost several times more on a million records. A group scope
 * reads only the group's rows through the group indexes. Only entities whose type has a property rule have
 * their `properties` read, and only payment events their `metadata`. `SqliteCheckStore` runs the scan in a
 * worker thread with its own read-only connection, so the caller's event loop stays free; platform-wide, a
 * helper thread computes some of the heavy pieces (`plannedPieces`) from the same snapshot meanwhile.
 *
 * Limits: each reference list is one string, so a table should stay under ~30 million rows (V8's string size
 * limit); rowids are expected to be dense-ish (one typed-array slot per rowid up to the largest).
 */
import Database from 'better-sqlite3';
import { namingFor, type Naming, type NamingGeneration } from '../../ontology/naming.ts';
import { severityOf, type Category } from '../../quality/categories.ts';
import { ARCHIVAL_AGE_MS } from '../../quality/metrics.ts';
import type { CheckScope, CheckStore, ScanResult, VersionCounts } from '../../quality/port.ts';
import { malformedPropertyFields, PAYMENT_EVENT_TYPE, paymentMetadataProblems, RULED_ENTITY_TYPES } from '../../quality/rules.ts';
import { createTally, emptyCounts, keepIssue, type QualityCounts, type QualityIssue, type Tally } from '../../quality/tally.ts';
import { META_KEYS, type SqliteStore } from './sqlite-store.ts';
import { runCheckTaskInWorker, type PieceHelper } from './check-workers.ts';

export { runCheckTaskInWorker, stopCheckWorker, warmUpCheckWorker } from './check-workers.ts';

/** A unit of work the check worker can run. */
export type CheckTask =
  | { kind: 'scan'; scope: CheckScope }
  | { kind: 'versions'; groupId: string | null }
  /** Answers once the worker (and its helper) can take work. */
  | { kind: 'ready' };

/** The result of a `CheckTask`. */
export type CheckTaskResult = ScanResult | VersionCounts | null;

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
 * so a helper thread can compute some pieces while the scanning thread computes the others.
 */
export type ScanPiece =
  | { kind: 'references'; column: ReferenceColumn }
  | { kind: 'malformed' }
  | { kind: 'payments' }
  | { kind: 'v1' }
  | { kind: 'inverted' };

/**
 * What a piece computes: per-rowid arrays (references: referenced entity rowid; v1 / inverted: flags), or the
 * failing records (malformed: `[rowid, type, fields]`; payments: `[rowid, fields]`).
 */
export type PieceResult = Int32Array | Uint8Array | [number, string, string[]][] | [number, string[]][];

function pieceKey(piece: ScanPiece): string {
  return piece.kind === 'references' ? `references:${piece.column}` : piece.kind;
}

function maxRowidOf(database: Database.Database, table: string): number {
  return (database.prepare(`SELECT ifnull(max(rowid), 0) FROM ${table}`).pluck().get() as number) | 0;
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
 * `NO_REFERENCE` when the column is empty. Platform-wide, rows are grouped by the referenced id first, so each
 * distinct id is looked up once, in index order; a group scope reads only the group's rows (through the group
 * index) and looks their ids up one by one, which beats walking the whole reference index.
 */
function referencedEntities(database: Database.Database, scope: CheckScope, column: ReferenceColumn): Int32Array {
  const [table, field] = column.split('.') as [string, string];
  const entityOf = new Int32Array(maxRowidOf(database, table) + 1).fill(NO_REFERENCE);
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

/** Computes one piece of a scan on a connection (inside the caller's read transaction). */
export function computePiece(database: Database.Database, scope: CheckScope, piece: ScanPiece): PieceResult {
  const inGroup = scope.groupId === null ? '' : 'group_id = ? AND ';
  const groupArgs = scope.groupId === null ? [] : [scope.groupId];
  switch (piece.kind) {
    case 'references':
      return referencedEntities(database, scope, piece.column);
    case 'v1':
      return flagsWhere(database, 'entities', `SELECT group_concat(rowid) FROM entities WHERE ${inGroup}schema_version >= 1`, groupArgs);
    case 'inverted':
      return flagsWhere(database, 'connections', `SELECT group_concat(rowid) FROM connections WHERE ${inGroup}valid_to < valid_from`, groupArgs);
    case 'malformed': {
      const malformed: [number, string, string[]][] = [];
      const rows = database
        .prepare(`SELECT rowid, type, doc -> '$.properties' FROM entities WHERE ${inGroup}type IN (${sqlList(RULED_ENTITY_TYPES)}) ORDER BY rowid`)
        .raw(true)
        .iterate(...groupArgs) as IterableIterator<[number, string, string | null]>;
      for (const [rowid, type, properties] of rows) {
        const fields = malformedPropertyFields(type, parseJsonOrNull(properties));
        if (fields.length > 0) malformed.push([rowid, type, fields]);
      }
      return malformed;
    }
    case 'payments': {
      const invalid: [number, string[]][] = [];
      const rows = database
        .prepare(`SELECT rowid, doc -> '$.metadata' FROM events WHERE ${inGroup}type = '${PAYMENT_EVENT_TYPE}' ORDER BY rowid`)
        .raw(true)
        .iterate(...groupArgs) as IterableIterator<[number, string | null]>;
      for (const [rowid, metadata] of rows) {
        const problems = paymentMetadataProblems(parseJsonOrNull(metadata));
        if (problems.length > 0) invalid.push([rowid, problems]);
      }
      return invalid;
    }
  }
}

/**
 * The pieces a scan of `scope` needs, split into those the scanning thread computes itself and those a helper
 * thread may compute meanwhile (platform-wide scans only: a group scope is fast on its own). The split balances
 * the two threads on the bench store: the helper takes the to-side references and either the property rules
 * or, without them, the event targets.
 */
export function plannedPieces(scope: CheckScope): { local: ScanPiece[]; helper: ScanPiece[] } {
  const selected = new Set(scope.categories);
  const resolveConnections = selected.has('orphaned') || selected.has('crossGroup');
  const resolveEvents = selected.has('crossGroup');
  const local: ScanPiece[] = [];
  const helper: ScanPiece[] = [];
  if (resolveConnections) local.push({ kind: 'references', column: 'connections.from_id' });
  if (resolveEvents) local.push({ kind: 'references', column: 'events.actor_id' });
  local.push({ kind: 'references', column: 'knowledge.source_id' });
  if (selected.has('invalidMetadata')) local.push({ kind: 'payments' }, { kind: 'inverted' });
  if (scope.metricCounts !== false) local.push({ kind: 'v1' });
  if (resolveConnections) helper.push({ kind: 'references', column: 'connections.to_id' });
  // The property rules are the heaviest piece; with them, the helper has enough without the event targets.
  const targets: ScanPiece = { kind: 'references', column: 'events.target_id' };
  if (resolveEvents) (selected.has('malformedProperties') ? local : helper).push(targets);
  if (selected.has('malformedProperties')) helper.push({ kind: 'malformed' });
  return scope.groupId === null ? { local, helper } : { local: [...local, ...helper], helper: [] };
}

/** Runs the checks of `scope` over a database synchronously, in one read transaction. */
export function scanDatabase(database: Database.Database, scope: CheckScope): ScanResult {
  return database.transaction(() => new DatabaseScan(database, scope, new Map()).run())();
}

/**
 * Runs the checks of `scope` over a database file with its own read-only connection, computing the helper's
 * share of the pieces in the helper thread when one is given. Both threads must read the same snapshot: the
 * scanning thread opens its read transaction first, the helper opens its own, and a third connection's
 * `data_version` taken before and after shows whether any write committed in between; if one did, the
 * scanning thread computes everything itself.
 */
export async function scanDatabaseFile(databasePath: string, scope: CheckScope, helper: PieceHelper | null): Promise<ScanResult> {
  const database = openReadOnly(databasePath);
  try {
    const plan = plannedPieces(scope);
    if (helper === null || plan.helper.length === 0) return scanDatabase(database, scope);
    const watcher = openReadOnly(databasePath);
    try {
      const versionBefore = watcher.pragma('data_version', { simple: true });
      database.exec('BEGIN');
      try {
        // The first read fixes the transaction's snapshot.
        database.prepare('SELECT count(*) FROM sqlite_master').get();
        const job = helper.compute(databasePath, scope, plan.helper);
        // A discarded or failed helper job must not surface as an unhandled rejection.
        job.results.catch(() => undefined);
        let helperResults: Promise<PieceResult[]> | null = job.results;
        try {
          await job.begun;
        } catch {
          helperResults = null;
        }
        if (watcher.pragma('data_version', { simple: true }) !== versionBefore) helperResults = null;
        const pieces = new Map<string, PieceResult>();
        for (const piece of plan.local) pieces.set(pieceKey(piece), computePiece(database, scope, piece));
        if (helperResults !== null) {
          try {
            const results = await helperResults;
            plan.helper.forEach((piece, index) => pieces.set(pieceKey(piece), results[index]!));
          } catch {
            // The helper failed: the pieces it owed are computed below, in this snapshot.
          }
        }
        return new DatabaseScan(database, scope, pieces).run();
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

/** A read-only connection for a check (worker threads, helper threads). */
export function openReadOnly(databasePath: string): Database.Database {
  const database = new Database(databasePath, { readonly: true, fileMustExist: true });
  database.pragma('busy_timeout = 5000');
  database.pragma('cache_size = -65536');
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

  constructor(
    private readonly database: Database.Database,
    private readonly scope: CheckScope,
    /** Pieces computed ahead (possibly by a helper thread); missing ones are computed on demand. */
    private readonly pieces: Map<string, PieceResult>,
  ) {
    this.naming = readNaming(database);
    this.selected = new Set(scope.categories);
    this.tally = createTally(scope.issueLimit);
    this.groups = scope.perGroup ? [] : null;
    this.scopeGroup = scope.groupId === null ? NO_ROW : this.intern(scope.groupId);
    this.inGroup = scope.groupId === null ? '' : 'group_id = ? AND ';
    this.groupArgs = scope.groupId === null ? [] : [scope.groupId];
  }

  run(): ScanResult {
    const entityGroup = this.rowGroups('entities', this.selected.has('crossGroup'));
    this.scanEntities(entityGroup);
    this.scanConnections(entityGroup);
    this.scanEvents(entityGroup);
    this.scanKnowledge();
    this.materializeIssues();
    if (this.groups === null) return { tally: this.tally };
    const groups: Record<string, QualityCounts> = {};
    this.groups.forEach((counts, index) => {
      if (counts) groups[this.groupNames[index]!] = counts;
    });
    return { tally: this.tally, groups };
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

  /** A piece: computed ahead, or now. */
  private piece<T extends PieceResult>(piece: ScanPiece): T {
    return (this.pieces.get(pieceKey(piece)) ?? computePiece(this.database, this.scope, piece)) as T;
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
  private scanEntities(entityGroup: Int32Array): void {
    const metricCounts = this.scope.metricCounts !== false;
    const v1 = metricCounts ? this.piece<Uint8Array>({ kind: 'v1' }) : null;
    const missing = this.selected.has('missingGroupId');
    for (let rowid = 1; rowid < entityGroup.length; rowid++) {
      const group = entityGroup[rowid]!;
      if (!this.inScope(group)) continue;
      this.bump('entities', group);
      if (v1 !== null && v1[rowid] === 1) this.bump('v1Entities', group);
      if (missing && group === NO_GROUP) this.flag('entitiesMissingGroupId', group, { category: 'missingGroupId', kind: 'entity', rowid });
    }
    if (!this.selected.has('malformedProperties')) return;
    for (const [rowid, type, fields] of this.piece<[number, string, string[]][]>({ kind: 'malformed' })) {
      const group = entityGroup[rowid]!;
      if (!this.inScope(group)) continue;
      this.flag('malformedProperties', group, { category: 'malformedProperties', kind: 'entity', rowid, fields, entityType: type });
    }
  }

  // Step 2: connections.
  private scanConnections(entityGroup: Int32Array): void {
    const ownGroup = this.rowGroups('connections', false);
    const maxRowid = ownGroup.length - 1;
    const resolve = this.selected.has('orphaned') || this.selected.has('crossGroup');
    const fromEntity = resolve ? this.piece<Int32Array>({ kind: 'references', column: 'connections.from_id' }) : null;
    const toEntity = resolve ? this.piece<Int32Array>({ kind: 'references', column: 'connections.to_id' }) : null;
    const inverted = this.selected.has('invalidMetadata') ? this.piece<Uint8Array>({ kind: 'inverted' }) : null;
    const orphaned = this.selected.has('orphaned');
    const crossGroup = this.selected.has('crossGroup');
    const missing = this.selected.has('missingGroupId');
    for (let rowid = 1; rowid <= maxRowid; rowid++) {
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
  }

  // Step 3: events.
  private scanEvents(entityGroup: Int32Array): void {
    const ownGroup = this.rowGroups('events', false);
    const maxRowid = ownGroup.length - 1;
    const crossGroup = this.selected.has('crossGroup');
    const actorEntity = crossGroup ? this.piece<Int32Array>({ kind: 'references', column: 'events.actor_id' }) : null;
    const targetEntity = crossGroup ? this.piece<Int32Array>({ kind: 'references', column: 'events.target_id' }) : null;
    const metricCounts = this.scope.metricCounts !== false;
    // 0: not older than a year (or no numeric timestamp), 1: older, 2: older and archived.
    const age = new Uint8Array(ownGroup.length);
    if (metricCounts) {
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
    const invalidPayments = new Map<number, string[]>(
      this.selected.has('invalidMetadata') ? this.piece<[number, string[]][]>({ kind: 'payments' }) : [],
    );
    const missing = this.selected.has('missingGroupId');
    for (let rowid = 1; rowid <= maxRowid; rowid++) {
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
  }

  // Step 4: knowledge.
  private scanKnowledge(): void {
    const ownGroup = this.rowGroups('knowledge', false);
    const maxRowid = ownGroup.length - 1;
    const sourceEntity = this.piece<Int32Array>({ kind: 'references', column: 'knowledge.source_id' });
    const orphaned = this.selected.has('orphaned');
    const missing = this.selected.has('missingGroupId');
    for (let rowid = 1; rowid <= maxRowid; rowid++) {
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
  }

  /** Reads the ids of the kept issues and writes their descriptions. */
  private materializeIssues(): void {
    const context = { v1MigrationCompleted: this.scope.v1MigrationCompleted };
    const entitiesTable = this.naming.entitiesTable;
    const { fromField, toField } = this.naming;
    const entityRow = this.database.prepare('SELECT id FROM entities WHERE rowid = ?').pluck();
    const connectionRow = this.database.prepare('SELECT id, from_id, to_id FROM connections WHERE rowid = ?').raw(true);
    const eventRow = this.database.prepare('SELECT id, actor_id, target_id FROM events WHERE rowid = ?').raw(true);
    const knowledgeRow = this.database.prepare('SELECT id, source_id FROM knowledge WHERE rowid = ?').raw(true);
    const groupOfEntity = this.database.prepare('SELECT group_id FROM entities WHERE id = ?').pluck();
    const exists = (id: string | null) => id !== null && groupOfEntity.get(id) !== undefined;
    const groupOf = (id: string | null) => (id === null ? null : ((groupOfEntity.get(id) as string | null | undefined) ?? null));
    for (const pending of this.pending) {
      const { category, rowid } = pending;
      const severity = severityOf(category, context);
      const push = (table: string, recordId: string, description: string, metadata: QualityIssue['metadata']) =>
        keepIssue(this.tally, { category, severity, table, recordId, description, metadata });
      if (pending.kind === 'entity') {
        const id = entityRow.get(rowid) as string;
        if (category === 'missingGroupId') push(entitiesTable, id, `Entity ${id} has no groupId.`, {});
        else {
          const fields = pending.fields ?? [];
          push(entitiesTable, id, `Entity ${id} of type ${pending.entityType} breaks its property rule in ${fields.join(', ')}.`, {
            entityType: pending.entityType ?? null,
            fields,
          });
        }
      } else if (pending.kind === 'connection') {
        const [id, fromId, toId] = connectionRow.get(rowid) as [string, string | null, string | null];
        if (category === 'missingGroupId') push('connections', id, `Connection ${id} has no groupId.`, {});
        else if (category === 'orphaned') {
          const missing: string[] = [];
          if (!exists(fromId)) missing.push(fromField);
          if (!exists(toId)) missing.push(toField);
          push('connections', id, describeOrphanedConnection(id, [[fromField, fromId], [toField, toId]], missing), {
            fromId,
            toId,
            missing,
          });
        } else if (category === 'crossGroup') {
          const fromGroupId = groupOf(fromId);
          const toGroupId = groupOf(toId);
          push('connections', id, `Connection ${id} links entity ${fromId} of group ${fromGroupId} to entity ${toId} of group ${toGroupId}.`, {
            fromId,
            toId,
            fromGroupId,
            toGroupId,
          });
        } else {
          push('connections', id, `Connection ${id} has validTo earlier than validFrom.`, { fields: ['validFrom', 'validTo'] });
        }
      } else if (pending.kind === 'event') {
        const [id, actorId, targetId] = eventRow.get(rowid) as [string, string | null, string | null];
        if (category === 'missingGroupId') push('events', id, `Event ${id} has no groupId.`, {});
        else if (category === 'crossGroup') {
          const actorGroupId = groupOf(actorId);
          const targetGroupId = groupOf(targetId);
          push('events', id, `Event ${id} has actor ${actorId} of group ${actorGroupId} and target ${targetId} of group ${targetGroupId}.`, {
            actorId,
            targetId,
            actorGroupId,
            targetGroupId,
          });
        } else {
          const fields = pending.fields ?? [];
          push('events', id, `Payment event ${id} has missing or invalid metadata ${fields.join(', ')}.`, {
            fields: fields.map((field) => `metadata.${field}`),
          });
        }
      } else {
        const [id, sourceId] = knowledgeRow.get(rowid) as [string, string];
        if (category === 'missingGroupId') push('knowledge', id, `Knowledge record ${id} has no groupId.`, {});
        else {
          push('knowledge', id, `Knowledge record ${id} has sourceThingId ${sourceId}, which names no existing entity.`, {
            sourceThingId: sourceId,
          });
        }
      }
    }
  }
}

/** "Connection C has no fromEntityId; its toEntityId Y names no existing entity." */
function describeOrphanedConnection(id: string, endpoints: [string, string | null][], missing: string[]): string {
  const absent = endpoints.filter(([field, value]) => value === null && missing.includes(field)).map(([field]) => `no ${field}`);
  const dangling = endpoints.filter(([field, value]) => value !== null && missing.includes(field)).map(([field, value]) => `${field} ${value}`);
  const parts: string[] = [];
  if (absent.length > 0) parts.push(`has ${absent.join(' and ')}`);
  if (dangling.length > 0) {
    parts.push(`${absent.length > 0 ? 'its' : 'has'} ${dangling.join(' and ')}, which ${dangling.length > 1 ? 'name' : 'names'} no existing entity`);
  }
  return `Connection ${id} ${parts.join('; ')}.`;
}

/** Entity counts by schema generation, optionally of one group. */
export function versionCountsOf(database: Database.Database, groupId: string | null): VersionCounts {
  const where = groupId === null ? '' : ' WHERE group_id = ?';
  const row = database
    .prepare(`SELECT COUNT(*) AS entities, COUNT(CASE WHEN schema_version >= 1 THEN 1 END) AS v1Entities FROM entities${where}`)
    .get(...(groupId === null ? [] : [groupId])) as VersionCounts;
  return { entities: row.entities, v1Entities: row.v1Entities };
}

/** Runs a task against a database synchronously (what the worker does, and the in-process path). */
export function runCheckTask(database: Database.Database, task: CheckTask): CheckTaskResult {
  if (task.kind === 'scan') return scanDatabase(database, task.scope);
  return task.kind === 'versions' ? versionCountsOf(database, task.groupId) : null;
}

/** Options of `SqliteCheckStore`. */
export interface SqliteCheckStoreOptions {
  /**
   * Run scans in a worker thread (default true). In-process is only for small stores and tests: it blocks the
   * event loop for the whole scan. An in-memory database always runs in-process (a worker cannot open it).
   */
  useWorker?: boolean;
}

/** The check port over a SQLite store. */
export class SqliteCheckStore implements CheckStore {
  private readonly useWorker: boolean;

  constructor(
    private readonly store: SqliteStore,
    options: SqliteCheckStoreOptions = {},
  ) {
    this.useWorker = (options.useWorker ?? true) && !store.database.memory;
  }

  private run(task: CheckTask): Promise<CheckTaskResult> {
    if (this.useWorker) return runCheckTaskInWorker(this.store.database.name, task);
    return Promise.resolve(runCheckTask(this.store.database, task));
  }

  async scanCounts(scope: CheckScope): Promise<ScanResult> {
    return (await this.run({ kind: 'scan', scope })) as ScanResult;
  }

  async versionCounts(groupId: string | null): Promise<VersionCounts> {
    return (await this.run({ kind: 'versions', groupId })) as VersionCounts;
  }

  async groupIds(): Promise<string[]> {
    return (this.store.database.prepare('SELECT id FROM groups ORDER BY id').pluck().all() as string[]);
  }

  async v1MigrationCompleted(): Promise<boolean> {
    return this.store.getMetaSync(META_KEYS.v1MigrationCompletedAt) !== null;
  }
}
