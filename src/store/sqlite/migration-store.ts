/**
 * The SQLite implementation of the `MigrationStore` port (`src/migration/port.ts`): the run registry, batched
 * patches that write their undo journal and checkpoint in the same transaction, the exact undo, and the counts
 * and plan pages of the dry run. Each port method is one SQLite transaction; better-sqlite3 is synchronous, so
 * the service yields to the event loop between steps. Cursors are rowids (records) and journal sequence
 * numbers, written as decimal strings.
 */
import { parseConvexJson, parseDocument, stringifyUniform, type ConvexDocument, type ConvexValue } from '../../ontology/values.ts';
import type { Statement } from 'better-sqlite3';
import { groupIdOf } from '../../ontology/naming.ts';
import { indexedColumns, TABLE_COLUMNS } from './schema.ts';
import { MIGRATION_SCHEMA } from './migration-schema.ts';
import { META_KEYS, type SqliteStore } from './sqlite-store.ts';
import type {
  ApplyBatchInput,
  AuditEvent,
  BatchResult,
  BeginRunInput,
  FinishRestoreInput,
  FinishRunInput,
  FinishUndoInput,
  LeaseFence,
  MarkSupersededInput,
  MigratedTable,
  MigrateTotals,
  MigrationStore,
  NewRun,
  PendingCountPage,
  PlanPage,
  RunKind,
  RunRecord,
  RunState,
  RunUpdate,
  UndoBatchInput,
  UndoBatchResult,
  UndoConflict,
  UndoOutcome,
  UndoTotals,
  V1MarkerChange,
} from '../../migration/port.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { LeaseLostError } from '../../migration/lease.ts';
import { assignGroupId, becomesCrossGroup, classifyUndo, crossGroupOtherSide, ENDPOINT_SOURCES, MIGRATION_EVENT_TYPES, type JournalField } from '../../migration/rules.ts';
import { noCrashPoints, type CrashPoint } from '../../migration/test-hooks.ts';
import { isV1SchemaVersion } from '../../quality/rules.ts';
import { yieldToEventLoop } from './snapshot-load.ts';

export { LeaseLostError } from '../../migration/lease.ts';
export { MIGRATION_EVENT_TYPES } from '../../migration/rules.ts';

/** The float64 1 written as `schemaVersion`. */
const SCHEMA_VERSION_ONE = 1;
const SCHEMA_VERSION_ONE_TEXT = stringifyUniform(SCHEMA_VERSION_ONE);

/** Columns naming the entities a record's groupId comes from, in the order the rules try them. */
const ENDPOINT_COLUMNS: Record<MigratedTable, [string, string]> = {
  entities: ['NULL', 'NULL'],
  connections: ['from_id', 'to_id'],
  events: ['actor_id', 'target_id'],
  knowledge: ['source_id', 'NULL'],
};

/** Rows read per page of a count or plan (one call each; the service yields between calls). */
const SCAN_PAGE_ROWS = 10_000;

/**
 * Records per batch this adapter accepts. One batch is one transaction that blocks the process, so the bound
 * keeps it short (2,000 records take about 50 ms on the reference machine).
 */
const SQLITE_MAX_BATCH = 50_000;

/** SQLite page cache (KiB) of the store's connection while a migration operation runs. */
const MIGRATION_PAGE_CACHE_KIB = 8192;

/** Placeholder for a legacy-default group the run would create: equal to no real id. */
const GROUP_TO_CREATE = '\u0000legacy-default';

/** SQL condition selecting the records of a table the migration changes. */
const PENDING_CONDITION: Record<MigratedTable, string> = {
  entities: '(group_id IS NULL OR schema_version IS NULL OR schema_version < 1)',
  connections: 'group_id IS NULL',
  events: 'group_id IS NULL',
  knowledge: 'group_id IS NULL',
};

interface RunRow {
  id: string;
  kind: RunKind;
  state: RunState;
  actor: string;
  holder: string;
  target_run_id: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
  batch_size: number;
  backup_file: string | null;
  default_group_id: string | null;
  default_group_created: number;
  journal_start: number;
  phase: string | null;
  cursor: number;
  batches: number;
  progress: string;
  plan: string | null;
  result: string | null;
  error: string | null;
}

interface JournalRow {
  seq: number;
  table_name: MigratedTable;
  record_id: string;
  group_id_before: string | null;
  group_id_written: string | null;
  schema_version_before: string | null;
  schema_version_written: string | null;
}

const UPDATE_COLUMNS: Record<keyof RunUpdate, string> = {
  state: 'state',
  holder: 'holder',
  backupFile: 'backup_file',
  defaultGroupId: 'default_group_id',
  defaultGroupCreated: 'default_group_created',
  phase: 'phase',
  cursor: 'cursor',
  batches: 'batches',
  progress: 'progress',
  result: 'result',
  error: 'error',
  finishedAt: 'finished_at',
  updatedAt: 'updated_at',
  plan: 'plan',
};

/** A position as the opaque cursor the port speaks (null: the start). */
function encodePosition(position: number): string | null {
  return position > 0 ? String(position) : null;
}

