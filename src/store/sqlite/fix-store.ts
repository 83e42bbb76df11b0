/**
 * The SQLite implementation of the `FixStore` port (`src/fix/port.ts`). The archive table lives in
 * `other_documents` like every table outside the ontology, so exports and backups carry it; an orphaned
 * connection's rowid is journalled, so an exact undo puts it back at the same place in storage order and the
 * export after the undo is byte-identical to the one before the fix. Each write step is one transaction fenced
 * by the migration lease. Cursors are rowids and journal sequence numbers, as decimal strings.
 */
import { InvalidArgumentError } from '../../errors.ts';
import { ARCHIVE_TABLE, type FinishFixUndoInput, type FixBatchResult, type FixStore, type FixUndoBatchInput, type FixUndoBatchResult, type OrphanBatchInput, type OrphanPage, type OrphanTable } from '../../fix/port.ts';
import { archiveFields, missingReferences, referencedIds, unlinkedKnowledge } from '../../fix/rules.ts';
import { newConvexId } from '../../ontology/ids.ts';
import { parseDocument, stringifyUniform, type ConvexDocument } from '../../ontology/values.ts';
import { noCrashPoints, type CrashPoint } from '../../migration/test-hooks.ts';
import { FIX_SCHEMA } from './fix-schema.ts';
import type { SqliteMigrationStore } from './migration-store.ts';
import { indexedColumns, insertSql, TABLE_COLUMNS } from './schema.ts';

/** Rows looked at per plan page. */
const PAGE_ROWS = 10_000;
/** Records per batch at most (one transaction; the service sizes batches below it). */
const SQLITE_MAX_FIX_BATCH = 50_000;

/** SQL condition (over alias `r`) selecting records of a table whose references may be dangling; the shared rule decides. */
const CANDIDATE: Record<OrphanTable, string> = {
  connections:
    '(r.from_id IS NULL OR r.to_id IS NULL OR NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = r.from_id) OR NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = r.to_id))',
  knowledge: '(r.source_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = r.source_id))',
};

interface CandidateRow {
  position: number;
  id: string;
  doc: string;
}

interface JournalRow {
  seq: number;
  table_name: OrphanTable;
  record_id: string;
  position: number;
  before_doc: string;
  written_doc: string | null;
  archive_id: string | null;
}

function decodePosition(cursor: string | null, what = 'cursor'): number {
  if (cursor === null) return 0;
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(Number(cursor))) {
    throw new InvalidArgumentError(`${what} "${cursor}" is not a cursor of this SQLite store: pass back a cursor the store returned, or null to start.`);
  }
  return Number(cursor);
}

/** The fixes' operations on one SQLite store. */
export class SqliteFixStore implements FixStore {
  readonly maxBatchSize = SQLITE_MAX_FIX_BATCH;
  private readonly crash: CrashPoint;
  private readonly pageRows: number;

  constructor(
    private readonly migrations: SqliteMigrationStore,
    options: { crash?: CrashPoint; pageRows?: number } = {},
  ) {
    this.db.exec(FIX_SCHEMA);
    this.crash = options.crash ?? noCrashPoints;
    this.pageRows = options.pageRows ?? PAGE_ROWS;
  }

  private get db() {
    return this.migrations.store.database;
  }

  /** Candidates of `table` after rowid `after` (and up to `until`, when given), judged by the shared rule. */
  private orphansAfter(table: OrphanTable, groupId: string | null, after: number, limit: number, until: number | null) {
    const rows = this.db
      .prepare(
        `SELECT r.rowid AS position, r.id AS id, r.doc AS doc FROM ${table} r WHERE r.rowid > ? ${until === null ? '' : 'AND r.rowid <= ?'}
         ${groupId === null ? '' : 'AND r.group_id = ?'} AND ${CANDIDATE[table]} ORDER BY r.rowid LIMIT ?`,
      )
      .all(...[after, ...(until === null ? [] : [until]), ...(groupId === null ? [] : [groupId]), limit]) as CandidateRow[];
    const exists = this.db.prepare('SELECT 1 FROM entities WHERE id = ?').pluck();
    const out: { row: CandidateRow; doc: ConvexDocument; missingIds: string[] }[] = [];
    for (const row of rows) {
      const doc = parseDocument(row.doc, 'uniform');
      const known = new Set(referencedIds(table, doc).filter((id) => exists.get(id) !== undefined));
      const missingIds = missingReferences(table, doc, (id) => known.has(id));
      if (missingIds !== null) out.push({ row, doc, missingIds });
    }
    return { rows, orphans: out };
  }

  async orphanPage(table: OrphanTable, groupId: string | null, cursor: string | null): Promise<OrphanPage> {
    const after = decodePosition(cursor);
    const until = after + this.pageRows;
    const { orphans } = this.orphansAfter(table, groupId, after, Number.MAX_SAFE_INTEGER, until);
    const last = (this.db.prepare(`SELECT MAX(rowid) FROM ${table}`).pluck().get() as number | null) ?? 0;
    return {
      records: orphans.map(({ row, doc, missingIds }) => ({
        table,
        recordId: row.id,
        groupId: typeof doc.groupId === 'string' && doc.groupId !== '' ? doc.groupId : null,
        missingIds,
      })),
      continueCursor: until < last ? String(until) : null,
    };
  }

