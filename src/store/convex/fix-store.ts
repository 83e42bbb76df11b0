/**
 * The `FixStore` port over a Convex deployment: each step is one call of `convex/fix.ts` (one mutation for
 * every write step, fenced by the lease inside it). A lost lease comes back as `LeaseLostError`, a bad cursor
 * as `InvalidArgumentError`, as from the SQLite adapter.
 */
import type { FinishFixUndoInput, FixBatchResult, FixStore, FixUndoBatchInput, FixUndoBatchResult, OrphanBatchInput, OrphanPage, OrphanTable } from '../../fix/port.ts';
import type { ConvexValue } from '../../ontology/values.ts';
import type { ConvexCaller } from './client.ts';
import { translate } from './migration-store.ts';

/** Records per fix batch at most (the server's `MAX_FIX_RECORDS`, which keeps a batch at ≤ 2,048 index ranges). */
export const CONVEX_MAX_FIX_BATCH = 1_000;

/** The fixes' operations on one Convex deployment (constructed by the composition root). */
export class ConvexFixStore implements FixStore {
  readonly maxBatchSize = CONVEX_MAX_FIX_BATCH;

  constructor(private readonly caller: ConvexCaller) {}

  private async call<T>(kind: 'query' | 'mutation', name: string, args: Record<string, unknown>): Promise<T> {
    try {
      return kind === 'query' ? await this.caller.query<T>(`fix:${name}`, args as never) : await this.caller.mutation<T>(`fix:${name}`, args as never);
    } catch (error) {
      throw translate(error);
    }
  }

  orphanPage(table: OrphanTable, groupId: string | null, cursor: string | null): Promise<OrphanPage> {
    return this.call('query', 'orphanPage', { table, groupId, cursor });
  }

  archivePage(cursor: string | null): Promise<{ count: number; connectionIds: string[]; continueCursor: string | null }> {
    return this.call('query', 'archivePage', { cursor });
  }

  applyOrphanBatch(input: OrphanBatchInput): Promise<FixBatchResult> {
    return this.call('mutation', 'applyOrphanBatch', { ...input });
  }

  undoFixBatch(input: FixUndoBatchInput): Promise<FixUndoBatchResult> {
    return this.call('mutation', 'undoFixBatch', { ...input });
  }

  async finishFixUndo(input: FinishFixUndoInput): Promise<void> {
    await this.call('mutation', 'finishFixUndo', { ...input, result: input.result as ConvexValue });
  }
}
