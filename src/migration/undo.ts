/**
 * The exact undo of one migration run (`rollback --run <id>`): journal batches revert each record only where
 * it still holds what the run wrote (the pure `classifyUndo` rule), each batch one atomic store step with its
 * checkpoint; then one step finishes it (legacy-default group, run states, v1 marker, event). A dry run
 * classifies the same batches without writing.
 */
import { ErrorCode, NotFoundError, OpsError } from '../errors.ts';
import {
  auditEvent,
  fenceFor,
  isStale,
  latestRun,
  nextTurn,
  otherCompletedRuns,
  releaseLease,
  supersedeStaleRuns,
  takeLease,
  type MigrationContext,
} from './context.ts';
import type { RunRecord, UndoBatchResult, UndoTotals } from './port.ts';
import { StepMeter } from './progress.ts';
import { DEFAULT_BATCH_SIZE, journalEntriesOf } from './run.ts';
import type { UndoOptions, UndoReport } from './types.ts';

/** Default number of ids listed (conflicts, records a restore would lose). */
export const DEFAULT_ID_LIMIT = 20;

function undoTotalsOf(run: RunRecord): UndoTotals {
  const saved = (run.result as { totals?: UndoTotals } | null)?.totals;
  return saved ? { ...saved, byTable: { ...saved.byTable } } : { entries: 0, reverted: 0, partial: 0, conflictCount: 0, missing: 0, byTable: {} };
}

function addUndoTotals(totals: UndoTotals, batch: UndoBatchResult): void {
  totals.entries += batch.entries;
  totals.reverted += batch.reverted;
  totals.partial += batch.partial;
  totals.conflictCount += batch.conflictCount;
  totals.missing += batch.missing;
  for (const [table, count] of Object.entries(batch.byTable)) totals.byTable[table] = (totals.byTable[table] ?? 0) + count;
}

async function requireMigrationRun(context: MigrationContext, runId: string): Promise<RunRecord> {
  const run = await context.migrations.getRun(runId);
  if (!run || run.kind !== 'migrate') throw new NotFoundError(`No migration run ${runId}: see \`ontology-ops migration-status\` for run ids.`);
  return run;
}

function refuseSuperseded(runId: string): never {
  throw new OpsError(
    ErrorCode.Conflict,
    `Run ${runId} is superseded: none of its records holds what it wrote any more (the data was replaced since), so there is nothing to undo; ` +
      'see `ontology-ops migration-status`.',
  );
}

/**
 * The undo run of `targetRunId`, held by `holder` and running: the unfinished one resumed (`existing`), else a new
 * one under the id an approval claimed (or a fresh id). Shared by the exact undo of migrations and of fixes.
 */
export async function claimUndoRun(
  context: MigrationContext,
  existing: RunRecord | null,
  claim: { targetRunId: string; holder: string; batchSize: number; entries: number; options: Pick<UndoOptions, 'actor' | 'claimedRunId'> },
): Promise<RunRecord> {
  const { targetRunId, holder, batchSize, entries, options } = claim;
  if (existing) {
    await context.migrations.updateRun(existing.id, { holder, state: 'running', error: null, updatedAt: context.now() });
    return existing;
  }
  return context.migrations.createRun({
    id: options.claimedRunId ?? context.newRunId(),
    kind: 'undo',
    state: 'running',
    actor: options.actor,
    holder,
    targetRunId,
    startedAt: context.now(),
    batchSize,
    phase: 'undo',
    progress: { undo: { total: entries, done: 0 } },
  });
}

