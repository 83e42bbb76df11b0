/**
 * The migration run, in order: Step 1 pre-flight; Step 2 backup (ZIP + manifest, verified); Step 3 the
 * `legacy-default` group (found by slug or created once) and the `migration_started` event; Step 4 batches over
 * entities, connections, events, knowledge, each batch one atomic store step that patches its records, writes
 * their undo journal and the run's checkpoint; Step 5 validation; Step 6 `migration_completed` /
 * `migration_failed`. All state lives in the store (runs, checkpoints, journal), so `migrate` after a crash
 * continues from the last committed batch.
 *
 * Group assignment reads an endpoint's groupId as it is when the batch runs. Entities go first, so by then
 * every entity that existed has a groupId (its own, else legacy-default): a connection takes its from-entity's
 * group whenever the from-entity exists, the to-entity's only when the from-entity does not exist (or is an
 * entity created since without a groupId), else legacy-default. The dry run predicts exactly this.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, OpsError } from '../errors.ts';
import type { ConvexValue } from '../ontology/values.ts';
import type { MetricsReport } from '../quality/metrics.ts';
import { formatCount } from '../quality/severity.ts';
import { causeText, compareMetrics, regressionSummary, type RegressionReport } from '../quality/regressions.ts';
import { nextBatchLimit } from './batch-size.ts';
import {
  auditEvent,
  fenceFor,
  latestRun,
  nextTurn,
  releaseLease,
  RESUMABLE_STATES,
  supersedeStaleRuns,
  takeLease,
  v1Marker,
  type MigrationContext,
} from './context.ts';
import { LeaseLostError, LockHeldError } from './lease.ts';
import { LEGACY_DEFAULT_SLUG, pendingCounts, preflightWithCounts } from './plan.ts';
import { MIGRATED_TABLES, V1_MIGRATION_COMPLETED_KEY, type MigratedTable, type MigrateTotals, type RunRecord, type RunState, type TableProgress } from './port.ts';
import { StepMeter, type ProgressListener, type ProgressPhase } from './progress.ts';
import type { MigrateOptions, RunReport } from './types.ts';

/** Default records per batch (one transaction each; about 50 ms of blocked event loop on the reference machine). */
export const DEFAULT_BATCH_SIZE = 2000;

function emptyChanged(): Record<MigratedTable, number> {
  return { entities: 0, connections: 0, events: 0, knowledge: 0 };
}

function countsValue(changed: Record<string, number>): Record<string, ConvexValue> {
  const out: Record<string, ConvexValue> = {};
  for (const [table, count] of Object.entries(changed)) out[table] = count;
  return out;
}

function changedOf(progress: TableProgress): Record<MigratedTable, number> {
  const changed = emptyChanged();
  for (const table of MIGRATED_TABLES) changed[table] = progress[table]?.done ?? 0;
  return changed;
}

/** Journal entries a migration run wrote: one per record it changed, counted with each batch. */
export function journalEntriesOf(run: RunRecord): number {
  return MIGRATED_TABLES.reduce((sum, table) => sum + (run.progress[table]?.done ?? 0), 0);
}

async function requireRun(context: MigrationContext, id: string): Promise<RunRecord> {
  const run = await context.migrations.getRun(id);
  if (!run) throw new OpsError(ErrorCode.MigrationFailed, `Run ${id} disappeared from the run registry while it ran: see \`ontology-ops migration-status\`.`);
  return run;
}

