/**
 * The SQLite side of the v1 migration: the run registry, batched patches that write their undo journal and
 * checkpoint in the same transaction, the exact undo, and the counts a plan needs. Everything here is
 * synchronous (better-sqlite3); the service yields to the event loop between batches.
 */
import { parseConvexJson, parseDocument, stringifyUniform, type ConvexDocument, type ConvexValue } from '../../ontology/values.ts';
import type { Statement } from 'better-sqlite3';
import { groupIdOf } from '../../ontology/naming.ts';
import { indexedColumns, TABLE_COLUMNS } from './schema.ts';
import { MIGRATION_SCHEMA } from './migration-schema.ts';
import type { SqliteStore } from './sqlite-store.ts';
import type {
  AssignmentSource,
  BatchResult,
  Checkpoint,
  LeaseFence,
  MigratedTable,
  RunKind,
  RunRecord,
  RunState,
  UndoBatchResult,
  UndoConflict,
  UndoOutcome,
} from '../../migration/port.ts';
import { OpsError, ErrorCode } from '../../errors.ts';
import { isV1SchemaVersion } from '../../quality/rules.ts';
import { yieldToEventLoop } from './snapshot-load.ts';

/** Event types the migration writes itself; they never count as references to `legacy-default`. */
export const MIGRATION_EVENT_TYPES = ['migration_started', 'migration_completed', 'migration_failed', 'rollback_completed'] as const;

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

/** Which rule an endpoint's groupId counts as. */
const ASSIGNMENT_SOURCES: Record<MigratedTable, [AssignmentSource, AssignmentSource]> = {
  entities: ['legacyDefault', 'legacyDefault'],
  connections: ['fromEntity', 'toEntity'],
  events: ['actor', 'target'],
  knowledge: ['sourceEntity', 'sourceEntity'],
};

/** Rows sampled per table to estimate a backup's size. */
const BACKUP_SAMPLE_ROWS = 2_000;

/** Rows read per page of a long scan between two turns of the event loop. */
const SCAN_PAGE_ROWS = 10_000;

/** SQL condition selecting the records of a table the migration changes. */
const PENDING_CONDITION: Record<MigratedTable, string> = {
  entities: '(group_id IS NULL OR schema_version IS NULL OR schema_version < 1)',
  connections: 'group_id IS NULL',
  events: 'group_id IS NULL',
  knowledge: 'group_id IS NULL',
};

/** Thrown inside a batch when this process no longer holds the migration lease: the batch is rolled back. */
export class LeaseLostError extends OpsError {
  constructor(name: string, holder: string) {
    super(ErrorCode.LockHeld, `Lost the ${name} lease (holder ${holder}): another process took it over; this process stopped without writing.`);
    this.name = 'LeaseLostError';
  }
}

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

/** New-run fields. */
export interface NewRun {
  id: string;
  kind: RunKind;
  state: RunState;
  actor: string;
  holder: string;
  targetRunId?: string | null;
  startedAt: number;
  batchSize: number;
  backupFile?: string | null;
  phase?: string | null;
  plan?: unknown;
}

/** Fields of a run that can change. */
export type RunUpdate = Partial<
  Pick<
    RunRecord,
    'state' | 'holder' | 'backupFile' | 'defaultGroupId' | 'defaultGroupCreated' | 'phase' | 'cursor' | 'batches' | 'progress' | 'result' | 'error' | 'finishedAt' | 'updatedAt' | 'plan'
  >
>;

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
    journalStart: row.journal_start,
    phase: row.phase,
    cursor: row.cursor,
    batches: row.batches,
    progress: JSON.parse(row.progress) as RunRecord['progress'],
    plan: row.plan === null ? null : JSON.parse(row.plan),
    result: row.result === null ? null : JSON.parse(row.result),
    error: row.error,
  };
}

/** A text holding no occurrence of `"field"` cannot have that field at the top level. */
function mentions(text: string, field: string): boolean {
  return text.includes(`"${field}"`);
}

/** The migration's operations on one SQLite store. */
export class SqliteMigrationStore {
  constructor(readonly store: SqliteStore) {
    store.database.exec(MIGRATION_SCHEMA);
  }

  private get db() {
    return this.store.database;
  }

