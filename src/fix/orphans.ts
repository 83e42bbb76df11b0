/**
 * `fix orphans`: plan and run. The plan pages the orphaned connections and knowledge records (of one group, or
 * all), predicts the metrics after the fix with the pure `computeMetrics`, and is refused when any metric would
 * get worse. The run, in order: Step 1 the plan (or the unfinished run it resumes); Step 2 backup; Step 3
 * batches over connections then knowledge, each one atomic store step with its journal and checkpoint; Step 4
 * validation (no orphan left in scope, no metric worse than before). All state lives in the store, so a rerun
 * after a crash continues from the last committed batch.
 */
import { ErrorCode, OpsError } from '../errors.ts';
import { nextBatchLimit } from '../migration/batch-size.ts';
import { fenceFor, latestRun, nextTurn, releaseLease, takeLease, v1Marker, type MigrationContext } from '../migration/context.ts';
import { LeaseLostError, LockHeldError } from '../migration/lease.ts';
import type { RunRecord, RunState } from '../migration/port.ts';
import { StepMeter } from '../migration/progress.ts';
import { DEFAULT_BATCH_SIZE, takeRunBackup } from '../migration/run.ts';
import { computeMetrics, type MetricsReport } from '../quality/metrics.ts';
import type { QualityCounts } from '../quality/tally.ts';
import { ORPHAN_TABLES, type FixStore, type OrphanRecord, type OrphanTable } from './port.ts';
import { metricRegressions } from './regressions.ts';
import type { FixPlan, FixPlanOptions, FixRunOptions, FixRunReport } from './types.ts';

/** Records listed in a plan unless told otherwise. */
export const DEFAULT_PLAN_LIMIT = 1000;

/** States of a fix run that a new `fix` of the same name and scope resumes. */
const RESUMABLE: readonly RunState[] = ['backing_up', 'running', 'failed'];

/** What a fix run keeps as its plan. */
interface OrphanRunPlan {
  fix: 'orphans';
  groupId: string | null;
  backup: boolean;
  counts: Record<OrphanTable, number>;
  before: MetricsReport;
}

function emptyCounts(): Record<OrphanTable, number> {
  return { connections: 0, knowledge: 0 };
}

/** The counts after the fix: the orphaned connections gone, the knowledge records without a source. */
export function countsAfterOrphanFix(counts: QualityCounts, records: { table: OrphanTable; groupId: string | null }[]): QualityCounts {
  const after = { ...counts };
  for (const record of records) {
    if (record.table === 'connections') {
      after.connections--;
      after.orphanedConnections--;
      if (record.groupId === null) after.connectionsMissingGroupId--;
    } else {
      after.knowledgeWithSource--;
      after.orphanedKnowledge--;
    }
  }
  return after;
}

/** Every orphaned record in scope, read a page at a time. */
async function allOrphans(fixes: FixStore, groupId: string | null): Promise<OrphanRecord[]> {
  const records: OrphanRecord[] = [];
  for (const table of ORPHAN_TABLES) {
    let cursor: string | null = null;
    do {
      await nextTurn();
      const page: Awaited<ReturnType<FixStore['orphanPage']>> = await fixes.orphanPage(table, groupId, cursor);
      records.push(...page.records);
      cursor = page.continueCursor;
    } while (cursor !== null);
  }
  return records;
}

/** The plan of `fix orphans`; writes nothing. */
export async function planOrphans(context: MigrationContext, fixes: FixStore, options: FixPlanOptions = {}): Promise<FixPlan> {
  const groupId = options.groupId ?? null;
  if (groupId !== null && (await context.documents.get('groups', groupId)) === null) {
    throw new OpsError(ErrorCode.NotFound, `No group ${groupId}: name the id of an existing group (the ids are in \`ontology-ops check\`).`);
  }
  const records = await allOrphans(fixes, groupId);
  const now = context.now();
  const snapshot = await context.quality(now);
  const v1MigrationCompleted = (await v1Marker(context)) !== null;
  const after = computeMetrics(countsAfterOrphanFix(snapshot.counts, records), { now, groupId: null, v1MigrationCompleted, thresholds: context.thresholds });
  const regressions = metricRegressions(snapshot.metrics, after);
  const counts = emptyCounts();
  for (const record of records) counts[record.table]++;
  return {
    fix: 'orphans',
    groupId,
    counts,
    total: records.length,
    records: records.slice(0, options.idLimit ?? DEFAULT_PLAN_LIMIT),
    before: snapshot.metrics,
    after,
    regressions,
    refused:
      regressions.length > 0
        ? `it would make ${regressions.map((r) => `${r.metric} worse (${r.before} → ${r.after})`).join(', ')}`
        : null,
  };
}

async function requireRun(context: MigrationContext, id: string): Promise<RunRecord> {
  const run = await context.migrations.getRun(id);
  if (!run) throw new OpsError(ErrorCode.MigrationFailed, `Run ${id} disappeared from the run registry while it ran: see \`ontology-ops migration-status\`.`);
  return run;
}