  async archivePage(cursor: string | null): Promise<{ count: number; connectionIds: string[]; continueCursor: string | null }> {
    const after = decodePosition(cursor);
    const rows = this.db
      .prepare('SELECT rowid AS position, doc FROM other_documents WHERE table_name = ? AND rowid > ? ORDER BY rowid LIMIT ?')
      .all(ARCHIVE_TABLE, after, this.pageRows) as { position: number; doc: string }[];
    return {
      count: rows.length,
      connectionIds: rows.map((row) => String(parseDocument(row.doc, 'uniform').connectionId)),
      continueCursor: rows.length === this.pageRows ? String(rows.at(-1)!.position) : null,
    };
  }

  async applyOrphanBatch(input: OrphanBatchInput): Promise<FixBatchResult> {
    if (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > this.maxBatchSize) {
      throw new InvalidArgumentError(`batch size must be a whole number from 1 to ${this.maxBatchSize}, got ${input.limit}.`);
    }
    const after = decodePosition(input.cursor);
    return this.db
      .transaction((): FixBatchResult => {
        // Step 1: the lease and the run.
        this.migrations.fenceSync(input.fence);
        const run = this.migrations.getRunSync(input.runId);
        if (!run) throw new InvalidArgumentError(`No fix run ${input.runId}: see \`ontology-ops migration-status\` for run ids.`);
        // Step 2: the next orphans, each fixed and journalled.
        const { rows, orphans } = this.orphansAfter(input.table, input.groupId, after, input.limit, null);
        const journal = this.db.prepare(
          'INSERT INTO fix_journal (run_id, table_name, record_id, position, before_doc, written_doc, archive_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        let archiveTableCreated = false;
        for (const { row, doc, missingIds } of orphans) {
          if (input.table === 'connections') {
            archiveTableCreated ||= this.db.prepare('SELECT 1 FROM convex_tables WHERE name = ?').get(ARCHIVE_TABLE) === undefined;
            const archiveId = newConvexId(this.migrations.store.tableNumber(ARCHIVE_TABLE));
            const archive = { _id: archiveId, _creationTime: this.nextArchiveTime(input.fence.now), ...archiveFields(doc, missingIds, input.runId, input.fence.now) };
            this.db
              .prepare('INSERT INTO other_documents (table_name, id, creation_time, doc) VALUES (?, ?, ?, ?)')
              .run(ARCHIVE_TABLE, archiveId, archive._creationTime, stringifyUniform(archive));
            this.db.prepare('DELETE FROM connections WHERE rowid = ?').run(row.position);
            journal.run(input.runId, input.table, row.id, row.position, row.doc, null, archiveId);
          } else {
            const next = unlinkedKnowledge(doc);
            const text = stringifyUniform(next);
            this.db
              .prepare(`UPDATE knowledge SET ${TABLE_COLUMNS.knowledge.map((column) => `${column} = ?`).join(', ')}, doc = ? WHERE rowid = ?`)
              .run(...indexedColumns('knowledge', next), text, row.position);
            journal.run(input.runId, input.table, row.id, row.position, row.doc, text, null);
          }
        }
        const finished = rows.length < input.limit;
        const cursor = rows.length > 0 ? String(rows.at(-1)!.position) : input.cursor;
        // Step 3: the checkpoint with the changes.
        const progress = { ...run.progress };
        const entry = progress[input.table] ?? { total: 0, done: 0 };
        progress[input.table] = { total: entry.total, done: entry.done + orphans.length };
        const saved = (run.result ?? {}) as { archiveTableCreated?: boolean };
        const batches = run.batches + 1;
        this.crash(`in-fix-batch:${batches}`);
        this.migrations.updateRunSync(input.runId, {
          phase: input.table,
          cursor,
          progress,
          batches,
          updatedAt: input.fence.now,
          result: { ...saved, archiveTableCreated: saved.archiveTableCreated === true || archiveTableCreated },
        });
        return { changed: orphans.length, cursor, finished, batches };
      })
      .immediate();
  }

  /** Creation times of archive documents increase, as Convex's do. */
  private nextArchiveTime(now: number): number {
    const last = (this.db.prepare('SELECT MAX(creation_time) FROM other_documents WHERE table_name = ?').pluck().get(ARCHIVE_TABLE) as number | null) ?? 0;
    return now > last ? now : last + 0.001;
  }

  async undoFixBatch(input: FixUndoBatchInput): Promise<FixUndoBatchResult> {
    if (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > this.maxBatchSize) {
      throw new InvalidArgumentError(`undo batch size must be a whole number from 1 to ${this.maxBatchSize}, got ${input.limit}.`);
    }
    const after = decodePosition(input.cursor, 'journal cursor');
    return this.db
      .transaction((): FixUndoBatchResult => {
        this.migrations.fenceSync(input.fence);
        const undo = this.migrations.getRunSync(input.undoRunId);
        if (!undo) throw new InvalidArgumentError(`No undo run ${input.undoRunId}: see \`ontology-ops migration-status\` for run ids.`);
        const entries = this.db
          .prepare('SELECT * FROM fix_journal WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?')
          .all(input.targetRunId, after, input.limit) as JournalRow[];
        const result: FixUndoBatchResult = {
          cursor: entries.length > 0 ? String(entries.at(-1)!.seq) : input.cursor,
          finished: entries.length < input.limit,
          batches: undo.batches + 1,
          entries: entries.length,
          reverted: 0,
          conflicts: [],
          byTable: {},
        };
        for (const entry of entries) {
          const reverted = entry.table_name === 'connections' ? this.restoreConnection(entry) : this.restoreKnowledge(entry);
          if (reverted) {
            result.reverted++;
            result.byTable[entry.table_name] = (result.byTable[entry.table_name] ?? 0) + 1;
          } else result.conflicts.push({ table: entry.table_name, recordId: entry.record_id });
          this.db.prepare('UPDATE fix_journal SET undo_run_id = ?, undo_outcome = ? WHERE seq = ?').run(input.undoRunId, reverted ? 'reverted' : 'conflict', entry.seq);
        }
        this.crash(`in-fix-undo-batch:${result.batches}`);
        const saved = (undo.result as { totals?: { entries: number; reverted: number; conflictCount: number; byTable: Record<string, number> } } | null)?.totals ?? {
          entries: 0,
          reverted: 0,
          conflictCount: 0,
          byTable: {},
        };
        const byTable = { ...saved.byTable };
        for (const [table, count] of Object.entries(result.byTable)) byTable[table] = (byTable[table] ?? 0) + count;
        const totals = { entries: saved.entries + result.entries, reverted: saved.reverted + result.reverted, conflictCount: saved.conflictCount + result.conflicts.length, byTable };
        this.migrations.updateRunSync(input.undoRunId, {
          phase: 'undo',
          cursor: result.cursor,
          batches: result.batches,
          progress: { undo: { total: undo.progress.undo?.total ?? 0, done: totals.entries } },
          updatedAt: input.fence.now,
          result: { totals },
        });
        return result;
      })
      .immediate();
  }

  /** Moves an archived connection back (same id, creation time, document and rowid when free); false when it cannot. */
  private restoreConnection(entry: JournalRow): boolean {
    if (this.db.prepare('SELECT 1 FROM connections WHERE id = ?').get(entry.record_id) !== undefined) return false;
    const archived = this.db.prepare('DELETE FROM other_documents WHERE table_name = ? AND id = ?').run(ARCHIVE_TABLE, entry.archive_id);
    if (archived.changes !== 1) return false;
    const doc = parseDocument(entry.before_doc, 'uniform');
    const values = [doc._id, doc._creationTime, ...indexedColumns('connections', doc), entry.before_doc];
    const taken = this.db.prepare('SELECT 1 FROM connections WHERE rowid = ?').get(entry.position) !== undefined;
    // Its own rowid keeps the storage (and export) order; taken by a newer connection, it goes at the end.
    if (taken) this.db.prepare(insertSql('connections')).run(...values);
    else this.db.prepare(insertSql('connections').replace('(id,', '(rowid, id,').replace('VALUES (', 'VALUES (?, ')).run(entry.position, ...values);
    return true;
  }

  /** Gives a knowledge record its document back when it still holds what the fix wrote. */
  private restoreKnowledge(entry: JournalRow): boolean {
    const current = this.db.prepare('SELECT doc FROM knowledge WHERE id = ?').pluck().get(entry.record_id) as string | undefined;
    if (current === undefined || current !== entry.written_doc) return false;
    const doc = parseDocument(entry.before_doc, 'uniform');
    this.db
      .prepare(`UPDATE knowledge SET ${TABLE_COLUMNS.knowledge.map((column) => `${column} = ?`).join(', ')}, doc = ? WHERE id = ?`)
      .run(...indexedColumns('knowledge', doc), entry.before_doc, entry.record_id);
    return true;
  }

  async finishFixUndo(input: FinishFixUndoInput): Promise<void> {
    this.db
      .transaction(() => {
        this.migrations.fenceSync(input.fence);
        const target = this.migrations.getRunSync(input.targetRunId);
        const created = (target?.result as { archiveTableCreated?: boolean } | null)?.archiveTableCreated === true;
        const left = this.db.prepare('SELECT 1 FROM other_documents WHERE table_name = ? LIMIT 1').get(ARCHIVE_TABLE) !== undefined;
        // The fix registered the archive table: an empty one goes with the undo, so exports are as before.
        if (created && !left) this.db.prepare('DELETE FROM convex_tables WHERE name = ?').run(ARCHIVE_TABLE);
        this.migrations.updateRunSync(input.targetRunId, { state: 'rolled_back', updatedAt: input.finishedAt });
        this.migrations.updateRunSync(input.undoRunId, { state: 'completed', finishedAt: input.finishedAt, updatedAt: input.finishedAt, result: input.result });
      })
      .immediate();
  }
}