  /** Runs `work` in one immediate transaction (all or nothing). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  // ---- run registry ---------------------------------------------------------------------------------------

  createRun(run: NewRun): RunRecord {
    this.db
      .prepare(
        `INSERT INTO migration_runs (id, kind, state, actor, holder, target_run_id, started_at, updated_at, batch_size, backup_file, phase, plan, journal_start)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) FROM migration_journal))`,
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
      );
    return this.getRun(run.id)!;
  }

  getRun(id: string): RunRecord | null {
    const row = this.db.prepare('SELECT * FROM migration_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  /** Runs, newest first, optionally of one kind. */
  listRuns(kind?: RunKind, limit = 50): RunRecord[] {
    const rows = (
      kind
        ? this.db.prepare('SELECT * FROM migration_runs WHERE kind = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(kind, limit)
        : this.db.prepare('SELECT * FROM migration_runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit)
    ) as RunRow[];
    return rows.map(toRun);
  }

  /** The newest run of a kind in one of `states`, or null. */
  latestRunIn(kind: RunKind, states: readonly RunState[]): RunRecord | null {
    const row = this.db
      .prepare(
        `SELECT * FROM migration_runs WHERE kind = ? AND state IN (${states.map(() => '?').join(', ')})
         ORDER BY started_at DESC, rowid DESC LIMIT 1`,
      )
      .get(kind, ...states) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  /** The undo run of a migration run, or null. */
  undoRunOf(targetRunId: string): RunRecord | null {
    const row = this.db
      .prepare(`SELECT * FROM migration_runs WHERE kind = 'undo' AND target_run_id = ? ORDER BY started_at DESC, rowid DESC LIMIT 1`)
      .get(targetRunId) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  updateRun(id: string, update: RunUpdate): void {
    const entries = Object.entries(update).filter(([, value]) => value !== undefined) as [keyof RunUpdate, unknown][];
    if (entries.length === 0) return;
    const values = entries.map(([key, value]) => {
      if (key === 'progress' || key === 'result' || key === 'plan') return value === null ? null : JSON.stringify(value);
      if (key === 'defaultGroupCreated') return value ? 1 : 0;
      return value as string | number | null;
    });
    this.db
      .prepare(`UPDATE migration_runs SET ${entries.map(([key]) => `${UPDATE_COLUMNS[key]} = ?`).join(', ')} WHERE id = ?`)
      .run(...values, id);
  }

  /** Checks the lease is still ours and extends it; throws `LeaseLostError` otherwise. For use inside a transaction. */
  fence(lease: LeaseFence): void {
    const result = this.db
      .prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?')
      .run(lease.now + lease.ttlMs, lease.name, lease.holder);
    if (result.changes !== 1) throw new LeaseLostError(lease.name, lease.holder);
  }

  // ---- counts for the plan ---------------------------------------------------------------------------------

  /**
   * Counts rows of `table` after storage position `cursor` that satisfy each condition, one rowid range per turn
   * of the event loop (a plain COUNT over a million rows would block the process).
   */
  private async countPaged(table: MigratedTable, conditions: readonly string[], cursor = 0): Promise<number[]> {
    const last = (this.statement(`SELECT MAX(rowid) FROM ${table}`).pluck(true).get() as number | null) ?? 0;
    const statement = this.statement(
      `SELECT ${conditions.map((condition) => `COALESCE(SUM(${condition}), 0)`).join(', ')} FROM ${table} WHERE rowid > ? AND rowid <= ?`,
    ).raw(true);
    const totals = conditions.map(() => 0);
    for (let start = cursor; start < last; start += SCAN_PAGE_ROWS) {
      const counts = statement.get(start, start + SCAN_PAGE_ROWS) as number[];
      counts.forEach((count, index) => (totals[index]! += count));
      await yieldToEventLoop();
    }
    return totals;
  }

  /** Records of a table the migration would change, after storage position `cursor`. */
  async pendingCount(table: MigratedTable, cursor = 0): Promise<number> {
    return (await this.countPaged(table, [PENDING_CONDITION[table]], cursor))[0]!;
  }

  /** Entities the run would change: all of them, those lacking a groupId, those whose schemaVersion would be set. */
  async entityBreakdown(): Promise<{ records: number; missingGroupId: number; schemaVersion: number }> {
    const [records, missingGroupId, schemaVersion] = await this.countPaged('entities', [
      PENDING_CONDITION.entities,
      'group_id IS NULL',
      '(schema_version IS NULL OR schema_version < 1)',
    ]);
    return { records: records!, missingGroupId: missingGroupId!, schemaVersion: schemaVersion! };
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

  /**
   * What a run would do beyond the counts: how the groupIds of records without one would be assigned, and the
   * cross-group references it would create. Every entity is taken with its post-entity-pass groupId (its own,
   * else legacy-default), so a record takes its first endpoint's group whenever that entity exists.
   * `defaultGroupId` is the existing legacy-default group, or null when the run would create it. A created
   * cross-group reference is a connection (event) whose two endpoints exist, at least one without a groupId
   * now, and whose groupIds after the entity pass differ.
   */
  async predict(defaultGroupId: string | null): Promise<{
    assignments: Record<'connections' | 'events' | 'knowledge', Partial<Record<AssignmentSource, number>>>;
    crossGroupCreated: { connections: number; events: number };
  }> {
    const { codes, fallbackCode } = await this.entityGroupCodes(defaultGroupId);
    const assign = async (table: MigratedTable): Promise<Partial<Record<AssignmentSource, number>>> => {
      const [firstColumn, secondColumn] = ENDPOINT_COLUMNS[table];
      const [firstSource, secondSource] = ASSIGNMENT_SOURCES[table];
      const counts: Partial<Record<AssignmentSource, number>> = { [firstSource]: 0, [secondSource]: 0, legacyDefault: 0 };
      await this.scanPaged<[number, string | null, string | null]>(
        `SELECT rowid, ${firstColumn}, ${secondColumn} FROM ${table} WHERE rowid > ? AND group_id IS NULL ORDER BY rowid LIMIT ?`,
        ([, first, second]) => {
          const source = first !== null && codes.has(first) ? firstSource : second !== null && codes.has(second) ? secondSource : 'legacyDefault';
          counts[source]! += 1;
        },
      );
      return counts;
    };
    const assignments = { connections: await assign('connections'), events: await assign('events'), knowledge: await assign('knowledge') };
    const crossGroupCreated = await this.countReferences((first, second) => {
      const a = codes.get(first);
      const b = codes.get(second);
      if (a === undefined || b === undefined || (a >= 0 && b >= 0)) return false;
      return (a < 0 ? fallbackCode : a) !== (b < 0 ? fallbackCode : b);
    });
    return { assignments, crossGroupCreated };
  }

  /** Cross-group references now in the store that involve an entity whose groupId `runId` wrote. */
  async crossGroupCreatedByRun(runId: string): Promise<{ connections: number; events: number }> {
    const { codes } = await this.entityGroupCodes(null);
    // The low bit marks entities whose groupId this run wrote.
    const run = this.getRun(runId);
    await this.scanPaged<[number, string, string, string | null]>(
      'SELECT seq, record_id, table_name, group_id_written FROM migration_journal WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ([, id, table, written]) => {
        if (table !== 'entities' || written === null) return;
        const code = codes.get(id);
        if (code !== undefined && code >= 0) codes.set(id, code | 1);
      },
      [runId],
      run?.journalStart ?? 0,
    );
    return this.countReferences((first, second) => {
      const a = codes.get(first);
      const b = codes.get(second);
      if (a === undefined || b === undefined || a < 0 || b < 0 || a >> 1 === b >> 1) return false;
      return ((a | b) & 1) === 1;
    });
  }

  /**
   * About the uncompressed size of a backup (documents plus line ends), from each table's row count and the
   * mean size of up to `BACKUP_SAMPLE_ROWS` rows spread over it; the ZIP itself is several times smaller.
   * Sampling reads a few pages instead of the whole store.
   */
  estimateBackupBytes(): number {
    let total = 0;
    for (const table of ['groups', 'entities', 'connections', 'events', 'knowledge', 'other_documents']) {
      const { rows, first, last } = this.statement(`SELECT COUNT(*) AS rows, MIN(rowid) AS first, MAX(rowid) AS last FROM ${table}`).get() as {
        rows: number;
        first: number | null;
        last: number | null;
      };
      if (rows === 0 || first === null || last === null) continue;
      const sample = this.statement(`SELECT LENGTH(CAST(doc AS BLOB)) FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT 1`).pluck(true);
      const samples = Math.min(rows, BACKUP_SAMPLE_ROWS);
      let bytes = 0;
      for (let index = 0; index < samples; index++) {
        bytes += (sample.get(first + Math.floor(((last - first) * index) / samples)) as number | undefined) ?? 0;
      }
      total += Math.ceil((bytes / samples + 1) * rows);
    }
    return total;
  }

  /** Records in all ontology tables. */
  totalRecords(): number {
    let total = 0;
    for (const table of ['groups', 'entities', 'connections', 'events', 'knowledge']) {
      total += (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    }
    return total;
  }

  // ---- batches --------------------------------------------------------------------------------------------

  /**
   * Patches the next `limit` records of `table` that need it (after storage position `cursor`), writing one
   * journal row per record and the run's checkpoint, all in one transaction. `beforeCommit` runs inside the
   * transaction after every write (test hook).
   */
  applyBatch(input: {
    runId: string;
    table: MigratedTable;
    cursor: number;
    limit: number;
    defaultGroupId: string;
    fence: LeaseFence;
    checkpoint: (result: BatchResult) => Checkpoint & { batches: number; updatedAt: number };
    beforeCommit?: () => void;
  }): BatchResult {
    const { table, defaultGroupId } = input;
    const statements = this.batchStatements(table);
    const [firstSource, secondSource] = ASSIGNMENT_SOURCES[table];
    const groupColumn = TABLE_COLUMNS[table].indexOf('group_id');
    const versionColumn = TABLE_COLUMNS[table].indexOf('schema_version');

    return this.transaction(() => {
      this.fence(input.fence);
      const rows = statements.select.all(input.cursor, input.limit) as [
        number,
        string,
        string,
        string | null,
        string | null,
        string | null,
        number | null,
      ][];
      const result: BatchResult = {
        changed: 0,
        cursor: rows.at(-1)?.[0] ?? input.cursor,
        finished: rows.length < input.limit,
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
        let groupId: string | undefined;
        let source: AssignmentSource = 'legacyDefault';
        if (!hasGroup) {
          const firstGroup = first === null ? undefined : (statements.groupOfEntity.get(first) as string | null | undefined);
          if (firstGroup) {
            groupId = firstGroup;
            source = firstSource;
          } else {
            const secondGroup = second === null ? undefined : (statements.groupOfEntity.get(second) as string | null | undefined);
            if (secondGroup) {
              groupId = secondGroup;
              source = secondSource;
            } else groupId = defaultGroupId;
          }
        }
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
        if (groupId !== undefined) {
          result.groupIdsWritten++;
          result.assignments[source] = (result.assignments[source] ?? 0) + 1;
        }
        if (setVersion) result.schemaVersionsWritten++;
      }
      const checkpoint = input.checkpoint(result);
      this.updateRun(input.runId, checkpoint);
      input.beforeCommit?.();
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
   * Decides what undoing one journal entry does to the current document: the reverted text and the new
   * group_id / schema_version column values, or why it is left alone.
   */
  private classify(
    entry: JournalRow,
    current: string | undefined,
  ): { outcome: UndoOutcome; conflictFields: string[]; text: string | null; groupColumn: unknown; versionColumn: unknown } {
    const none = { text: null, groupColumn: null, versionColumn: null };
    if (current === undefined) return { outcome: 'missing', conflictFields: [], ...none };
    const fields: { name: 'groupId' | 'schemaVersion'; before: string | null; written: string }[] = [];
    if (entry.group_id_written !== null) fields.push({ name: 'groupId', before: entry.group_id_before, written: entry.group_id_written });
    if (entry.schema_version_written !== null) {
      fields.push({ name: 'schemaVersion', before: entry.schema_version_before, written: entry.schema_version_written });
    }
    // Fast path: the fields were absent and are still exactly what the run appended, at the end.
    if (fields.every((field) => field.before === null)) {
      const suffix = fields.map((field) => `,"${field.name}":${field.written}`).join('') + '}';
      if (current.endsWith(suffix)) {
        // The reverted fields are absent again, so their columns are NULL.
        return { outcome: 'reverted', conflictFields: [], text: current.slice(0, -suffix.length) + '}', groupColumn: null, versionColumn: null };
      }
    }
    const document = parseDocument(current, 'uniform') as Record<string, ConvexValue>;
    const conflictFields: string[] = [];
    let reverted = 0;
    for (const field of fields) {
      const present = Object.hasOwn(document, field.name);
      if (!present || stringifyUniform(document[field.name]!) !== field.written) {
        conflictFields.push(field.name);
        continue;
      }
      if (field.before === null) delete document[field.name];
      else document[field.name] = parseConvexJson(field.before, 'uniform');
      reverted++;
    }
    if (reverted === 0) return { outcome: 'conflict', conflictFields, ...none };
    const columns = indexedColumns(entry.table_name, document);
    const versionIndex = TABLE_COLUMNS[entry.table_name].indexOf('schema_version');
    return {
      outcome: conflictFields.length > 0 ? 'partial' : 'reverted',
      conflictFields,
      text: stringifyUniform(document as ConvexDocument),
      groupColumn: columns[TABLE_COLUMNS[entry.table_name].indexOf('group_id')],
      versionColumn: versionIndex >= 0 ? columns[versionIndex] : undefined,
    };
  }

  /**
   * Reverts the next `limit` journal entries of `targetRunId` after `cursor` (journal sequence), only where the
   * current value is still the one written. With `apply` unset, classifies without writing (dry run). With
   * `apply`, records each entry's outcome and the undo run's checkpoint in the same transaction.
   */
  undoBatch(input: {
    targetRunId: string;
    cursor: number;
    limit: number;
    conflictLimit: number;
    /** The run's legacy-default group id as JSON text: reverted groupIds equal to it are counted. */
    defaultGroupText?: string | null;
    apply?: {
      undoRunId: string;
      fence: LeaseFence;
      checkpoint: (result: UndoBatchResult) => Checkpoint & { batches: number; updatedAt: number };
      beforeCommit?: () => void;
    };
  }): UndoBatchResult {
    const work = (): UndoBatchResult => {
      if (input.apply) this.fence(input.apply.fence);
      const entries = this.statement(
        `SELECT seq, table_name, record_id, group_id_before, group_id_written, schema_version_before, schema_version_written
         FROM migration_journal WHERE seq > ? AND run_id = ? ORDER BY seq LIMIT ?`,
      ).all(input.cursor, input.targetRunId, input.limit) as JournalRow[];
      const result: UndoBatchResult = {
        cursor: entries.at(-1)?.seq ?? input.cursor,
        finished: entries.length < input.limit,
        entries: entries.length,
        reverted: 0,
        partial: 0,
        conflicts: [],
        conflictCount: 0,
        missing: 0,
        byTable: {},
        defaultGroupReleased: 0,
      };
      if (input.apply && entries.length > 0) {
        // Most entries revert cleanly: mark the range so, then correct the others one by one.
        this.statement(`UPDATE migration_journal SET undo_run_id = ?, undo_outcome = 'reverted' WHERE seq > ? AND seq <= ? AND run_id = ?`).run(
          input.apply.undoRunId,
          input.cursor,
          result.cursor,
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
          if (input.apply && text !== null) {
            const groupValue = conflictFields.includes('groupId') || entry.group_id_written === null ? undefined : groupColumn;
            this.revertRow(table, row![0], text, groupValue, entry.schema_version_written !== null && !conflictFields.includes('schemaVersion') ? versionColumn : undefined);
          }
          if (entry.group_id_written !== null && entry.group_id_written === input.defaultGroupText && !conflictFields.includes('groupId')) {
            result.defaultGroupReleased++;
          }
        }
        if (outcome === 'missing') result.missing++;
        if (outcome !== 'reverted') {
          result.conflictCount++;
          if (result.conflicts.length < input.conflictLimit) result.conflicts.push({ table, recordId: entry.record_id, fields: conflictFields, outcome });
          if (input.apply) mark.run(outcome, conflictFields.length ? conflictFields.join(',') : null, entry.seq);
        }
      }
      if (input.apply) {
        this.updateRun(input.apply.undoRunId, input.apply.checkpoint(result));
        input.apply.beforeCommit?.();
      }
      return result;
    };
    return input.apply ? this.transaction(work) : work();
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

  /** Conflicts an undo recorded (records it left alone), up to `limit`, and their total. */
  recordedConflicts(undoRunId: string, limit: number): { total: number; conflicts: UndoConflict[] } {
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
   * True when at least one record in `run`'s journal still holds a value the run wrote (its groupId, or an
   * entity's schemaVersion 1). False once the data the run migrated is gone: replaced by `import --replace`,
   * `seed --replace` or a restore of an older backup. Stops at the first such record, so a live run costs one
   * lookup; a run whose data is gone costs one indexed lookup per journal entry.
   */
  holdsWrittenValues(run: Pick<RunRecord, 'id' | 'journalStart'>): boolean {
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
      .get(run.journalStart, run.id);
    return hit !== undefined;
  }

  /** Removes a store setting (e.g. the v1-migration-completed marker after an undo or restore). */
  clearMeta(key: string): void {
    this.db.prepare('DELETE FROM store_meta WHERE key = ?').run(key);
  }

  // ---- the legacy-default group -----------------------------------------------------------------------------

  /**
   * Records that reference a group: ontology records with that groupId (the migration's own audit events
   * excepted) and groups naming it as parent.
   */
  groupReferences(groupId: string): number {
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

  /** Deletes a group document; true when it existed. */
  deleteGroup(groupId: string): boolean {
    return this.db.prepare('DELETE FROM groups WHERE id = ?').run(groupId).changes === 1;
  }
}