function changedOf(run: RunRecord): Record<OrphanTable, number> {
  const changed = emptyCounts();
  for (const table of ORPHAN_TABLES) changed[table] = run.progress[table]?.done ?? 0;
  return changed;
}

function reportOf(run: RunRecord, resumed: boolean): FixRunReport {
  const plan = run.plan as OrphanRunPlan;
  const validation = (run.result as { validation?: FixRunReport['validation'] } | null)?.validation ?? null;
  const changed = changedOf(run);
  const ok = run.state === 'completed' || run.state === 'rolled_back';
  return {
    runId: run.id,
    fix: 'orphans',
    groupId: plan.groupId,
    status: ok ? 'completed' : 'failed',
    resumed,
    actor: run.actor,
    backupFile: run.backupFile,
    changed,
    validation,
    durationMs: (run.finishedAt ?? run.updatedAt) - run.startedAt,
    message: ok
      ? `Fix ${run.id} completed: ${changed.connections} orphaned connections archived, ${changed.knowledge} knowledge records unlinked.`
      : `Fix ${run.id} failed: ${run.error ?? 'see `ontology-ops migration-status`'}. Rerun \`ontology-ops fix orphans\` to resume it, or undo it with \`ontology-ops rollback --run ${run.id}\`.`,
  };
}

/** The run that resumes, a new run, or the report of a claimed run that ended or of nothing to do. */
async function startOrResume(context: MigrationContext, fixes: FixStore, holder: string, options: FixRunOptions, batchSize: number): Promise<{ run: RunRecord; resumed: boolean } | FixRunReport> {
  const { migrations } = context;
  const groupId = options.groupId ?? null;
  const backup = options.backup ?? true;
  const undoing = await latestRun(context, { kind: 'undo', states: ['running'] });
  if (undoing) {
    throw new OpsError(ErrorCode.PreflightFailed, `Exact undo ${undoing.id} of run ${undoing.targetRunId} is unfinished: finish it with \`ontology-ops rollback --run ${undoing.targetRunId}\` first.`);
  }
  const migrating = await latestRun(context, { kind: 'migrate', states: ['backing_up', 'migrating', 'validating'] });
  if (migrating) throw new OpsError(ErrorCode.PreflightFailed, `Migration run ${migrating.id} is unfinished: finish it with \`ontology-ops migrate\` (or roll it back) first.`);
  const claimed = options.claimedRunId ? await migrations.getRun(options.claimedRunId) : null;
  if (claimed && claimed.kind !== 'fix') throw new OpsError(ErrorCode.Conflict, `Run ${claimed.id} is a ${claimed.kind} run, not a fix run.`);
  if (claimed && !RESUMABLE.includes(claimed.state)) return reportOf(claimed, true);
  const current = claimed ?? (await latestRun(context, { kind: 'fix', states: RESUMABLE }));
  if (current) {
    const plan = current.plan as OrphanRunPlan;
    if (plan.fix !== 'orphans' || plan.groupId !== groupId || (options.claimedRunId && current.id !== options.claimedRunId)) {
      throw new OpsError(
        ErrorCode.Conflict,
        `Fix run ${current.id} (${plan.fix}${plan.groupId ? ` of group ${plan.groupId}` : ''}) is unfinished: resume it with \`ontology-ops fix ${plan.fix}${plan.groupId ? ` --group ${plan.groupId}` : ''}\` or undo it with \`ontology-ops rollback --run ${current.id}\` first.`,
      );
    }
    const state: RunState = current.state === 'failed' ? (plan.backup && current.backupFile === null ? 'backing_up' : 'running') : current.state;
    await migrations.updateRun(current.id, { holder, state, error: null, updatedAt: context.now() });
    return { run: await requireRun(context, current.id), resumed: true };
  }
  const plan = await planOrphans(context, fixes, { groupId, idLimit: 0 });
  if (plan.refused) throw new OpsError(ErrorCode.PreflightFailed, `The orphans fix is refused: ${plan.refused}.`);
  if (plan.total === 0) {
    return {
      runId: null,
      fix: 'orphans',
      groupId,
      status: 'nothing_to_do',
      resumed: false,
      actor: options.actor,
      backupFile: null,
      changed: emptyCounts(),
      validation: null,
      durationMs: 0,
      message: `Nothing to fix: no orphaned connection or knowledge record${groupId ? ` in group ${groupId}` : ''}.`,
    };
  }
  const runPlan: OrphanRunPlan = { fix: 'orphans', groupId, backup, counts: plan.counts, before: plan.before };
  const run = await migrations.createRun({
    id: options.claimedRunId ?? context.newRunId(),
    kind: 'fix',
    state: backup ? 'backing_up' : 'running',
    actor: options.actor,
    holder,
    startedAt: context.now(),
    batchSize,
    phase: ORPHAN_TABLES[0],
    plan: runPlan,
    progress: Object.fromEntries(ORPHAN_TABLES.map((table) => [table, { total: plan.counts[table], done: 0 }])),
  });
  return { run, resumed: false };
}