/** Exact undo of one run (`dryRun`: counts and conflicts only, nothing written). */
export async function undoRun(context: MigrationContext, runId: string, options: UndoOptions): Promise<UndoReport> {
  const { migrations } = context;
  const target = await requireMigrationRun(context, runId);
  // A dry run marks nothing, but answers as the undo itself would once it marked the run.
  if (target.state === 'superseded' || (options.dryRun && (await isStale(context, target)))) refuseSuperseded(target.id);
  const idLimit = options.idLimit ?? DEFAULT_ID_LIMIT;
  const batchSize = Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, migrations.maxBatchSize);
  const emit = options.onProgress ?? (() => {});
  const existingUndo = await latestRun(context, { kind: 'undo', targetRunId: runId });
  if (existingUndo?.state === 'completed') {
    const recorded = await migrations.recordedConflicts(existingUndo.id, idLimit);
    return {
      runId,
      undoRunId: existingUndo.id,
      // The claimed undo itself completed (its process ended before reporting): its own outcome, not a second undo.
      status: existingUndo.id === options.claimedRunId ? 'completed' : 'already_undone',
      ...undoTotalsOf(existingUndo),
      conflicts: recorded.conflicts,
      legacyDefaultGroup: {
        id: target.defaultGroupId,
        removed: target.defaultGroupId !== null && (await context.documents.get('groups', target.defaultGroupId)) === null,
        references: target.defaultGroupId === null ? 0 : await migrations.groupReferences(target.defaultGroupId),
      },
      v1MigrationCompletedCleared: (existingUndo.result as { v1MigrationCompletedCleared?: boolean } | null)?.v1MigrationCompletedCleared ?? false,
    };
  }
  if (options.dryRun) return dryRunUndo(context, target, existingUndo, batchSize, idLimit);

  const holder = context.holderId();
  await takeLease(context, holder);
  try {
    if ((await supersedeStaleRuns(context, holder)).includes(runId)) refuseSuperseded(runId);
    const entries = journalEntriesOf(target);
    const undo = await claimUndoRun(context, existingUndo, { targetRunId: runId, holder, batchSize, entries, options });
    const undoId = undo.id;
    // Running totals live in the undo run's checkpoint, so a resumed undo reports the whole undo.
    const done = undoTotalsOf(undo).entries;
    const meter = new StepMeter({ runId: undoId, operation: 'undo', phase: 'undo' }, context.monotonic, entries, done);
    let cursor = undo.cursor;
    let reverted = done;
    emit(meter.report(done));
    for (;;) {
      await nextTurn();
      const batch = await migrations.undoBatch({
        targetRunId: runId,
        cursor,
        limit: batchSize,
        conflictLimit: 0,
        defaultGroupId: target.defaultGroupId,
        apply: { undoRunId: undoId, fence: fenceFor(context, holder) },
      });
      cursor = batch.cursor;
      reverted += batch.entries;
      context.crash(`undo-batch:${batch.batches}`);
      emit(meter.report(reverted, batch.finished));
      if (batch.finished) break;
    }

    // Finish in one step: the legacy-default group, the run states, the v1 marker, the event.
    const recorded = await migrations.recordedConflicts(undoId, idLimit);
    const clearV1Marker = target.state === 'completed' && (await otherCompletedRuns(context, runId)) === 0;
    const totals = undoTotalsOf((await migrations.getRun(undoId)) ?? undo);
    const finishedAt = context.now();
    const finished = await migrations.finishUndo({
      undoRunId: undoId,
      targetRunId: runId,
      fence: fenceFor(context, holder),
      finishedAt,
      clearV1Marker,
      event: auditEvent(context, 'rollback_completed', target.defaultGroupId, {
        migrationRunId: runId,
        rollbackRunId: undoId,
        actor: undo.actor,
        mode: 'undo',
        reverted: totals.reverted + totals.partial,
        conflicts: totals.conflictCount,
        durationMs: finishedAt - undo.startedAt,
      }),
    });
    return {
      runId,
      undoRunId: undoId,
      status: 'completed',
      ...totals,
      conflicts: recorded.conflicts,
      legacyDefaultGroup: { id: target.defaultGroupId, removed: finished.removed, references: finished.references },
      v1MigrationCompletedCleared: finished.cleared,
    };
  } finally {
    await releaseLease(context, holder);
  }
}

/** Counts what a fresh undo would do now; an interrupted undo's finished part is already reverted. */
async function dryRunUndo(context: MigrationContext, target: RunRecord, existingUndo: RunRecord | null, batchSize: number, idLimit: number): Promise<UndoReport> {
  const totals: UndoTotals = { entries: 0, reverted: 0, partial: 0, conflictCount: 0, missing: 0, byTable: {} };
  const conflicts: UndoReport['conflicts'] = [];
  let cursor = existingUndo?.cursor ?? null;
  let releases = 0;
  for (;;) {
    await nextTurn();
    const batch = await context.migrations.undoBatch({ targetRunId: target.id, cursor, limit: batchSize, conflictLimit: idLimit, defaultGroupId: target.defaultGroupId });
    addUndoTotals(totals, batch);
    for (const conflict of batch.conflicts) if (conflicts.length < idLimit) conflicts.push(conflict);
    releases += batch.defaultGroupReleased;
    cursor = batch.cursor;
    if (batch.finished) break;
  }
  const references = target.defaultGroupId === null ? 0 : (await context.migrations.groupReferences(target.defaultGroupId)) - releases;
  return {
    runId: target.id,
    undoRunId: null,
    status: 'dry_run',
    entries: totals.entries,
    reverted: totals.reverted,
    partial: totals.partial,
    conflictCount: totals.conflictCount,
    missing: totals.missing,
    conflicts,
    byTable: totals.byTable,
    legacyDefaultGroup: { id: target.defaultGroupId, removed: target.defaultGroupCreated && references === 0, references },
    v1MigrationCompletedCleared: target.state === 'completed' && (await otherCompletedRuns(context, target.id)) === 0,
  };
}
