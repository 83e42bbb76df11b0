/**
 * Runs what an approved request allows: approved → running (the store's compare-and-set: one migration or rollback
 * at a time, bound to the approved plan hash), the run itself through the migration service (which takes the
 * migration lease and resumes from its checkpoint), progress edits of the request message at most every
 * `progressIntervalMs`, and the end: succeeded with the validation report, or failed with the error.
 */
import type { OutboundMessage } from '../alerts/ports.ts';
import { userMessage } from '../errors.ts';
import { LockHeldError } from '../migration/lease.ts';
import type { MigrationProgress } from '../migration/progress.ts';
import type { MigrationService, RestoreReport, RunReport, UndoReport } from '../migration/types.ts';
import type { RunOutcome } from '../slack/blocks/approval.ts';
import type { PlanSummary } from './plan.ts';
import type { ApprovalRequest, ApprovalStore } from './port.ts';

/** What the executor needs from the service. */
export interface RunExecutorDeps {
  store: ApprovalStore;
  migration: () => MigrationService;
  record: (type: string, request: ApprovalRequest, metadata?: Record<string, string | number | boolean | null>) => Promise<void>;
  edit: (request: ApprovalRequest, message?: OutboundMessage) => Promise<void>;
  render: (request: ApprovalRequest, progress: MigrationProgress | null) => OutboundMessage;
  now: () => number;
  progressIntervalMs: number;
  log: (line: string) => void;
}

/** Starts and resumes runs in the background. */
export interface RunExecutor {
  /** Starts an approved request's run (not awaited: the click was answered already). */
  start(request: ApprovalRequest, planHash: string): void;
  /** Resumes a request a previous process left running, unless this process is running it. */
  resume(request: ApprovalRequest): void;
  /** True while this process works on the request. */
  isActive(requestId: string): boolean;
  idle(): Promise<void>;
}

/** The actor recorded on the run: the approving Slack users. */
function actorOf(request: ApprovalRequest): string {
  return `slack:${request.approvals.map((approval) => approval.userId).join('+')}`;
}

function migrateOutcome(report: RunReport): { ok: boolean; outcome: RunOutcome } {
  const validation = report.validation;
  const lines = validation
    ? [
        `Validation: ${validation.ok ? 'passed' : `failed (${validation.problems.join('; ')})`}`,
        `Status ${validation.metrics.status} · integrity ${validation.metrics.referentialIntegrityScore}% · missing groupIds ${validation.metrics.missingGroupIds} · ` +
          `cross-group ${validation.metrics.crossGroupViolations} · schema ${validation.metrics.schemaComplianceScore}%`,
        `Cross-group references created: ${validation.crossGroupReferencesCreated.total}`,
        `Changed: ${Object.entries(report.changed).map(([table, n]) => `${table} ${n}`).join(', ')}`,
      ]
    : [];
  return { ok: report.status !== 'failed', outcome: { runId: report.runId, message: report.message, validation: lines } };
}

function undoOutcome(report: UndoReport): RunOutcome {
  return {
    runId: report.undoRunId,
    message: report.status === 'already_undone' ? `Run ${report.runId} was already undone.` : `Undo ${report.undoRunId} of run ${report.runId} completed.`,
    validation: [`Reverted ${report.reverted} of ${report.entries} journal entries · conflicts ${report.conflictCount} · missing ${report.missing}`],
  };
}

function restoreOutcome(report: RestoreReport): RunOutcome {
  return { runId: report.restoreRunId, message: `Restore ${report.restoreRunId} completed: ${report.documentsRestored} documents restored.` };
}

/** The executor. */
export function createRunExecutor(deps: RunExecutorDeps): RunExecutor {
  const { store, now } = deps;
  const active = new Map<string, Promise<void>>();

  const execute = async (request: ApprovalRequest, resumed: boolean): Promise<void> => {
    let current = request;
    let latest: MigrationProgress | null = null;
    let lastEdit = Number.NEGATIVE_INFINITY;
    // Edits go out one after another, so an older progress report never overwrites a newer one.
    let edits: Promise<void> = Promise.resolve();
    const queueEdit = (message: () => OutboundMessage) => {
      edits = edits.then(() => deps.edit(current, message()));
    };
    const onProgress = (progress: MigrationProgress) => {
      latest = progress;
      if (current.runId === null && progress.runId) {
        const runId = progress.runId;
        current = { ...current, runId };
        edits = edits.then(() => store.setRun(current.id, runId));
      }
      if (now() - lastEdit < deps.progressIntervalMs) return;
      lastEdit = now();
      queueEdit(() => deps.render(current, latest));
    };
    const migration = deps.migration();
    const plan = current.plan as PlanSummary;
    const actor = actorOf(current);
    let ok = true;
    let outcome: RunOutcome;
    let error: string | null = null;
    try {
      if (current.kind === 'migrate') {
        ({ ok, outcome } = migrateOutcome(await migration.run({ actor, onProgress })));
        if (!ok) error = outcome.message;
      } else if (plan.kind === 'restore') {
        outcome = restoreOutcome(await migration.restoreBackup(plan.backupFile, { actor, onProgress }));
      } else {
        outcome = undoOutcome(await migration.undoRun(current.target!, { actor, onProgress }));
      }
    } catch (caught) {
      // A resumed run whose lock a dead process still holds is retried by the next tick, once the lease expired.
      if (resumed && caught instanceof LockHeldError) {
        await edits;
        deps.log(`approvals: request ${current.id} waits for the migration lock to resume: ${caught.message}`);
        return;
      }
      ok = false;
      error = userMessage(caught);
      outcome = { runId: current.runId, message: error };
    }
    await edits;
    const finished = await store.finish(current.id, {
      at: now(),
      from: 'running',
      state: ok ? 'succeeded' : 'failed',
      error,
      result: outcome,
      runId: outcome.runId ?? current.runId,
    });
    if (!finished.changed) {
      deps.log(`approvals: request ${current.id} was no longer running when its run ended (${finished.reason}).`);
      return;
    }
    await deps.record(ok ? 'approval_run_succeeded' : 'approval_run_failed', finished.request, { runId: finished.request.runId, error });
    await deps.edit(finished.request);
  };

  const track = (request: ApprovalRequest, body: () => Promise<void>) => {
    if (active.has(request.id)) return;
    const promise = body()
      .catch((caught: unknown) => deps.log(`approvals: request ${request.id}: ${userMessage(caught)}`))
      .finally(() => active.delete(request.id));
    active.set(request.id, promise);
  };

  return {
    start(request, planHash) {
      track(request, async () => {
        const started = await store.start(request.id, { at: now(), planHash });
        if (!started.changed) {
          // Another request started first (the lock check and this compare-and-set raced): this one does not run.
          // Any other refusal means someone else already moved this request on: leave it to them.
          if (started.reason !== 'another_running') return;
          const failed = await store.finish(request.id, {
            at: now(),
            state: 'failed',
            from: 'approved',
            error: 'Not started: another migration or rollback is running; request it again once it has finished.',
          });
          if (failed.changed) {
            await deps.record('approval_run_failed', failed.request, { runId: null, error: failed.request.error });
            await deps.edit(failed.request);
          }
          return;
        }
        await deps.record('approval_run_started', started.request, { runId: null });
        await deps.edit(started.request, deps.render(started.request, null));
        await execute(started.request, false);
      });
    },
    resume(request) {
      track(request, () => execute(request, true));
    },
    isActive: (requestId) => active.has(requestId),
    async idle() {
      while (active.size > 0) await Promise.all([...active.values()]);
    },
  };
}