/** Steps 1–4 of `fix orphans`; resumes the unfinished run of the same scope (or the claimed run). */
export async function runOrphans(context: MigrationContext, fixes: FixStore, options: FixRunOptions): Promise<FixRunReport> {
  const { migrations, monotonic } = context;
  const holder = context.holderId();
  const batchSize = Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, fixes.maxBatchSize);
  const emit = options.onProgress ?? (() => {});
  await takeLease(context, holder);
  let current: RunRecord | null = null;
  try {
    const started = await startOrResume(context, fixes, holder, options, batchSize);
    if (!('run' in started)) return started;
    current = started.run;
    const runId = current.id;
    const plan = current.plan as OrphanRunPlan;

    // Step 2: backup (redone from scratch after a crash during it: nothing was changed yet).
    if (current.state === 'backing_up') {
      const backupFile = await takeRunBackup(context, holder, runId, 'fix', emit);
      await migrations.updateRun(runId, { state: 'running', backupFile, updatedAt: context.now() });
      current = await requireRun(context, runId);
    }

    // Step 3: batches from the checkpoint, connections then knowledge.
    let cursor = current.cursor;
    const first = current.phase === 'validation' ? ORPHAN_TABLES.length : Math.max(0, ORPHAN_TABLES.indexOf(current.phase as OrphanTable));
    for (let index = first; index < ORPHAN_TABLES.length; index++) {
      const table = ORPHAN_TABLES[index]!;
      const entry = (await requireRun(context, runId)).progress[table] ?? { total: 0, done: 0 };
      const meter = new StepMeter({ runId, operation: 'fix', phase: table }, monotonic, entry.total, entry.done);
      let done = entry.done;
      emit(meter.report(done));
      let limit = batchSize;
      for (;;) {
        await nextTurn();
        const batchStarted = monotonic();
        const result = await fixes.applyOrphanBatch({ runId, table, groupId: plan.groupId, cursor, limit, fence: fenceFor(context, holder) });
        limit = nextBatchLimit(limit, monotonic() - batchStarted, batchSize);
        cursor = result.cursor;
        done += result.changed;
        context.crash(`fix-batch:${result.batches}`);
        if (result.finished) break;
        emit(meter.report(done));
      }
      emit(meter.report(done, true));
      const next = ORPHAN_TABLES[index + 1];
      await migrations.updateRun(runId, next ? { phase: next, cursor: null, updatedAt: context.now() } : { phase: 'validation', cursor: null, updatedAt: context.now() });
      cursor = null;
    }

    // Step 4: validation: nothing orphaned left in scope, no metric worse than before the run.
    await migrations.fence(fenceFor(context, holder));
    const validationMeter = new StepMeter({ runId, operation: 'fix', phase: 'validation' }, monotonic, 1);
    emit(validationMeter.report(0));
    const remaining = (await allOrphans(fixes, plan.groupId)).length;
    const after = await context.quality(context.now());
    emit(validationMeter.report(1, true));
    const regressions = metricRegressions(plan.before, after.metrics);
    const problems: string[] = [];
    if (remaining !== 0) problems.push(`${remaining} orphaned records left${plan.groupId ? ` in group ${plan.groupId}` : ''}, expected 0`);
    for (const regression of regressions) problems.push(`${regression.metric} got worse (${regression.before} → ${regression.after})`);
    const ok = problems.length === 0;
    const finishedAt = context.now();
    const finalRun = await requireRun(context, runId);
    await migrations.finishRun({
      runId,
      fence: fenceFor(context, holder),
      update: {
        state: ok ? 'completed' : 'failed',
        finishedAt,
        updatedAt: finishedAt,
        result: { ...(finalRun.result as object | null), validation: { ok, problems, remaining, before: plan.before, after: after.metrics, regressions } },
        error: ok ? null : `validation failed: ${problems.join('; ')}`,
      },
      v1Marker: 'keep',
      // The run registry is a fix's trail: an event in the data would keep its undo from giving the data back exactly.
      event: null,
    });
    return reportOf(await requireRun(context, runId), started.resumed);
  } catch (error) {
    if (current && !(error instanceof LeaseLostError) && !(error instanceof LockHeldError)) {
      const message = error instanceof Error ? error.message.slice(0, 500) : String(error);
      await migrations.updateRun(current.id, { state: 'failed', error: message, updatedAt: context.now() }).catch(() => undefined);
      if (!(error instanceof OpsError)) {
        throw new OpsError(
          ErrorCode.MigrationFailed,
          `Fix ${current.id} failed: ${message}. Committed batches are kept; rerun \`ontology-ops fix orphans\` to resume, or undo them with \`ontology-ops rollback --run ${current.id}\`.`,
          { cause: error },
        );
      }
    }
    throw error;
  } finally {
    await releaseLease(context, holder);
  }
}
