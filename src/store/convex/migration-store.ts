/**
 * The `MigrationStore` port over a Convex deployment: each step is one call of `convex/migration.ts` (one
 * mutation for every write step, fenced by the lease inside it); counts, plan pages and the scans behind
 * `crossGroupCreatedByRun`, `holdsWrittenValues`, `groupReferences` and `recordedConflicts` page through
 * bounded queries until done. A lost lease comes back as `LeaseLostError`, a bad cursor as
 * `InvalidArgumentError`, as from the SQLite adapter.
 */
import { InvalidArgumentError } from '../../errors.ts';
import { LeaseLostError } from '../../migration/lease.ts';
import type {
  ApplyBatchInput,
  BatchResult,
  BeginRunInput,
  FinishRestoreInput,
  FinishRunInput,
  FinishUndoInput,
  LeaseFence,
  MarkSupersededInput,
  MigratedTable,
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
} from '../../migration/port.ts';
import type { ConvexValue } from '../../ontology/values.ts';
import { convexErrorData, type ConvexCaller } from './client.ts';

/**
 * Records per batch at most: the server's `MAX_BATCH_RECORDS` (`convex/migrationBounds.ts`), which keeps a
 * connections batch — two endpoint `db.get`s per record — at ≤ 2,048 index ranges, half the limit.
 */
export const CONVEX_MAX_BATCH = 1_000;
/** Journal entries per undo batch at most (the server's `MAX_UNDO_ENTRIES`). */
export const CONVEX_MAX_UNDO_BATCH = 1_000;

const CONFLICT_OUTCOMES = ['partial', 'conflict', 'missing'] as const;

/** The module of each function: batches and undo in `convex/migration.ts`, the rest beside it. */
const MODULE_OF: Record<string, string> = {
  applyBatch: 'migration',
  undoBatch: 'migration',
  previewUndoBatch: 'migration',
  countPendingPage: 'migrationPages',
  planPage: 'migrationPages',
  crossGroupPage: 'migrationPages',
  holdsWrittenPage: 'migrationPages',
  groupReferencesPage: 'migrationPages',
  recordedConflictsPage: 'migrationPages',
};

/** `module:function` of a migration function (the registry and run steps are in `migrationRuns`). */
function pathOf(name: string): string {
  return `${MODULE_OF[name] ?? 'migrationRuns'}:${name}`;
}

/** Turns a function's deliberate failures into the errors the port promises (the fix store's too). */
export function translate(error: unknown): unknown {
  const data = convexErrorData(error);
  if (data?.code === 'LeaseLost') {
    const extra = (error as { data?: { name?: string; holder?: string } }).data;
    return new LeaseLostError(extra?.name ?? 'lease', extra?.holder ?? 'holder');
  }
  if (data?.code === 'InvalidArgument' || data?.code === 'NotFound') return new InvalidArgumentError(`${data.message}.`);
  return error;
}

/** The wire form of a run update: undefined fields left out. */
function wireUpdate(update: RunUpdate): Record<string, ConvexValue> {
  const out: Record<string, ConvexValue> = {};
  for (const [key, value] of Object.entries(update)) if (value !== undefined) out[key] = value as ConvexValue;
  return out;
}

/** The migration's operations on one Convex deployment (constructed by the composition root). */
export class ConvexMigrationStore implements MigrationStore {
  readonly maxBatchSize = CONVEX_MAX_BATCH;

  constructor(private readonly caller: ConvexCaller) {}

  /** Nothing to trim: the deployment holds no cache of this process. */
  operationScope(): { end(): void } {
    return { end: () => undefined };
  }

  private async query<T>(path: string, args: Record<string, unknown>): Promise<T> {
    try {
      return await this.caller.query<T>(pathOf(path), args as never);
    } catch (error) {
      throw translate(error);
    }
  }

  private async mutation<T>(path: string, args: Record<string, unknown>): Promise<T> {
    try {
      return await this.caller.mutation<T>(pathOf(path), args as never);
    } catch (error) {
      throw translate(error);
    }
  }

  // ---- run registry -------------------------------------------------------------------------------------

  createRun(run: NewRun): Promise<RunRecord> {
    return this.mutation('createRun', {
      id: run.id,
      kind: run.kind,
      state: run.state,
      actor: run.actor,
      holder: run.holder,
      targetRunId: run.targetRunId ?? null,
      startedAt: run.startedAt,
      batchSize: run.batchSize,
      backupFile: run.backupFile ?? null,
      phase: run.phase ?? null,
      plan: run.plan === undefined ? null : run.plan,
      progress: run.progress ?? {},
    });
  }

  getRun(id: string): Promise<RunRecord | null> {
    return this.query('getRun', { id });
  }

  async updateRun(id: string, update: RunUpdate): Promise<void> {
    await this.mutation('updateRun', { id, update: wireUpdate(update) });
  }

  findRuns(
    query: { kind?: RunKind; states?: readonly RunState[]; targetRunId?: string },
    cursor: string | null,
    limit: number,
  ): Promise<{ runs: RunRecord[]; continueCursor: string | null }> {
    return this.query('findRuns', { kind: query.kind ?? null, states: query.states === undefined ? null : [...query.states], targetRunId: query.targetRunId ?? null, cursor, limit });
  }

  // ---- counts and plan pages ----------------------------------------------------------------------------

  countPendingPage(table: MigratedTable, after: string | null, page: string | null): Promise<PendingCountPage> {
    return this.query('countPendingPage', { table, after, page });
  }