/** The run that resumes (restarted when it had failed), or a new one after pre-flight, or the nothing-to-do report. */
async function startOrResume(context: MigrationContext, holder: string, options: MigrateOptions, batchSize: number, backup: boolean): Promise<{ run: RunRecord; resumed: boolean } | RunReport> {
  const emit = options.onProgress ?? (() => {});
  const { migrations } = context;
  const undoing = await latestRun(context, { kind: 'undo', states: ['running'] });
  if (undoing) {
    throw new OpsError(
      ErrorCode.PreflightFailed,
      `Exact undo ${undoing.id} of run ${undoing.targetRunId} is unfinished: finish it with \`ontology-ops rollback --run ${undoing.targetRunId}\` first.`,
    );
  }
  await supersedeStaleRuns(context, holder);
  const claimed = options.claimedRunId ? await migrations.getRun(options.claimedRunId) : null;
  if (claimed && claimed.kind !== 'migrate') throw new OpsError(ErrorCode.Conflict, `Run ${claimed.id} is a ${claimed.kind} run, not a migration run.`);
  // A claimed run that ended is reported as it ended: it never runs twice, and no other run starts in its place.
  if (claimed && ENDED_STATES.includes(claimed.state)) return endedRunReport(claimed, options.actor);
  const current = claimed ?? (await latestRun(context, { kind: 'migrate', states: RESUMABLE_STATES }));
  if (current && options.claimedRunId && current.id !== options.claimedRunId) {
    throw new OpsError(
      ErrorCode.Conflict,
      `Migration run ${current.id} is unfinished, so run ${options.claimedRunId} was not started: finish it with \`ontology-ops migrate\` (or roll it back), then request again.`,
    );
  }
  if (current) {
    const restart: Parameters<typeof migrations.updateRun>[1] = { holder, updatedAt: context.now(), error: null };
    if (current.state === 'failed') {
      // A failed run restarts its passes from the start of each table: records done are no longer pending.
      const wantedBackup = (current.plan as { backup?: boolean } | null)?.backup ?? backup;
      if (current.defaultGroupId === null && wantedBackup && current.backupFile === null) restart.state = 'backing_up';
      else if (current.defaultGroupId === null) restart.state = 'migrating';
      else Object.assign(restart, { state: 'migrating', phase: 'entities', cursor: null });
    }
    await migrations.updateRun(current.id, restart);
    return { run: await requireRun(context, current.id), resumed: true };
  }
  const newId = options.claimedRunId ?? context.newRunId();
  const preflightMeter = new StepMeter({ runId: newId, operation: 'migrate', phase: 'preflight' }, context.monotonic, 1);
  emit(preflightMeter.report(0));
  const { report } = await preflightWithCounts(context, { backup, ownHolder: holder });
  emit(preflightMeter.report(1, true));
  if (!report.ok) throw new OpsError(ErrorCode.PreflightFailed, `Pre-flight failed: ${report.blocking.join('; ')}.`);
  if (report.changes.total === 0) {
    if (!report.v1MigrationCompleted) await context.meta.setMeta(V1_MIGRATION_COMPLETED_KEY, new Date(context.now()).toISOString());
    return {
      runId: null,
      status: 'nothing_to_do',
      resumed: false,
      actor: options.actor,
      backupFile: null,
      defaultGroupId: (await context.documents.findGroupBySlug(LEGACY_DEFAULT_SLUG))?._id ?? null,
      changed: emptyChanged(),
      assignments: {},
      schemaVersionsWritten: 0,
      validation: null,
      regressions: null,
      durationMs: 0,
      message: 'Nothing to change: every record has a groupId and every entity a schemaVersion ≥ 1.',
    };
  }
  const progress: TableProgress = {};
  for (const table of MIGRATED_TABLES) progress[table] = { total: report.changes[table].records, done: 0 };
  const run = await migrations.createRun({
    id: newId,
    kind: 'migrate',
    state: backup ? 'backing_up' : 'migrating',
    actor: options.actor,
    holder,
    startedAt: context.now(),
    batchSize,
    // The metrics before the run, kept for the before → after of its validation (also after a resume).
    plan: { backup, changes: report.changes, metricsBefore: report.metrics },
    progress,
  });
  return { run, resumed: false };
}

/** States a claimed run is reported in rather than resumed (`failed` included: its outcome is the report). */
const ENDED_STATES: readonly RunState[] = ['completed', 'failed', 'rolled_back', 'superseded'];