/** The position an opaque cursor names; a cursor this adapter did not write is refused. */
function decodePosition(cursor: string | null, what = 'cursor'): number {
  if (cursor === null) return 0;
  const position = Number(cursor);
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(position)) {
    throw new InvalidArgumentError(`${what} "${cursor}" is not a cursor of this SQLite store: pass back a cursor the store returned, or null to start.`);
  }
  return position;
}

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    actor: row.actor,
    holder: row.holder,
    targetRunId: row.target_run_id,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    batchSize: row.batch_size,
    backupFile: row.backup_file,
    defaultGroupId: row.default_group_id,
    defaultGroupCreated: row.default_group_created === 1,
    journalStart: encodePosition(row.journal_start),
    phase: row.phase,
    cursor: encodePosition(row.cursor),
    batches: row.batches,
    progress: JSON.parse(row.progress) as RunRecord['progress'],
    plan: row.plan === null ? null : JSON.parse(row.plan),
    result: row.result === null ? null : JSON.parse(row.result),
    error: row.error,
  };
}

function emptyUndoTotals(): UndoTotals {
  return { entries: 0, reverted: 0, partial: 0, conflictCount: 0, missing: 0, byTable: {} };
}

/** A text holding no occurrence of `"field"` cannot have that field at the top level. */
function mentions(text: string, field: string): boolean {
  return text.includes(`"${field}"`);
}

/** Options of the SQLite migration store. */
export interface SqliteMigrationStoreOptions {
  /** Test crash points inside batch transactions (`in-batch:<n>`, `in-undo-batch:<n>`); see test-hooks.ts. */
  crash?: CrashPoint;
  /** Rows (or rowid span) per count and plan page; default 10,000. Tests make it small to cross page bounds. */
  pageRows?: number;
}

/** The migration's operations on one SQLite store. */
export class SqliteMigrationStore implements MigrationStore {
  readonly maxBatchSize = SQLITE_MAX_BATCH;
  private readonly crash: CrashPoint;
  private readonly pageRows: number;

  constructor(
    readonly store: SqliteStore,
    options: SqliteMigrationStoreOptions = {},
  ) {
    store.database.exec(MIGRATION_SCHEMA);
    this.crash = options.crash ?? noCrashPoints;
    this.pageRows = options.pageRows ?? SCAN_PAGE_ROWS;
  }

  private get db() {
    return this.store.database;
  }

  private scopes = 0;
  private previousCacheSize = 0;

  /**
   * Lowers the connection's page cache while a migration operation runs. Each record is read and written about
   * once, so a large cache buys nothing and would keep the process far above its memory budget on a
   * million-record store (measured: peak RSS 436 MB instead of 553 MB, same duration). Scopes nest.
   */
  operationScope(): { end(): void } {
    if (this.scopes++ === 0) {
      this.previousCacheSize = this.db.pragma('cache_size', { simple: true }) as number;
      this.db.pragma(`cache_size = -${MIGRATION_PAGE_CACHE_KIB}`);
    }
    let ended = false;
    return {
      end: () => {
        if (ended) return;
        ended = true;
        if (--this.scopes === 0) this.db.pragma(`cache_size = ${this.previousCacheSize}`);
      },
    };
  }

  /** Runs `work` in one immediate transaction (all or nothing). */
  private transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  // ---- run registry ---------------------------------------------------------------------------------------

  async createRun(run: NewRun): Promise<RunRecord> {
    this.db
      .prepare(
        `INSERT INTO migration_runs (id, kind, state, actor, holder, target_run_id, started_at, updated_at, batch_size, backup_file, phase, plan, progress, journal_start)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) FROM migration_journal))`,
      )
      .run(
        run.id,
        run.kind,
        run.state,
        run.actor,
        run.holder,
        run.targetRunId ?? null,
        run.startedAt,
        run.startedAt,
        run.batchSize,
        run.backupFile ?? null,
        run.phase ?? null,
        run.plan === undefined ? null : JSON.stringify(run.plan),
        JSON.stringify(run.progress ?? {}),
      );
    return this.getRunSync(run.id)!;
  }

  async getRun(id: string): Promise<RunRecord | null> {
    return this.getRunSync(id);
  }

