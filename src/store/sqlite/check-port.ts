/**
 * The check port over a SQLite store. By default it answers a whole scope in one page, scanned in the shared
 * check worker thread (see `check-scan.ts` for how, `check-workers.ts` for the threads), so the caller's event
 * loop stays free; a platform-wide scan shares its heavy pieces with helper threads (`threads` in all). With `pageSize` it answers one window of `pageSize` rowids of one table per page, the way the
 * Convex adapter pages: each page is then its own read transaction, as each Convex query is.
 *
 * Cursors: `table:afterRowid` for scans, `after:groupId` for the group listing; opaque to callers.
 */
import { InvalidArgumentError } from '../../errors.ts';
import { emptyScanResult } from '../../quality/paging.ts';
import { scanTablesOf, type CheckPort, type CheckScope, type GroupPage, type ScanPage, type ScanTable } from '../../quality/port.ts';
import { runCheckTask, type CheckTask, type ScanWindow, type WindowScanResult } from './check-scan.ts';
import { runCheckTaskInWorker } from './check-workers.ts';
import { META_KEYS, type SqliteStore } from './sqlite-store.ts';

export { stopCheckWorker, warmUpCheckWorker } from './check-workers.ts';

/** Groups listed per `groupPage` by default. */
export const DEFAULT_GROUP_PAGE_SIZE = 1000;

/** Options of `SqliteCheckPort`. */
export interface SqliteCheckPortOptions {
  /**
   * Run scans in the shared worker thread (default true). In-process is only for small stores and tests: it
   * blocks the event loop for the whole scan. An in-memory database always runs in-process (a worker cannot
   * open it).
   */
  useWorker?: boolean;
  /**
   * Rowids of one table per `scanPage` (default: none, the whole scope in one page, the fast path). A page size
   * makes every page re-read what a reference lookup needs, so it is for bounded answers and tests, not speed.
   */
  pageSize?: number;
  /** Group ids per `groupPage` (default 1,000). */
  groupPageSize?: number;
  /** Threads a platform-wide scan in the worker shares its pieces among (default: one per available core). */
  threads?: number;
}

function positiveWhole(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1, got ${value}.`);
  return value;
}

function badCursor(cursor: string, what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `The ${what} cursor "${cursor}" was not handed out by this store: pass null to start, or the continueCursor of the previous page.`,
  );
}

/** The window a scan cursor points at (null cursor: the first table of the scope). */
function windowOf(scope: CheckScope, cursor: string | null, pageSize: number): ScanWindow | null {
  const tables = scanTablesOf(scope);
  if (cursor === null) return tables.length === 0 ? null : { table: tables[0]!, afterRowid: 0, limit: pageSize };
  const match = /^(\w+):(\d+)$/.exec(cursor);
  const table = match?.[1] as ScanTable | undefined;
  if (!match || !table || !tables.includes(table) || !Number.isSafeInteger(Number(match[2]))) throw badCursor(cursor, 'scan');
  return { table, afterRowid: Number(match[2]), limit: pageSize };
}

/** The cursor after a window: the rest of its table, else the next table of the scope, else null. */
function cursorAfter(scope: CheckScope, window: ScanWindow, more: boolean): string | null {
  if (more) return `${window.table}:${window.afterRowid + window.limit}`;
  const tables = scanTablesOf(scope);
  const next = tables[tables.indexOf(window.table) + 1];
  return next === undefined ? null : `${next}:0`;
}

/** The check port over a SQLite store (one class per port; constructed by the composition root). */
export class SqliteCheckPort implements CheckPort {
  private readonly useWorker: boolean;
  private readonly pageSize: number | undefined;
  private readonly groupPageSize: number;
  private readonly threads: number | undefined;

  constructor(
    private readonly store: SqliteStore,
    options: SqliteCheckPortOptions = {},
  ) {
    this.useWorker = (options.useWorker ?? true) && !store.database.memory;
    this.pageSize = positiveWhole(options.pageSize, 'pageSize');
    this.groupPageSize = positiveWhole(options.groupPageSize, 'groupPageSize') ?? DEFAULT_GROUP_PAGE_SIZE;
    this.threads = positiveWhole(options.threads, 'threads');
  }

  private async run(task: CheckTask): Promise<WindowScanResult> {
    const result = this.useWorker ? await runCheckTaskInWorker(this.store.database.name, task, this.threads) : runCheckTask(this.store.database, task);
    return result!;
  }

  async scanPage(scope: CheckScope, cursor: string | null): Promise<ScanPage> {
    if (this.pageSize === undefined) {
      if (cursor !== null) throw badCursor(cursor, 'scan');
      const { result } = await this.run({ kind: 'scan', scope, window: null });
      return { result, continueCursor: null };
    }
    const window = windowOf(scope, cursor, this.pageSize);
    if (window === null) return { result: emptyScanResult(scope), continueCursor: null };
    const { result, more } = await this.run({ kind: 'scan', scope, window });
    return { result, continueCursor: cursorAfter(scope, window, more) };
  }

  async groupPage(cursor: string | null): Promise<GroupPage> {
    if (cursor !== null && !cursor.startsWith('after:')) throw badCursor(cursor, 'group');
    const after = cursor === null ? null : cursor.slice('after:'.length);
    const groupIds = this.store.database
      .prepare(`SELECT id FROM groups ${after === null ? '' : 'WHERE id > ?'} ORDER BY id LIMIT ?`)
      .pluck()
      .all(...(after === null ? [] : [after]), this.groupPageSize + 1) as string[];
    const more = groupIds.length > this.groupPageSize;
    if (more) groupIds.pop();
    return { groupIds, continueCursor: more ? `after:${groupIds[groupIds.length - 1]}` : null };
  }

  async v1MigrationCompleted(): Promise<boolean> {
    return this.store.getMetaSync(META_KEYS.v1MigrationCompletedAt) !== null;
  }
}