/** The report of a run that already ended, from its record (what its own run returned, as far as it was kept). */
function endedRunReport(run: RunRecord, actor: string): RunReport {
  const result = run.result as { validation?: RunReport['validation']; totals?: MigrateTotals; regressions?: RegressionReport | null } | null;
  const validation = result?.validation ?? null;
  const regressions = result?.regressions ?? null;
  const changed = changedOf(run.progress);
  const ok = run.state !== 'failed' && (validation === null || validation.ok);
  const total = Object.values(changed).reduce((a, b) => a + b, 0);
  return {
    runId: run.id,
    status: ok ? 'completed' : 'failed',
    resumed: true,
    actor: run.actor || actor,
    backupFile: run.backupFile,
    defaultGroupId: run.defaultGroupId,
    changed,
    assignments: result?.totals?.assignments ?? {},
    schemaVersionsWritten: result?.totals?.schemaVersions ?? 0,
    validation,
    regressions,
    durationMs: (run.finishedAt ?? run.updatedAt) - run.startedAt,
    message: ok
      ? completedMessage(run.id, total, validation?.crossGroupReferencesCreated.total ?? 0, regressions)
      : `Migration ${run.id} failed: ${run.error ?? 'see `ontology-ops migration-status`'}.`,
  };
}

/**
 * The message of a completed run: "completed", or "completed with regressions" naming the metrics that got worse,
 * the cross-group references behind them and the next step.
 */
export function completedMessage(runId: string, changed: number, crossGroupCreated: number, regressions: RegressionReport | null): string {
  const summary = regressionSummary(regressions);
  if (summary === null) return `Migration ${runId} completed: ${formatCount(changed)} records changed, ${formatCount(crossGroupCreated)} cross-group references created.`;
  const cause = regressions!.cause ? ` Caused by ${causeText(regressions!.cause)}.` : '';
  return (
    `Migration ${runId} completed with regressions: ${summary} (${formatCount(changed)} records changed).${cause} ` +
    `Next: review ${regressions!.cause ? 'the cross-group references with `ontology-ops check --categories crossGroup`' : 'the metrics with `ontology-ops metrics`'}, ` +
    `or undo the run with \`ontology-ops rollback --run ${runId}\`.`
  );
}

/**
 * Step 2 of a run that changes data (a migration, a fix): the backup into the backup folder, fenced by the run's
 * lease, with progress. Returns the file's path; redone from scratch after a crash during it (nothing was changed yet).
 */
export async function takeRunBackup(
  context: MigrationContext,
  holder: string,
  runId: string,
  operation: 'migrate' | 'fix',
  emit: ProgressListener,
): Promise<string> {
  const file = join(context.backupDir, `${context.backups.fileStem()}-${runId}.zip`);
  mkdirSync(context.backupDir, { recursive: true });
  const meter = new StepMeter({ runId, operation, phase: 'backup' }, context.monotonic, (await context.backups.estimate()).documents);
  const result = await context.backups.write(file, {
    now: context.now(),
    runId,
    v1MigrationCompletedAt: await v1Marker(context),
    fence: () => fenceFor(context, holder),
    onProgress: (documents) => emit(meter.report(documents)),
  });
  emit(meter.report(result.manifest.tables.reduce((sum, table) => sum + table.documents, 0), true));
  return result.path;
}