  planPage(table: Exclude<MigratedTable, 'entities'>, page: string | null, defaultGroupId: string | null): Promise<PlanPage> {
    return this.query('planPage', { table, page, defaultGroupId });
  }

  async crossGroupCreatedByRun(runId: string): Promise<{ connections: number; events: number }> {
    const count = async (table: 'connections' | 'events') => {
      let total = 0;
      let cursor: string | null = null;
      do {
        const page: { count: number; continueCursor: string | null } = await this.query('crossGroupPage', { runId, table, cursor });
        total += page.count;
        cursor = page.continueCursor;
      } while (cursor !== null);
      return total;
    };
    // Independent tables page concurrently (the caller bounds requests in flight).
    const [connections, events] = await Promise.all([count('connections'), count('events')]);
    return { connections, events };
  }

  async holdsWrittenValues(runId: string): Promise<boolean> {
    let cursor: string | null = null;
    do {
      const page: { holds: boolean; continueCursor: string | null } = await this.query('holdsWrittenPage', { runId, cursor });
      if (page.holds) return true;
      cursor = page.continueCursor;
    } while (cursor !== null);
    return false;
  }

  async groupReferences(groupId: string): Promise<number> {
    let total = 0;
    let cursor: string | null = null;
    do {
      const page: { count: number; continueCursor: string | null } = await this.query('groupReferencesPage', { groupId, cursor });
      total += page.count;
      cursor = page.continueCursor;
    } while (cursor !== null);
    return total;
  }

  async recordedConflicts(undoRunId: string, limit: number): Promise<{ total: number; conflicts: UndoConflict[] }> {
    let total = 0;
    const first: { seq: number; conflict: UndoConflict }[] = [];
    for (const outcome of CONFLICT_OUTCOMES) {
      let cursor: string | null = null;
      let firstPage = true;
      do {
        const page: { count: number; conflicts: { seq: number; conflict: UndoConflict }[]; continueCursor: string | null } = await this.query('recordedConflictsPage', {
          undoRunId,
          outcome,
          cursor,
          limit: firstPage ? limit : 0,
        });
        total += page.count;
        first.push(...page.conflicts);
        cursor = page.continueCursor;
        firstPage = false;
      } while (cursor !== null);
    }
    // Each outcome's first entries come in journal order; merged, the first `limit` are the journal's first.
    first.sort((a, b) => a.seq - b.seq);
    return { total, conflicts: first.slice(0, limit).map((entry) => entry.conflict) };
  }

  // ---- steps of a run -----------------------------------------------------------------------------------

  async fence(fence: LeaseFence): Promise<void> {
    await this.mutation('fence', { fence });
  }

  beginRun(input: BeginRunInput): Promise<{ defaultGroupId: string; created: boolean }> {
    return this.mutation('beginRun', input);
  }

  async applyBatch(input: ApplyBatchInput): Promise<BatchResult> {
    if (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > this.maxBatchSize) {
      throw new InvalidArgumentError(`batch size must be a whole number from 1 to ${this.maxBatchSize}, got ${input.limit}.`);
    }
    // A batch that meets a limit wrote nothing; the same batch, smaller, goes on from the same cursor.
    const { value } = await this.caller.shrinking(input.limit, (limit) => this.mutation<BatchResult>('applyBatch', { ...input, limit }));
    return value;
  }

  async finishRun(input: FinishRunInput): Promise<void> {
    await this.mutation('finishRun', { ...input, update: wireUpdate(input.update) });
  }

  async markSuperseded(input: MarkSupersededInput): Promise<void> {
    await this.mutation('markSuperseded', { ...input, runIds: [...input.runIds] });
  }

  // ---- the exact undo -----------------------------------------------------------------------------------

  async undoBatch(input: UndoBatchInput): Promise<UndoBatchResult> {
    const limit = Math.min(input.limit, CONVEX_MAX_UNDO_BATCH);
    const apply = input.apply;
    const { value } = await this.caller.shrinking(limit, (size) => {
      const args = { targetRunId: input.targetRunId, cursor: input.cursor, limit: size, conflictLimit: input.conflictLimit, defaultGroupId: input.defaultGroupId };
      if (apply === undefined) return this.query<UndoBatchResult>('previewUndoBatch', args);
      return this.mutation<UndoBatchResult>('undoBatch', { ...args, undoRunId: apply.undoRunId, fence: apply.fence });
    });
    return value;
  }

  async finishUndo(input: FinishUndoInput): Promise<{ removed: boolean; references: number; cleared: boolean }> {
    // The mutation scans the group's events a bounded page per call; it finishes the undo in the call that ends it.
    let referenceCursor: string | null = null;
    let done: { removed: boolean; cleared: boolean; continueCursor: string | null };
    do {
      done = await this.mutation('finishUndo', { ...input, referenceCursor });
      referenceCursor = done.continueCursor;
    } while (referenceCursor !== null);
    // Only whether the group is referenced is learnt (bounded); a group kept is counted page by page.
    let references = 0;
    if (!done.removed) {
      const target = await this.getRun(input.targetRunId);
      references = target?.defaultGroupId ? await this.groupReferences(target.defaultGroupId) : 0;
    }
    return { removed: done.removed, references, cleared: done.cleared };
  }

  async finishRestore(input: FinishRestoreInput): Promise<void> {
    await this.mutation('finishRestore', { ...input, result: input.result ?? null });
  }
}