  /** The run with this id, or null; for use inside a transaction (the fix store's steps). */
  getRunSync(id: string): RunRecord | null {
    const row = this.statement('SELECT * FROM migration_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  async findRuns(
    query: { kind?: RunKind; states?: readonly RunState[]; targetRunId?: string },
    cursor: string | null,
    limit: number,
  ): Promise<{ runs: RunRecord[]; continueCursor: string | null }> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.kind !== undefined) {
      conditions.push('kind = ?');
      params.push(query.kind);
    }
    if (query.states !== undefined) {
      conditions.push(query.states.length === 0 ? '0' : `state IN (${query.states.map(() => '?').join(', ')})`);
      params.push(...query.states);
    }
    if (query.targetRunId !== undefined) {
      conditions.push('target_run_id = ?');
      params.push(query.targetRunId);
    }
    if (cursor !== null) {
      // Keyset: runs after the last one returned in (started_at DESC, rowid DESC) order.
      const match = /^(-?[\d.e+-]+):(\d+)$/.exec(cursor);
      if (!match) throw new InvalidArgumentError(`run cursor "${cursor}" is not a cursor of this SQLite store: pass back continueCursor, or null to start.`);
      conditions.push('(started_at < ? OR (started_at = ? AND rowid < ?))');
      params.push(Number(match[1]), Number(match[1]), Number(match[2]));
    }
    const rows = this.db
      .prepare(
        `SELECT rowid AS run_rowid, * FROM migration_runs ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
         ORDER BY started_at DESC, rowid DESC LIMIT ?`,
      )
      .all(...params, limit) as (RunRow & { run_rowid: number })[];
    const last = rows.at(-1);
    return { runs: rows.map(toRun), continueCursor: rows.length === limit && last ? `${last.started_at}:${last.run_rowid}` : null };
  }

  async updateRun(id: string, update: RunUpdate): Promise<void> {
    this.updateRunSync(id, update);
  }

  /** Changes fields of a run; for use inside a transaction (the fix store's steps). */
  updateRunSync(id: string, update: RunUpdate): void {
    const entries = Object.entries(update).filter(([, value]) => value !== undefined) as [keyof RunUpdate, unknown][];
    if (entries.length === 0) return;
    const values = entries.map(([key, value]) => {
      if (key === 'progress' || key === 'result' || key === 'plan') return value === null ? null : JSON.stringify(value);
      if (key === 'defaultGroupCreated') return value ? 1 : 0;
      if (key === 'cursor') return decodePosition(value as string | null);
      return value as string | number | null;
    });
    this.db
      .prepare(`UPDATE migration_runs SET ${entries.map(([key]) => `${UPDATE_COLUMNS[key]} = ?`).join(', ')} WHERE id = ?`)
      .run(...values, id);
  }

  async fence(lease: LeaseFence): Promise<void> {
    this.fenceSync(lease);
  }

  /** Checks the lease is still ours and extends it; throws `LeaseLostError` otherwise. For use inside a transaction. */
  fenceSync(lease: LeaseFence): void {
    const result = this.statement('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?').run(lease.now + lease.ttlMs, lease.name, lease.holder);
    if (result.changes !== 1) throw new LeaseLostError(lease.name, lease.holder);
  }

  private changeMarker(change: V1MarkerChange): void {
    if (change === 'keep') return;
    if (change === 'clear') this.db.prepare('DELETE FROM store_meta WHERE key = ?').run(META_KEYS.v1MigrationCompletedAt);
    else this.store.setMetaSync(META_KEYS.v1MigrationCompletedAt, change.set);
  }

  private writeEvent(event: AuditEvent): void {
    const fields: Record<string, ConvexValue> = { type: event.type, timestamp: event.timestamp, metadata: event.metadata };
    if (event.groupId !== null) fields.groupId = event.groupId;
    this.store.insertSync('events', fields);
  }

  private groupBySlug(slug: string): string | undefined {
    return this.statement('SELECT id FROM groups WHERE slug = ? ORDER BY rowid LIMIT 1').pluck(true).get(slug) as string | undefined;
  }

  async beginRun(input: BeginRunInput): Promise<{ defaultGroupId: string; created: boolean }> {
    return this.transaction(() => {
      this.fenceSync(input.fence);
      const existing = this.groupBySlug(input.slug);
      const groupId = existing ?? this.store.insertSync('groups', { ...input.group, slug: input.slug })._id;
      this.updateRunSync(input.runId, {
        defaultGroupId: groupId,
        defaultGroupCreated: existing === undefined,
        phase: 'entities',
        cursor: null,
        updatedAt: input.fence.now,
      });
      this.writeEvent({ ...input.event, groupId });
      return { defaultGroupId: groupId, created: existing === undefined };
    });
  }

  async finishRun(input: FinishRunInput): Promise<void> {
    this.transaction(() => {
      if (input.fence) this.fenceSync(input.fence);
      this.updateRunSync(input.runId, input.update);
      this.changeMarker(input.v1Marker);
      if (input.event) this.writeEvent(input.event);
    });
  }

  async markSuperseded(input: MarkSupersededInput): Promise<void> {
    this.transaction(() => {
      this.fenceSync(input.fence);
      for (const id of input.runIds) {
        const run = this.getRunSync(id);
        if (!run) continue;
        this.updateRunSync(id, { state: 'superseded', updatedAt: input.fence.now, error: run.error ? `${input.reason}; before: ${run.error}` : input.reason });
      }
      this.changeMarker(input.v1Marker);
    });
  }

  // ---- counts and plan pages -------------------------------------------------------------------------------

  async countPendingPage(table: MigratedTable, after: string | null, page: string | null): Promise<PendingCountPage> {
    const start = Math.max(decodePosition(after), decodePosition(page));
    const last = (this.statement(`SELECT MAX(rowid) FROM ${table}`).pluck(true).get() as number | null) ?? 0;
    const conditions = table === 'entities' ? [PENDING_CONDITION.entities, 'group_id IS NULL', '(schema_version IS NULL OR schema_version < 1)'] : [PENDING_CONDITION[table]];
    const counts = this.statement(
      `SELECT ${conditions.map((condition) => `COALESCE(SUM(${condition}), 0)`).join(', ')} FROM ${table} WHERE rowid > ? AND rowid <= ?`,
    )
      .raw(true)
      .get(start, start + this.pageRows) as number[];
    const end = start + this.pageRows;
    return {
      records: counts[0]!,
      missingGroupId: counts[1] ?? 0,
      schemaVersion: counts[2] ?? 0,
      continueCursor: end < last ? String(end) : null,
    };
  }

  async planPage(table: Exclude<MigratedTable, 'entities'>, page: string | null, defaultGroupId: string | null): Promise<PlanPage> {
    const [firstColumn, secondColumn] = ENDPOINT_COLUMNS[table];
    const fallback = defaultGroupId ?? GROUP_TO_CREATE;
    const secondJoin = secondColumn === 'NULL' ? '' : `LEFT JOIN entities AS b ON b.id = r.${secondColumn}`;
    // One statement per page: each record with its endpoints' existence and groupIds.
    const rows = this.statement(
      `SELECT r.rowid, r.group_id, a.id IS NOT NULL, a.group_id, ${secondColumn === 'NULL' ? '0, NULL' : 'b.id IS NOT NULL, b.group_id'}
       FROM ${table} AS r LEFT JOIN entities AS a ON a.id = r.${firstColumn} ${secondJoin}
       WHERE r.rowid > ? ORDER BY r.rowid LIMIT ?`,
    )
      .raw(true)
      .all(decodePosition(page), this.pageRows) as [number, string | null, number, string | null, number, string | null][];
    const [firstSource, secondSource] = ENDPOINT_SOURCES[table];
    const assignments: PlanPage['assignments'] = { [firstSource]: 0, [secondSource]: 0, legacyDefault: 0 };
    let crossGroupCreated = 0;
    const byGroup = new Map<string, number>();
    for (const [, ownGroup, firstExists, firstGroup, secondExists, secondGroup] of rows) {
      const first = { exists: firstExists === 1, groupId: firstGroup };
      const second = { exists: secondExists === 1, groupId: secondGroup };
      if (ownGroup === null) {
        const { source } = assignGroupId(
          table,
          first.exists ? (firstGroup ?? fallback) : undefined,
          second.exists ? (secondGroup ?? fallback) : undefined,
          fallback,
        );
        assignments[source] = (assignments[source] ?? 0) + 1;
      }
      if (table !== 'knowledge' && becomesCrossGroup(first, second, fallback)) {
        crossGroupCreated++;
        const other = crossGroupOtherSide(first, second);
        byGroup.set(other, (byGroup.get(other) ?? 0) + 1);
      }
    }
    return {
      assignments,
      crossGroupCreated,
      crossGroupByGroup: [...byGroup].map(([groupId, count]) => ({ groupId, count })),
      continueCursor: rows.length === this.pageRows ? String(rows.at(-1)![0]) : null,
    };
  }

  /**
   * Runs `visit` over every row of `sql` — whose first column is the rowid and whose last two parameters are
   * `rowid > ?` and `LIMIT ?`, in rowid order, after `params` — one page per turn of the event loop, so a
   * scan of a million rows never blocks the process (Slack still gets its answers). Pages see the store as it
   * is when each is read.
   */
  private async scanPaged<Row extends unknown[]>(sql: string, visit: (row: Row) => void, params: unknown[] = [], start = 0): Promise<void> {
    const statement = this.statement(sql).raw(true);
    let cursor = start;
    for (;;) {
      const rows = statement.all(...params, cursor, SCAN_PAGE_ROWS) as Row[];
      for (const row of rows) visit(row);
      if (rows.length < SCAN_PAGE_ROWS) return;
      cursor = rows.at(-1)![0] as number;
      await yieldToEventLoop();
    }
  }

  /**
   * Every entity's group as a small code, for reference checks done in memory (no B-tree per lookup):
   * `2 × groupIndex`, or -1 without a group. Numbers instead of strings keep a million-record store within the
   * memory budget. `fallback` gets a code too: an existing group's, or a fresh one when it is null (a group
   * the run would create equals no existing groupId).
   */
  private async entityGroupCodes(fallback: string | null): Promise<{ codes: Map<string, number>; fallbackCode: number }> {
    const groupIndex = new Map<string, number>();
    const indexOf = (groupId: string) => {
      let index = groupIndex.get(groupId);
      if (index === undefined) groupIndex.set(groupId, (index = groupIndex.size));
      return index;
    };
    const codes = new Map<string, number>();
    await this.scanPaged<[number, string, string | null]>(
      'SELECT rowid, id, group_id FROM entities WHERE rowid > ? ORDER BY rowid LIMIT ?',
      ([, id, groupId]) => codes.set(id, groupId === null ? -1 : 2 * indexOf(groupId)),
    );
    const fallbackCode = 2 * (fallback === null ? groupIndex.size + 1 : indexOf(fallback));
    return { codes, fallbackCode };
  }

  /** Counts connections and events whose two endpoints are set and for which `isCrossGroup` holds. */
  private async countReferences(isCrossGroup: (first: string, second: string) => boolean): Promise<{ connections: number; events: number }> {
    const count = async (sql: string) => {
      let n = 0;
      await this.scanPaged<[number, string | null, string | null]>(sql, ([, first, second]) => {
        if (first !== null && second !== null && isCrossGroup(first, second)) n++;
      });
      return n;
    };
    return {
      connections: await count('SELECT rowid, from_id, to_id FROM connections WHERE rowid > ? ORDER BY rowid LIMIT ?'),
      events: await count('SELECT rowid, actor_id, target_id FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?'),
    };
  }

  /** Cross-group references now in the store that involve an entity whose groupId `runId` wrote. */
  async crossGroupCreatedByRun(runId: string): Promise<{ connections: number; events: number }> {
    const { codes } = await this.entityGroupCodes(null);
    // The low bit marks entities whose groupId this run wrote.
    const run = this.getRunSync(runId);
    await this.scanPaged<[number, string, string, string | null]>(
      'SELECT seq, record_id, table_name, group_id_written FROM migration_journal WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ([, id, table, written]) => {
        if (table !== 'entities' || written === null) return;
        const code = codes.get(id);
        if (code !== undefined && code >= 0) codes.set(id, code | 1);
      },
      [runId],
      decodePosition(run?.journalStart ?? null),
    );
    return this.countReferences((first, second) => {
      const a = codes.get(first);
      const b = codes.get(second);
      if (a === undefined || b === undefined || a < 0 || b < 0 || a >> 1 === b >> 1) return false;
      return ((a | b) & 1) === 1;
    });
  }


  // ---- batches --------------------------------------------------------------------------------------------

  async applyBatch(input: ApplyBatchInput): Promise<BatchResult> {
    const { table, defaultGroupId } = input;
    if (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > this.maxBatchSize) {
      throw new InvalidArgumentError(`batch size must be a whole number from 1 to ${this.maxBatchSize}, got ${input.limit}.`);
    }
    const statements = this.batchStatements(table);
    const groupColumn = TABLE_COLUMNS[table].indexOf('group_id');
    const versionColumn = TABLE_COLUMNS[table].indexOf('schema_version');
    const start = decodePosition(input.cursor);

    return this.transaction(() => {
      this.fenceSync(input.fence);
      const run = this.getRunSync(input.runId);
      if (!run) throw new InvalidArgumentError(`No migration run ${input.runId} in ${this.store.location}: create the run before its batches.`);
      const rows = statements.select.all(start, input.limit) as [number, string, string, string | null, string | null, string | null, number | null][];
      const lastPosition = rows.at(-1)?.[0] ?? start;
      const result: BatchResult = {
        changed: 0,
        cursor: encodePosition(lastPosition),
        finished: rows.length < input.limit,
        batches: run.batches + 1,
        groupIdsWritten: 0,
        schemaVersionsWritten: 0,
        assignments: {},
      };
      for (const [position, id, text, first, second, groupColumnValue, schemaColumn] of rows) {
        const groupMentioned = mentions(text, 'groupId');
        const versionMentioned = table === 'entities' && mentions(text, 'schemaVersion');
        // Without a mention the field is absent; with one, read the document to see what is there.
        const plain = groupMentioned || versionMentioned ? (JSON.parse(text) as Record<string, unknown>) : null;
        const hasGroup = plain !== null && groupIdOf(plain) !== null;
        let assignment: ReturnType<typeof assignGroupId> | undefined;
        if (!hasGroup) {
          const firstGroup = first === null ? undefined : (statements.groupOfEntity.get(first) as string | null | undefined);
          // The second endpoint is only looked up when the first gives no group.
          const secondGroup = firstGroup || second === null ? undefined : (statements.groupOfEntity.get(second) as string | null | undefined);
          assignment = assignGroupId(table, firstGroup, secondGroup, defaultGroupId);
        }
        const groupId = assignment?.groupId;
        let setVersion = false;
        if (table === 'entities') {
          setVersion = plain === null ? schemaColumn === null || schemaColumn < 1 : !isV1SchemaVersion(plain.schemaVersion);
        }
        if (groupId === undefined && !setVersion) continue;

        let before: { groupId: string | null; schemaVersion: string | null };
        let next: string;
        if ((groupId === undefined || !groupMentioned) && (!setVersion || !versionMentioned)) {
          // Fast path: the fields are absent, so re-encoding would only append them; append to the stored text.
          let suffix = '';
          if (groupId !== undefined) suffix += `,"groupId":${stringifyUniform(groupId)}`;
          if (setVersion) suffix += `,"schemaVersion":${SCHEMA_VERSION_ONE_TEXT}`;
          next = text.slice(0, -1) + suffix + '}';
          before = { groupId: null, schemaVersion: null };
        } else {
          const document = parseDocument(text, 'uniform');
          before = {
            groupId: Object.hasOwn(document, 'groupId') ? stringifyUniform(document.groupId!) : null,
            schemaVersion: Object.hasOwn(document, 'schemaVersion') ? stringifyUniform(document.schemaVersion!) : null,
          };
          const patched: Record<string, ConvexValue> = { ...document };
          if (groupId !== undefined) patched.groupId = groupId;
          if (setVersion) patched.schemaVersion = SCHEMA_VERSION_ONE;
          next = stringifyUniform(patched);
        }
        // Only groupId and schemaVersion change, so only their columns (as indexedColumns decides them) are rewritten.
        const columns = indexedColumns(table, { groupId: groupId ?? null, schemaVersion: SCHEMA_VERSION_ONE });
        const newGroupColumn = groupId === undefined ? groupColumnValue : columns[groupColumn];
        if (table === 'entities') statements.update.run(newGroupColumn, setVersion ? columns[versionColumn] : schemaColumn, next, position);
        else statements.update.run(newGroupColumn, next, position);
        statements.journal.run(
          input.runId,
          table,
          id,
          groupId === undefined ? null : before.groupId,
          groupId === undefined ? null : stringifyUniform(groupId),
          setVersion ? before.schemaVersion : null,
          setVersion ? SCHEMA_VERSION_ONE_TEXT : null,
        );
        result.changed++;
        if (assignment !== undefined) {
          result.groupIdsWritten++;
          result.assignments[assignment.source] = (result.assignments[assignment.source] ?? 0) + 1;
        }
        if (setVersion) result.schemaVersionsWritten++;
      }
      // The checkpoint: position, progress, batch count and running totals, with the patches.
      const progress = run.progress;
      const entry = progress[table] ?? { total: 0, done: 0 };
      entry.done += result.changed;
      progress[table] = entry;
      const saved = (run.result as { totals?: MigrateTotals } | null)?.totals;
      const totals: MigrateTotals = { assignments: { ...(saved?.assignments ?? {}) }, schemaVersions: (saved?.schemaVersions ?? 0) + result.schemaVersionsWritten };
      for (const [source, count] of Object.entries(result.assignments)) {
        totals.assignments[source as keyof MigrateTotals['assignments']] = (totals.assignments[source as keyof MigrateTotals['assignments']] ?? 0) + count;
      }
      this.statement('UPDATE migration_runs SET phase = ?, cursor = ?, progress = ?, batches = ?, updated_at = ?, result = ? WHERE id = ?').run(
        table,
        lastPosition,
        JSON.stringify(progress),
        result.batches,
        input.fence.now,
        JSON.stringify({ totals }),
        input.runId,
      );
      this.crash(`in-batch:${result.batches}`);
      return result;
    });
  }

  private readonly statementCache = new Map<string, Statement>();

  private statement(sql: string): Statement {
    let statement = this.statementCache.get(sql);
    if (!statement) this.statementCache.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private batchStatements(table: MigratedTable) {
    const [first, second] = ENDPOINT_COLUMNS[table];
    return {
      select: this.statement(
        `SELECT rowid, id, doc, ${first}, ${second}, group_id, ${table === 'entities' ? 'schema_version' : 'NULL'} FROM ${table}
         WHERE rowid > ? AND ${PENDING_CONDITION[table]} ORDER BY rowid LIMIT ?`,
      ).raw(true),
      groupOfEntity: this.statement('SELECT group_id FROM entities WHERE id = ?').pluck(true),
      update: this.statement(
        table === 'entities'
          ? 'UPDATE entities SET group_id = ?, schema_version = ?, doc = ? WHERE rowid = ?'
          : `UPDATE ${table} SET group_id = ?, doc = ? WHERE rowid = ?`,
      ),
      journal: this.statement(
        `INSERT INTO migration_journal (run_id, table_name, record_id, group_id_before, group_id_written, schema_version_before, schema_version_written)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  // ---- exact undo -----------------------------------------------------------------------------------------

  /**
   * Decides what undoing one journal entry does to the current document (the pure `classifyUndo` rule): the
   * reverted text and the new group_id / schema_version column values, or why it is left alone.
   */
  private classify(
    entry: JournalRow,
    current: string | undefined,
  ): { outcome: UndoOutcome; conflictFields: string[]; text: string | null; groupColumn: unknown; versionColumn: unknown } {
    const none = { text: null, groupColumn: null, versionColumn: null };
    if (current === undefined) return { outcome: 'missing', conflictFields: [], ...none };
    const fields: JournalField[] = [];
    if (entry.group_id_written !== null) fields.push({ name: 'groupId', before: entry.group_id_before, written: entry.group_id_written });
    if (entry.schema_version_written !== null) {
      fields.push({ name: 'schemaVersion', before: entry.schema_version_before, written: entry.schema_version_written });
    }
    // Fast path, the rule's `reverted` case: the fields were absent and are still exactly what the run appended, at the end.
    if (fields.every((field) => field.before === null)) {
      const suffix = fields.map((field) => `,"${field.name}":${field.written}`).join('') + '}';
      if (current.endsWith(suffix)) {
        // The reverted fields are absent again, so their columns are NULL.
        return { outcome: 'reverted', conflictFields: [], text: current.slice(0, -suffix.length) + '}', groupColumn: null, versionColumn: null };
      }
    }
    const document = parseDocument(current, 'uniform') as Record<string, ConvexValue>;
    const now: Record<string, string> = {};
    for (const field of fields) if (Object.hasOwn(document, field.name)) now[field.name] = stringifyUniform(document[field.name]!);
    const { outcome, conflictFields, reverts } = classifyUndo(fields, now);
    if (reverts.length === 0) return { outcome, conflictFields, ...none };
    for (const revert of reverts) {
      if (revert.action === 'remove') delete document[revert.name];
      else document[revert.name] = parseConvexJson(revert.value, 'uniform');
    }
    const columns = indexedColumns(entry.table_name, document);
    const versionIndex = TABLE_COLUMNS[entry.table_name].indexOf('schema_version');
    return {
      outcome,
      conflictFields,
      text: stringifyUniform(document as ConvexDocument),
      groupColumn: columns[TABLE_COLUMNS[entry.table_name].indexOf('group_id')],
      versionColumn: versionIndex >= 0 ? columns[versionIndex] : undefined,
    };
  }

  async undoBatch(input: UndoBatchInput): Promise<UndoBatchResult> {
    const target = this.getRunSync(input.targetRunId);
    if (!target) throw new InvalidArgumentError(`No migration run ${input.targetRunId} in ${this.store.location}: see \`ontology-ops migration-status\` for run ids.`);
    const start = Math.max(decodePosition(input.cursor), decodePosition(target.journalStart));
    const defaultGroupText = input.defaultGroupId === null ? null : JSON.stringify(input.defaultGroupId);
    const apply = input.apply;
    const work = (): UndoBatchResult => {
      const undoRun = apply ? this.getRunSync(apply.undoRunId) : null;
      if (apply) {
        this.fenceSync(apply.fence);
        if (!undoRun) throw new InvalidArgumentError(`No undo run ${apply.undoRunId} in ${this.store.location}: create it before its batches.`);
      }
      const entries = this.statement(
        `SELECT seq, table_name, record_id, group_id_before, group_id_written, schema_version_before, schema_version_written
         FROM migration_journal WHERE seq > ? AND run_id = ? ORDER BY seq LIMIT ?`,
      ).all(start, input.targetRunId, input.limit) as JournalRow[];
      const lastSeq = entries.at(-1)?.seq ?? start;
      const result: UndoBatchResult = {
        cursor: encodePosition(lastSeq),
        finished: entries.length < input.limit,
        batches: undoRun ? undoRun.batches + 1 : 0,
        entries: entries.length,
        reverted: 0,
        partial: 0,
        conflicts: [],
        conflictCount: 0,
        missing: 0,
        byTable: {},
        defaultGroupReleased: 0,
      };
      if (apply && entries.length > 0) {
        // Most entries revert cleanly: mark the range so, then correct the others one by one.
        this.statement(`UPDATE migration_journal SET undo_run_id = ?, undo_outcome = 'reverted' WHERE seq > ? AND seq <= ? AND run_id = ?`).run(
          apply.undoRunId,
          start,
          lastSeq,
          input.targetRunId,
        );
      }
      const mark = this.statement('UPDATE migration_journal SET undo_outcome = ?, undo_conflicts = ? WHERE seq = ?');
      for (const entry of entries) {
        const table = entry.table_name;
        const row = this.statement(`SELECT rowid, doc FROM ${table} WHERE id = ?`).raw(true).get(entry.record_id) as [number, string] | undefined;
        const { outcome, conflictFields, text, groupColumn, versionColumn } = this.classify(entry, row?.[1]);
        if (outcome === 'reverted' || outcome === 'partial') {
          result.byTable[table] = (result.byTable[table] ?? 0) + 1;
          if (outcome === 'reverted') result.reverted++;
          else result.partial++;
          if (apply && text !== null) {
            const groupValue = conflictFields.includes('groupId') || entry.group_id_written === null ? undefined : groupColumn;
            this.revertRow(table, row![0], text, groupValue, entry.schema_version_written !== null && !conflictFields.includes('schemaVersion') ? versionColumn : undefined);
          }
          if (entry.group_id_written !== null && entry.group_id_written === defaultGroupText && !conflictFields.includes('groupId')) {
            result.defaultGroupReleased++;
          }
        }
        if (outcome === 'missing') result.missing++;
        if (outcome !== 'reverted') {
          result.conflictCount++;
          if (result.conflicts.length < input.conflictLimit) result.conflicts.push({ table, recordId: entry.record_id, fields: conflictFields, outcome });
          if (apply) mark.run(outcome, conflictFields.length ? conflictFields.join(',') : null, entry.seq);
        }
      }
      if (apply && undoRun) {
        // The checkpoint: journal position, batch count, running totals and progress, with the reverts.
        const totals = (undoRun.result as { totals?: UndoTotals } | null)?.totals ?? emptyUndoTotals();
        totals.entries += result.entries;
        totals.reverted += result.reverted;
        totals.partial += result.partial;
        totals.conflictCount += result.conflictCount;
        totals.missing += result.missing;
        for (const [name, count] of Object.entries(result.byTable)) totals.byTable[name] = (totals.byTable[name] ?? 0) + count;
        const progress = undoRun.progress;
        progress.undo = { total: progress.undo?.total ?? 0, done: totals.entries };
        this.statement('UPDATE migration_runs SET phase = ?, cursor = ?, progress = ?, batches = ?, updated_at = ?, result = ? WHERE id = ?').run(
          'undo',
          lastSeq,
          JSON.stringify(progress),
          result.batches,
          apply.fence.now,
          JSON.stringify({ totals }),
          apply.undoRunId,
        );
        this.crash(`in-undo-batch:${result.batches}`);
      }
      return result;
    };
    return apply ? this.transaction(work) : work();
  }

  /** Writes a reverted document and the columns that changed with it (undefined: column unchanged). */
  private revertRow(table: MigratedTable, position: number, text: string, groupColumn: unknown, versionColumn: unknown): void {
    const sets = ['doc = ?'];
    const values: unknown[] = [text];
    if (groupColumn !== undefined) {
      sets.push('group_id = ?');
      values.push(groupColumn);
    }
    if (table === 'entities' && versionColumn !== undefined) {
      sets.push('schema_version = ?');
      values.push(versionColumn);
    }
    this.statement(`UPDATE ${table} SET ${sets.join(', ')} WHERE rowid = ?`).run(...values, position);
  }

  async finishUndo(input: FinishUndoInput): Promise<{ removed: boolean; references: number; cleared: boolean }> {
    return this.transaction(() => {
      this.fenceSync(input.fence);
      const target = this.getRunSync(input.targetRunId);
      const undo = this.getRunSync(input.undoRunId);
      if (!target || !undo) throw new InvalidArgumentError(`No run ${target ? input.undoRunId : input.targetRunId} in ${this.store.location}.`);
      let removed = false;
      let references = 0;
      if (target.defaultGroupId !== null) {
        references = this.groupReferencesSync(target.defaultGroupId);
        if (target.defaultGroupCreated && references === 0) removed = this.db.prepare('DELETE FROM groups WHERE id = ?').run(target.defaultGroupId).changes === 1;
      }
      this.updateRunSync(input.targetRunId, { state: 'rolled_back', updatedAt: input.finishedAt });
      const cleared = input.clearV1Marker && this.store.getMetaSync(META_KEYS.v1MigrationCompletedAt) !== null;
      if (cleared) this.changeMarker('clear');
      const totals = (undo.result as { totals?: UndoTotals } | null)?.totals ?? emptyUndoTotals();
      this.updateRunSync(input.undoRunId, {
        state: 'completed',
        finishedAt: input.finishedAt,
        updatedAt: input.finishedAt,
        result: { totals, legacyDefaultGroupRemoved: removed, v1MigrationCompletedCleared: cleared },
      });
      this.writeEvent({ ...input.event, metadata: { ...input.event.metadata, legacyDefaultGroupRemoved: removed } });
      return { removed, references, cleared };
    });
  }

  async finishRestore(input: FinishRestoreInput): Promise<void> {
    this.transaction(() => {
      this.fenceSync(input.fence);
      this.changeMarker(input.v1MarkerAt === null ? 'clear' : { set: input.v1MarkerAt });
      // Runs from the backup on no longer describe the data: their journals must not be undone.
      this.db
        .prepare(
          `UPDATE migration_runs SET state = 'rolled_back', updated_at = ?
           WHERE kind = 'migrate' AND state NOT IN ('rolled_back', 'superseded') AND (id = ? OR started_at >= ?)`,
        )
        .run(input.finishedAt, input.backupRunId, input.backupCreatedAt);
      this.updateRunSync(input.restoreRunId, { state: 'completed', finishedAt: input.finishedAt, updatedAt: input.finishedAt, result: input.result });
      this.writeEvent({ ...input.event, groupId: this.groupBySlug(input.slug) ?? null });
      if (input.kept) {
        const groupId = this.groupBySlug(input.kept.slug) ?? this.groupBySlug(input.slug) ?? null;
        for (const event of input.kept.events) this.writeEvent({ ...event, groupId });
      }
    });
  }

  async recordedConflicts(undoRunId: string, limit: number): Promise<{ total: number; conflicts: UndoConflict[] }> {
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM migration_journal WHERE undo_run_id = ? AND undo_outcome <> 'reverted'`).get(undoRunId) as {
        n: number;
      }
    ).n;
    const rows = this.db
      .prepare(
        `SELECT table_name, record_id, undo_outcome, undo_conflicts FROM migration_journal
         WHERE undo_run_id = ? AND undo_outcome <> 'reverted' ORDER BY seq LIMIT ?`,
      )
      .all(undoRunId, limit) as { table_name: MigratedTable; record_id: string; undo_outcome: UndoOutcome; undo_conflicts: string | null }[];
    return {
      total,
      conflicts: rows.map((row) => ({
        table: row.table_name,
        recordId: row.record_id,
        fields: row.undo_conflicts ? row.undo_conflicts.split(',') : [],
        outcome: row.undo_outcome,
      })),
    };
  }

  /**
   * True when at least one record in the run's journal still holds a value the run wrote (its groupId, or an
   * entity's schemaVersion 1). False once the data the run migrated is gone: replaced by `import --replace`,
   * `seed --replace` or a restore of an older backup. Stops at the first such record, so a live run costs one
   * lookup; a run whose data is gone costs one indexed lookup per journal entry.
   */
  async holdsWrittenValues(runId: string): Promise<boolean> {
    const run = this.getRunSync(runId);
    if (!run) return false;
    const holds = (table: MigratedTable) => {
      const version = table === 'entities' ? ' OR (j.schema_version_written IS NOT NULL AND t.schema_version = 1)' : '';
      return `(j.table_name = '${table}' AND EXISTS (SELECT 1 FROM ${table} AS t WHERE t.id = j.record_id
        AND (t.group_id = json_extract(j.group_id_written, '$')${version})))`;
    };
    const hit = this.statement(
      `SELECT 1 FROM migration_journal AS j WHERE j.seq > ? AND j.run_id = ?
       AND (${(['entities', 'connections', 'events', 'knowledge'] as const).map(holds).join(' OR ')}) LIMIT 1`,
    )
      .pluck(true)
      .get(decodePosition(run.journalStart), run.id);
    return hit !== undefined;
  }

  // ---- the legacy-default group -----------------------------------------------------------------------------

  async groupReferences(groupId: string): Promise<number> {
    return this.groupReferencesSync(groupId);
  }

  /**
   * Records that reference a group: ontology records with that groupId (the migration's own audit events
   * excepted) and groups naming it as parent.
   */
  private groupReferencesSync(groupId: string): number {
    let total = 0;
    for (const table of ['entities', 'connections', 'knowledge']) {
      total += (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE group_id = ?`).get(groupId) as { n: number }).n;
    }
    total += (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM events WHERE group_id = ? AND COALESCE(type, '') NOT IN (${MIGRATION_EVENT_TYPES.map(() => '?').join(', ')})`)
        .get(groupId, ...MIGRATION_EVENT_TYPES) as { n: number }
    ).n;
    total += (this.db.prepare(`SELECT COUNT(*) AS n FROM groups WHERE json_extract(doc, '$.parentGroupId') = ?`).get(groupId) as { n: number }).n;
    return total;
  }
}

/** Checks a lease is still `fence.holder`'s and extends it; throws `LeaseLostError` otherwise. */
export function fenceLease(db: SqliteStore['database'], fence: LeaseFence): void {
  const result = db.prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?').run(fence.now + fence.ttlMs, fence.name, fence.holder);
  if (result.changes !== 1) throw new LeaseLostError(fence.name, fence.holder);
}