/** Steps 2–6; resumes the newest unfinished run when there is one (or the claimed run, see `claimedRunId`). */
export async function runMigration(context: MigrationContext, options: MigrateOptions): Promise<RunReport> {
  const { migrations, crash, monotonic } = context;
  const holder = context.holderId();
  const batchSize = Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, migrations.maxBatchSize);
  const backup = options.backup ?? true;
  const emit = options.onProgress ?? (() => {});
  await takeLease(context, holder);
  let current: RunRecord | null = null;
  try {
    const started = await startOrResume(context, holder, options, batchSize, backup);
    if (!('run' in started)) return started;
    const resumed = started.resumed;
    current = started.run;
    const runId = current.id;

    // Step 2: backup (redone from scratch after a crash during it: nothing was changed yet).
    if (current.state === 'backing_up') {
      const backupFile = await takeRunBackup(context, holder, runId, 'migrate', emit);
      await migrations.updateRun(runId, { state: 'migrating', backupFile, updatedAt: context.now() });
      current = await requireRun(context, runId);
    }

    // Step 3: the legacy-default group and the start event, with the first checkpoint.
    if (current.defaultGroupId === null) {
      const at = context.now();
      await migrations.beginRun({
        runId,
        fence: fenceFor(context, holder),
        slug: LEGACY_DEFAULT_SLUG,
        group: {
          name: 'Legacy default',
          type: 'organization',
          description: 'Records the v1 migration found without a group and could not place elsewhere.',
          metadata: { createdByMigrationRun: runId },
          settings: {},
          status: 'active',
          createdAt: at,
          updatedAt: at,
        },
        event: {
          type: 'migration_started',
          timestamp: at,
          metadata: {
            migrationRunId: runId,
            actor: current.actor,
            plannedCounts: countsValue(Object.fromEntries(MIGRATED_TABLES.map((table) => [table, current!.progress[table]?.total ?? 0]))),
            backupFile: current.backupFile,
          },
        },
      });
      current = await requireRun(context, runId);
    }

    // Step 4: batches, from the checkpoint (each writes its own checkpoint and running totals).
    let phaseIndex = MIGRATED_TABLES.indexOf((current.phase ?? MIGRATED_TABLES[0]) as MigratedTable);
    if (current.state === 'validating') phaseIndex = MIGRATED_TABLES.length;
    let cursor = current.cursor;
    for (; phaseIndex >= 0 && phaseIndex < MIGRATED_TABLES.length; phaseIndex++) {
      const table = MIGRATED_TABLES[phaseIndex]!;
      const progress = (await requireRun(context, runId)).progress;
      const entry = progress[table] ?? { total: 0, done: 0 };
      entry.total = entry.done + (await pendingCounts(context, table, cursor)).records;
      progress[table] = entry;
      await migrations.updateRun(runId, { progress });
      const meter = new StepMeter({ runId, operation: 'migrate', phase: table as ProgressPhase }, monotonic, entry.total, entry.done);
      let done = entry.done;
      emit(meter.report(done));
      // Sized by time (see batch-size.ts): the event loop is free for Slack between batches.
      let limit = batchSize;
      for (;;) {
        await nextTurn();
        const batchStarted = monotonic();
        const result = await migrations.applyBatch({ runId, table, cursor, limit, defaultGroupId: current.defaultGroupId!, fence: fenceFor(context, holder) });
        limit = nextBatchLimit(limit, monotonic() - batchStarted, batchSize);
        cursor = result.cursor;
        done += result.changed;
        crash(`batch:${result.batches}`);
        if (result.finished) break;
        emit(meter.report(done));
      }
      emit(meter.report(done, true));
      const next = MIGRATED_TABLES[phaseIndex + 1];
      await migrations.updateRun(
        runId,
        next ? { phase: next, cursor: null, updatedAt: context.now() } : { state: 'validating', phase: 'validation', cursor: null, updatedAt: context.now() },
      );
      cursor = null;
      crash(`table:${table}`);
    }
    crash('validating');

    // Step 5: validation.
    await migrations.fence(fenceFor(context, holder));
    const validationMeter = new StepMeter({ runId, operation: 'migrate', phase: 'validation' }, monotonic, 1);
    emit(validationMeter.report(0));
    const after = await context.quality(context.now());
    emit(validationMeter.report(1, true));
    const createdCross = await migrations.crossGroupCreatedByRun(runId);
    const problems: string[] = [];
    if (after.metrics.missingGroupIds !== 0) problems.push(`missingGroupIds is ${after.metrics.missingGroupIds}, expected 0`);
    if (after.metrics.schemaComplianceScore !== 100) problems.push(`schemaComplianceScore is ${after.metrics.schemaComplianceScore}, expected 100`);
    const ok = problems.length === 0;

    // Step 6: record the outcome.
    const finishedAt = context.now();
    const finalRun = await requireRun(context, runId);
    const totals = (finalRun.result as { totals?: MigrateTotals } | null)?.totals ?? { assignments: {}, schemaVersions: 0 };
    const changed = changedOf(finalRun.progress);
    const validation = {
      ok,
      problems,
      metrics: after.metrics,
      integrity: after.details,
      crossGroupReferencesCreated: { ...createdCross, total: createdCross.connections + createdCross.events },
    };
    // A run started before its plan kept the metrics before it has no before → after.
    const metricsBefore = (finalRun.plan as { metricsBefore?: MetricsReport } | null)?.metricsBefore;
    const created = validation.crossGroupReferencesCreated;
    const regressions = metricsBefore ? compareMetrics(metricsBefore, after.metrics, { ...created, into: LEGACY_DEFAULT_SLUG, byGroup: [] }) : null;
    await migrations.finishRun({
      runId,
      fence: fenceFor(context, holder),
      update: {
        state: ok ? 'completed' : 'failed',
        finishedAt,
        updatedAt: finishedAt,
        result: { validation, regressions, journalEntries: journalEntriesOf(finalRun), totals },
        error: ok ? null : `validation failed: ${problems.join('; ')}`,
      },
      v1Marker: ok ? { set: new Date(finishedAt).toISOString() } : 'keep',
      event: auditEvent(context, ok ? 'migration_completed' : 'migration_failed', finalRun.defaultGroupId, {
        migrationRunId: runId,
        actor: finalRun.actor,
        counts: countsValue(changed),
        crossGroupReferencesCreated: validation.crossGroupReferencesCreated.total,
        metricsWorsened: regressions?.worsened.length ?? 0,
        backupFile: finalRun.backupFile,
        durationMs: finishedAt - finalRun.startedAt,
        ...(ok ? {} : { reason: 'validation' }),
      }),
    });
    return {
      runId,
      status: ok ? 'completed' : 'failed',
      resumed,
      actor: finalRun.actor,
      backupFile: finalRun.backupFile,
      defaultGroupId: finalRun.defaultGroupId,
      changed,
      assignments: totals.assignments,
      schemaVersionsWritten: totals.schemaVersions,
      validation,
      regressions,
      durationMs: finishedAt - finalRun.startedAt,
      message: ok
        ? completedMessage(runId, Object.values(changed).reduce((a, b) => a + b, 0), validation.crossGroupReferencesCreated.total, regressions)
        : `Migration ${runId} failed validation: ${problems.join('; ')}. Rerun \`ontology-ops migrate\` to resume it.`,
    };
  } catch (error) {
    if (current && !(error instanceof LeaseLostError) && !(error instanceof LockHeldError)) await recordFailure(context, current.id, error);
    throw error;
  } finally {
    await releaseLease(context, holder);
  }
}

