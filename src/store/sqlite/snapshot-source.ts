/**
 * The SQLite adapter of the snapshot-source port: a read-only connection of its own inside one read
 * transaction, so every page comes from one consistent state of the store even while other work goes on.
 * A page is one statement over the rowid (a few thousand documents per call keeps it about as fast as one
 * streaming statement per table).
 */
import Database from 'better-sqlite3';
import { ONTOLOGY_TABLES, physicalTable, type NamingGeneration, type OntologyTable } from '../../ontology/naming.ts';
import type { SnapshotRead, SourcePage, SourceTable } from '../snapshot-source.ts';
import type { SqliteStore } from './sqlite-store.ts';

interface TableQuery {
  /** SQL of one page: parameters (after rowid, limit), plus the table name for other tables. */
  page: Database.Statement;
  params: unknown[];
}

/** Lets other work run between counting large tables. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Rows counted per statement: counting a large table in one statement would hold the event loop for a few hundred ms. */
const COUNT_SLICE_ROWS = 100_000;

/** The rows of `from` (of one `table_name` when `where` says so), counted a rowid slice at a time with yields between. */
async function countInSlices(database: Database.Database, from: string, where: string, params: unknown[]): Promise<number> {
  const last = (database.prepare(`SELECT MAX(rowid) FROM ${from}`).pluck().get() as number | null) ?? 0;
  const slice = database.prepare(`SELECT COUNT(*) FROM ${from} WHERE ${where}rowid > ? AND rowid <= ?`).pluck();
  let count = 0;
  for (let start = 0; start < last; start += COUNT_SLICE_ROWS) {
    count += slice.get(...params, start, start + COUNT_SLICE_ROWS) as number;
    await yieldToEventLoop();
  }
  return count;
}

/** A read of a SQLite store's data set: `await SqliteSnapshotRead.open(store)`. */
export class SqliteSnapshotRead implements SnapshotRead {
  private closed = false;

  private constructor(
    private readonly database: Database.Database,
    readonly naming: NamingGeneration,
    readonly tables: readonly SourceTable[],
    private readonly queries: Map<string, TableQuery>,
  ) {}

  /** Plans the tables (registering numbers for ontology tables that have none yet), then begins the read. */
  static async open(store: SqliteStore): Promise<SqliteSnapshotRead> {
    const naming = store.namingSync();
    const planned = new Map<string, { number: number; from: string; params: unknown[] }>();
    for (const table of ONTOLOGY_TABLES) {
      const name = physicalTable(table as OntologyTable, naming);
      planned.set(name, { number: store.tableNumber(name), from: table, params: [] });
    }
    const others = store.database.prepare('SELECT DISTINCT table_name FROM other_documents').pluck().all() as string[];
    const numbered = store.database.prepare('SELECT name FROM convex_tables').pluck().all() as string[];
    for (const name of [...others, ...numbered]) {
      // System tables (`_storage`, …) are not imported, only their numbers are kept: an empty `_storage` in a
      // snapshot would tell `npx convex import --replace-all` to delete every stored file.
      if (planned.has(name) || name.startsWith('_')) continue;
      planned.set(name, { number: store.tableNumber(name), from: 'other_documents', params: [name] });
    }
    const database = new Database(store.location, { readonly: true, fileMustExist: true });
    try {
      database.pragma('busy_timeout = 5000');
      // One read transaction: every table comes from the same state of the store.
      database.exec('BEGIN');
      const tables: SourceTable[] = [];
      const queries = new Map<string, TableQuery>();
      for (const [name, plan] of planned) {
        const where = plan.from === 'other_documents' ? 'table_name = ? AND ' : '';
        const count = await countInSlices(database, plan.from, where, plan.params);
        const page = database.prepare(`SELECT rowid, doc FROM ${plan.from} WHERE ${where}rowid > ? ORDER BY rowid LIMIT ?`).raw();
        tables.push({ name, number: plan.number, documents: count });
        queries.set(name, { page, params: plan.params });
      }
      tables.sort((a, b) => a.number - b.number);
      return new SqliteSnapshotRead(database, naming.generation, tables, queries);
    } catch (error) {
      database.close();
      throw error;
    }
  }

  async page(table: string, cursor: string | null, limit: number): Promise<SourcePage> {
    if (this.closed) throw new Error('this snapshot read is closed');
    const query = this.queries.get(table);
    if (!query) throw new Error(`no table ${JSON.stringify(table)} in this snapshot read`);
    const after = cursor === null ? 0 : Number(cursor);
    if (cursor !== null && (!/^\d+$/.test(cursor) || !Number.isSafeInteger(after))) throw new Error(`invalid page cursor ${JSON.stringify(cursor)}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`page limit must be a whole number ≥ 1, got ${limit}`);
    const rows = query.page.all(...query.params, after, limit) as [number, string][];
    const texts = new Array<string>(rows.length);
    for (let index = 0; index < rows.length; index++) texts[index] = rows[index]![1];
    const last = rows.at(-1);
    return { texts, continueCursor: rows.length === limit && last ? String(last[0]) : null };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.database.open) {
      if (this.database.inTransaction) this.database.exec('COMMIT');
      this.database.close();
    }
  }
}
