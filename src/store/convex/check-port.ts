/**
 * The `CheckPort` over a Convex deployment: each `scanPage` is one call of `checks:scanPage` (one bounded page of
 * one table, judged server-side with the shared rules), each `groupPage` one call of `checks:groupPage`. A page
 * that fails on a transaction limit is asked again with half as many records (`ConvexCaller.shrinking`), and the
 * size that worked is kept for the following pages. `tableConcurrency` is the caller's request bound
 * (`maxConcurrency`), so a check over several tables keeps that many pages in flight, one table each, within
 * the same bound every other port of the deployment shares.
 *
 * Cursors: `scan:` or `groups:` followed by the deployment's own cursor; opaque to callers.
 */
import { InvalidArgumentError, OpsError } from '../../errors.ts';
import type { CheckPort, CheckScope, GroupPage, ScanPage } from '../../quality/port.ts';
import { convexErrorData, type ConvexCaller } from './client.ts';

/** Records per page asked for by default: the server's own bound (`MAX_RECORDS_PER_PAGE` in `convex/lib/checkPage.ts`). */
export const DEFAULT_RECORDS_PER_PAGE = 1_000;

const SCAN_PREFIX = 'scan:';
const GROUPS_PREFIX = 'groups:';

function badCursor(cursor: string, what: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `The ${what} cursor "${cursor}" was not handed out by this store: pass null to start, or the continueCursor of the previous page.`,
  );
}

/** Options of `ConvexCheckPort`. */
export interface ConvexCheckPortOptions {
  /** Records per scan page to start with (1–1,000, default 1,000). */
  recordsPerPage?: number;
}

/** The check port over a Convex deployment (constructed by the composition root). */
export class ConvexCheckPort implements CheckPort {
  /** The caller's request bound: `scanAll` scans up to that many tables side by side, one call per page. */
  readonly tableConcurrency: number;
  private recordsPerPage: number;

  constructor(
    private readonly caller: ConvexCaller,
    options: ConvexCheckPortOptions = {},
  ) {
    const size = options.recordsPerPage ?? DEFAULT_RECORDS_PER_PAGE;
    if (!Number.isSafeInteger(size) || size < 1 || size > DEFAULT_RECORDS_PER_PAGE) {
      throw new InvalidArgumentError(`recordsPerPage must be a whole number from 1 to ${DEFAULT_RECORDS_PER_PAGE}, got ${size}.`);
    }
    this.recordsPerPage = size;
    this.tableConcurrency = caller.maxConcurrency;
  }

  async scanPage(scope: CheckScope, cursor: string | null): Promise<ScanPage> {
    if (cursor !== null && !cursor.startsWith(SCAN_PREFIX)) throw badCursor(cursor, 'scan');
    const inner = cursor === null ? null : cursor.slice(SCAN_PREFIX.length);
    const wire = {
      categories: [...scope.categories],
      ...(scope.metricCounts === undefined ? {} : { metricCounts: scope.metricCounts }),
      ...(scope.tables === undefined ? {} : { tables: [...scope.tables] }),
      groupId: scope.groupId,
      now: scope.now,
      issueLimit: scope.issueLimit,
      v1MigrationCompleted: scope.v1MigrationCompleted,
      ...(scope.perGroup === undefined ? {} : { perGroup: scope.perGroup }),
    };
    try {
      const { value, size } = await this.caller.shrinking(this.recordsPerPage, (maxRecords) =>
        this.caller.query<ScanPage>('checks:scanPage', { scope: wire, cursor: inner, maxRecords }),
      );
      // Table scans run side by side: a page that started before another one shrank must not undo the shrink.
      this.recordsPerPage = Math.min(this.recordsPerPage, size);
      return { result: value.result, continueCursor: value.continueCursor === null ? null : SCAN_PREFIX + value.continueCursor };
    } catch (error) {
      if (cursor !== null && convexErrorData(error)?.code === 'InvalidArgument') throw badCursor(cursor, 'scan');
      throw error;
    }
  }

  async groupPage(cursor: string | null): Promise<GroupPage> {
    if (cursor !== null && !cursor.startsWith(GROUPS_PREFIX)) throw badCursor(cursor, 'group');
    try {
      const page = await this.caller.query<GroupPage>('checks:groupPage', { cursor: cursor === null ? null : cursor.slice(GROUPS_PREFIX.length) });
      return { groupIds: page.groupIds, continueCursor: page.continueCursor === null ? null : GROUPS_PREFIX + page.continueCursor };
    } catch (error) {
      if (cursor !== null && !(error instanceof OpsError)) throw badCursor(cursor, 'group');
      throw error;
    }
  }

  v1MigrationCompleted(): Promise<boolean> {
    return this.caller.query<boolean>('documents:v1MigrationCompleted', {});
  }
}