/** Marks a run failed with a `migration_failed` event (best effort), and turns an unexpected error into an OpsError. */
async function recordFailure(context: MigrationContext, runId: string, error: unknown): Promise<void> {
  try {
    const latest = await requireRun(context, runId);
    await context.migrations.finishRun({
      runId,
      fence: null,
      update: { state: 'failed', error: error instanceof Error ? error.message.slice(0, 500) : String(error), updatedAt: context.now() },
      v1Marker: 'keep',
      event:
        latest.defaultGroupId === null
          ? null
          : auditEvent(context, 'migration_failed', latest.defaultGroupId, {
              migrationRunId: runId,
              actor: latest.actor,
              counts: countsValue(changedOf(latest.progress)),
              backupFile: latest.backupFile,
              durationMs: context.now() - latest.startedAt,
              reason: 'error',
            }),
    });
  } catch {
    // Recording the failure is best effort: the checkpoint already holds what was committed.
  }
  if (!(error instanceof OpsError)) {
    const run = await context.migrations.getRun(runId);
    throw new OpsError(
      ErrorCode.MigrationFailed,
      `Migration ${runId} failed in ${run?.phase ?? 'setup'} after position ${run?.cursor ?? 0}: ${(error as Error).message}. ` +
        'Committed batches are kept; rerun `ontology-ops migrate` to resume.',
      { cause: error },
    );
  }
}
