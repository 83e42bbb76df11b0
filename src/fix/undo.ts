/**
 * The exact undo of a fix run (`rollback --run <id>`): journal batches put each record back where it still
 * holds what the fix wrote (an archived connection moves back with its id, creation time and fields; a
 * knowledge record gets its document back), each batch one atomic store step with its checkpoint; then one step
 * marks the fix rolled back and the undo completed. A dry run counts the entries and writes nothing.
 */
import { ErrorCode, NotFoundError, OpsError } from '../errors.ts';
import { fenceFor, latestRun, nextTurn, releaseLease, takeLease, type MigrationContext } from '../migration/context.ts';
import type { RunRecord } from '../migration/port.ts';
import { StepMeter } from '../migration/progress.ts';
import { DEFAULT_BATCH_SIZE } from '../migration/run.ts';
import { claimUndoRun } from '../migration/undo.ts';
import type { UndoOptions, UndoReport } from '../migration/types.ts';
import { ORPHAN_TABLES, type FixStore } from './port.ts';

/** Running totals a fix undo keeps on its run. */
interface FixUndoTotals {
  entries: number;
  reverted: number;
  conflictCount: number;
  byTable: Record<string, number>;
}

function totalsOf(run: RunRecord): FixUndoTotals {
  const saved = (run.result as { totals?: FixUndoTotals } | null)?.totals;
  return saved ? { ...saved, byTable: { ...saved.byTable } } : { entries: 0, reverted: 0, conflictCount: 0, byTable: {} };
}

/** Journal entries of a fix run: one per record it changed, counted with each batch. */
function entriesOf(run: RunRecord): number {
  return ORPHAN_TABLES.reduce((sum, table) => sum + (run.progress[table]?.done ?? 0), 0);
}

function report(target: RunRecord, undoRunId: string | null, status: UndoReport['status'], totals: FixUndoTotals, conflicts: UndoReport['conflicts']): UndoReport {
  return {
    runId: target.id,
    undoRunId,
    status,
    entries: totals.entries,
    reverted: totals.reverted,
    partial: 0,
    conflictCount: totals.conflictCount,
    missing: 0,
    conflicts,
    byTable: totals.byTable,
    legacyDefaultGroup: { id: null, removed: false, references: 0 },
    v1MigrationCompletedCleared: false,
  };
}

/** Exact undo of one fix run (`dryRun`: the entries it would revert, nothing written). */
export async function undoFix(context: MigrationContext, fixes: FixStore, runId: string, options: UndoOptions): Promise<UndoReport> {
  const { migrations } = context;
  const target = await migrations.getRun(runId);
  if (!target || target.kind !== 'fix') throw new NotFoundError(`No fix run ${runId}: see \`ontology-ops migration-status\` for run ids.`);
  const existing = await latestRun(context, { kind: 'undo', targetRunId: runId });
  if (existing?.state === 'completed') return report(target, existing.id, existing.id === options.claimedRunId ? 'completed' : 'already_undone', totalsOf(existing), []);
  const entries = entriesOf(target);
  if (options.dryRun) {
    const done = existing ? totalsOf(existing) : null;
    return report(target, null, 'dry_run', { entries: entries - (done?.entries ?? 0), reverted: entries - (done?.entries ?? 0), conflictCount: 0, byTable: {} }, []);
  }
  const batchSize = Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, fixes.maxBatchSize);
  const idLimit = options.idLimit ?? 20;
  const emit = options.onProgress ?? (() => {});
  const holder = context.holderId();
  await takeLease(context, holder);
  try {
    const undo = await claimUndoRun(context, existing, { targetRunId: runId, holder, batchSize, entries, options });
    const undoId = undo.id;
    const conflicts: UndoReport['conflicts'] = [];
    let done = totalsOf(undo).entries;
    let cursor = undo.cursor;
    const meter = new StepMeter({ runId: undoId, operation: 'undo', phase: 'undo' }, context.monotonic, entries, done);
    emit(meter.report(done));
    for (;;) {
      await nextTurn();
      const batch = await fixes.undoFixBatch({ targetRunId: runId, undoRunId: undoId, cursor, limit: batchSize, fence: fenceFor(context, holder) });
      cursor = batch.cursor;
      done += batch.entries;
      for (const conflict of batch.conflicts) {
        if (conflicts.length < idLimit) conflicts.push({ table: conflict.table, recordId: conflict.recordId, fields: [], outcome: 'conflict' });
      }
      context.crash(`fix-undo-batch:${batch.batches}`);
      emit(meter.report(done, batch.finished));
      if (batch.finished) break;
    }
    const totals = totalsOf((await migrations.getRun(undoId)) ?? undo);
    const finishedAt = context.now();
    await fixes.finishFixUndo({ undoRunId: undoId, targetRunId: runId, fence: fenceFor(context, holder), finishedAt, result: { totals } });
    return report(target, undoId, 'completed', totals, conflicts);
  } catch (error) {
    if (error instanceof OpsError) throw error;
    throw new OpsError(
      ErrorCode.MigrationFailed,
      `The undo of fix ${runId} stopped: ${error instanceof Error ? error.message : String(error)}. Reverted batches are kept; rerun \`ontology-ops rollback --run ${runId}\` to finish it.`,
      { cause: error },
    );
  } finally {
    await releaseLease(context, holder);
  }
}
