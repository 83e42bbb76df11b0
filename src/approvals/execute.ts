/**
 * Runs what an approved request allows, at most once. approved → running is the store's compare-and-set, and it
 * claims the run id before any work starts (one migration or rollback at a time, bound to the approved plan hash).
 * The run goes through the migration service with that id: it takes the migration lease, resumes the run from its
 * checkpoint, or reports the run as it ended. A restarted or second process that finds the request running does the
 * same with the claimed id, so it resumes that run or records its outcome and never starts another; a claimed run
 * that never began runs only when a fresh plan still hashes as approved. The outcome is written to the request in
 * the step that ends it (running → succeeded | failed), before any message is sent.
 */
import type { OutboundMessage } from '../alerts/ports.ts';
import { userMessage } from '../errors.ts';
import { LockHeldError } from '../migration/lease.ts';
import type { MigrationProgress } from '../migration/progress.ts';
import type { CrashPoint } from '../migration/test-hooks.ts';
import type { KeptEvents, MigrationService, RestoreReport, RunReport, UndoReport } from '../migration/types.ts';
import { formatCount, formatMetric } from '../quality/severity.ts';
import type { RunOutcome } from '../slack/blocks/approval.ts';
import type { FixName, FixRunReport, FixService } from '../fix/service.ts';
import type { PlanSummary } from './plan.ts';
import type { ApprovalRequest, ApprovalStore } from './port.ts';

/** What the executor needs from the service. */
export interface RunExecutorDeps {
  store: ApprovalStore;
  migration: () => MigrationService;
  /** A fix service per use (fix requests). */
  fixes: () => FixService;
  record: (type: string, request: ApprovalRequest, metadata?: Record<string, string | number | boolean | null>) => Promise<void>;
  edit: (request: ApprovalRequest, message?: OutboundMessage) => Promise<void>;
  render: (request: ApprovalRequest, progress: MigrationProgress | null) => OutboundMessage;
  now: () => number;
  progressIntervalMs: number;
  log: (line: string) => void;
  /** How long after a claim a run that has not begun counts as never begun (its claiming process died). */
  claimGraceMs: number;
  /** A new run id, claimed at the start. */
  newRunId: () => string;
  /** What a fresh dry run of the request's kind and target hashes to now, and whether it would change nothing. */
  replan: (request: ApprovalRequest) => Promise<{ planHash: string; empty: boolean }>;
  /** After a rollback succeeded: marks the migration requests whose runs it rolled back. */
  rolledBack: (rollback: ApprovalRequest) => Promise<void>;
  /** Tells the requester how their request ended (best effort). */
  tell: (request: ApprovalRequest) => Promise<void>;
  /** The request's own audit events, which a full restore writes again as it ends. */
  trail: (request: ApprovalRequest) => KeptEvents;
  /** Test crash points: `approval:claimed`, `approval:run-ended`, `approval:closed`. */
  crash?: CrashPoint;
  /**
   * Called once a run has ended (succeeded or failed: a failed run may have changed data too), so every metric is
   * evaluated again at once (`monitors/after-change.ts`). Not awaited; absent, nothing is re-evaluated.
   */
  afterChange?: (request: ApprovalRequest) => void;
}

/** Starts and resumes runs in the background. */
export interface RunExecutor {
  /**
   * Starts an approved request's run (not awaited: the click was answered already). `before` is an edit of the
   * message already under way: this run's edits follow it.
   */
  start(request: ApprovalRequest, planHash: string, before?: Promise<void>): void;
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

/** Records changed per table, counts written as everywhere else. */
function changedLine(changed: Record<string, number>): string {
  return `Changed: ${Object.entries(changed).map(([table, n]) => `${table} ${formatCount(n)}`).join(', ')}`;
}

function migrateOutcome(report: RunReport): { ok: boolean; outcome: RunOutcome } {
  const validation = report.validation;
  const lines = validation
    ? [
        `Validation: ${validation.ok ? 'passed' : `failed (${validation.problems.join('; ')})`}`,
        `Status ${validation.metrics.status} · integrity ${formatMetric('referentialIntegrityScore', validation.metrics.referentialIntegrityScore)} · ` +
          `missing groupIds ${formatCount(validation.metrics.missingGroupIds)} · cross-group ${formatCount(validation.metrics.crossGroupViolations)} · ` +
          `schema ${formatMetric('schemaComplianceScore', validation.metrics.schemaComplianceScore)}`,
        `Cross-group references created: ${formatCount(validation.crossGroupReferencesCreated.total)}`,
        changedLine(report.changed),
      ]
    : [];
  const regressions = report.status === 'completed' ? report.regressions : null;
  if (!regressions || regressions.worsened.length === 0) return { ok: report.status !== 'failed', outcome: { runId: report.runId, message: report.message, validation: lines } };
  // The run's own message names CLI commands; the message shows the Slack next step instead.
  const changed = Object.values(report.changed).reduce((sum, n) => sum + n, 0);
  return {
    ok: true,
    outcome: {
      runId: report.runId,
      message: `Migration ${report.runId} completed with regressions (${formatCount(changed)} records changed): ${regressions.worsened.length} metric${regressions.worsened.length === 1 ? '' : 's'} got worse.`,
      validation: lines,
      regressions: { worsened: regressions.worsened, cause: regressions.cause },
    },
  };
}

function undoOutcome(report: UndoReport): RunOutcome {
  // Only an undo this request did not run is "already undone": the claimed undo's own end is its outcome.
  return {
    runId: report.undoRunId,
    message: report.status === 'already_undone' ? `Run ${report.runId} was already undone.` : `Undo ${report.undoRunId} of run ${report.runId} completed.`,
    validation: [
      `Reverted ${formatCount(report.reverted)} of ${formatCount(report.entries)} journal entries · conflicts ${formatCount(report.conflictCount)} · missing ${formatCount(report.missing)}`,
    ],
  };
}

function fixOutcome(report: FixRunReport): { ok: boolean; outcome: RunOutcome } {
  const validation = report.validation;
  const lines = [changedLine(report.changed)];
  if (validation) {
    lines.unshift(`Validation: ${validation.ok ? 'passed' : `failed (${validation.problems.join('; ')})`}`);
    lines.push(
      `Status ${validation.after.status} · integrity ${formatMetric('referentialIntegrityScore', validation.after.referentialIntegrityScore)} · ` +
        `orphaned ${formatCount(validation.after.orphanedEntityCount)}`,
    );
  }
  return { ok: report.status !== 'failed', outcome: { runId: report.runId, message: report.message, validation: lines } };
}

function restoreOutcome(report: RestoreReport): RunOutcome {
  return { runId: report.restoreRunId, message: `Restore ${report.restoreRunId} completed: ${formatCount(report.documentsRestored)} documents restored.` };
}

/** The executor. */
export function createRunExecutor(deps: RunExecutorDeps): RunExecutor {
  const { store, now } = deps;
  const crash = deps.crash ?? (() => {});
  const active = new Map<string, Promise<void>>();

  /** Ends a running request with its outcome (written first), then records it and edits the message. */
  const close = async (request: ApprovalRequest, ok: boolean, outcome: RunOutcome, error: string | null, edits: Promise<void>) => {
    const finished = await store.finish(request.id, { at: now(), from: 'running', state: ok ? 'succeeded' : 'failed', error, result: outcome, runId: outcome.runId ?? request.runId });
    if (!finished.changed) {
      deps.log(`approvals: request ${request.id} was no longer running when its run ended (${finished.reason}).`);
      return;
    }
    crash('approval:closed');
    deps.afterChange?.(finished.request);
    await deps.record(ok ? 'approval_run_succeeded' : 'approval_run_failed', finished.request, { runId: finished.request.runId, error });
    if (ok && finished.request.kind === 'rollback') await deps.rolledBack(finished.request);
    // After the progress edits already queued, so the end is the last thing the message shows.
    await edits;
    await deps.edit(finished.request);
    await deps.tell(finished.request);
  };

  const execute = async (request: ApprovalRequest, resumed: boolean, firstEdit: Promise<void> = Promise.resolve()): Promise<void> => {
    const current = request;
    const runId = current.runId;
    if (runId === null) {
      await close(current, false, { runId: null, message: 'Interrupted before a run id was recorded: see `ontology-ops migration-status`, then request again.' }, 'Interrupted before a run id was recorded.', Promise.resolve());
      return;
    }
    const migration = deps.migration();
    if (resumed) {
      // A live process (this one's peer, or a dead one until its lease expires) holds the run: it is theirs.
      if ((await migration.status({ limit: 1 })).lock.held) return;
    }
    if (resumed && (await migration.getRun(runId)) === null) {
      // The claiming process takes the lease right after the claim, so a claim this old without its run means that
      // process died before the run began (a younger one may still be starting it: leave it to the next tick).
      if (now() - (current.startedAt ?? 0) < deps.claimGraceMs) return;
      // The claim was written but the run never began: it may begin only as approved.
      const fresh = await deps.replan(current);
      if (fresh.planHash !== current.planHash || fresh.empty) {
        const error = 'The data changed after the approval and before the run began: nothing ran; request it again to approve the current plan.';
        await close(current, false, { runId: null, message: error }, error, Promise.resolve());
        return;
      }
    }
    let latest: MigrationProgress | null = null;
    let lastEdit = Number.NEGATIVE_INFINITY;
    // Edits go out one after another, so an older progress report never overwrites a newer one; the run never
    // waits for them.
    let edits = firstEdit;
    const onProgress = (progress: MigrationProgress) => {
      latest = progress;
      if (now() - lastEdit < deps.progressIntervalMs) return;
      lastEdit = now();
      const message = deps.render(current, latest);
      edits = edits.then(() => deps.edit(current, message));
    };
    const plan = current.plan as PlanSummary;
    const actor = actorOf(current);
    let ok = true;
    let outcome: RunOutcome;
    let error: string | null = null;
    try {
      if (current.kind === 'migrate') {
        ({ ok, outcome } = migrateOutcome(await migration.run({ actor, onProgress, claimedRunId: runId })));
        if (!ok) error = outcome.message;
      } else if (plan.kind === 'fix') {
        const fix = plan.fix as FixName;
        ({ ok, outcome } = fixOutcome(await deps.fixes().run(fix, { actor, groupId: plan.groupId, onProgress, claimedRunId: runId })));
        if (!ok) error = outcome.message;
      } else if (plan.kind === 'restore') {
        outcome = restoreOutcome(await migration.restoreBackup(plan.backupFile, { actor, onProgress, claimedRunId: runId, keepEvents: deps.trail(current) }));
      } else {
        // A fix run is undone by the fix service (its own journal), a migration run by the migration service.
        const isFix = (await migration.getRun(current.target!))?.kind === 'fix';
        const options = { actor, onProgress, claimedRunId: runId };
        outcome = undoOutcome(isFix ? await deps.fixes().undo(current.target!, options) : await migration.undoRun(current.target!, options));
      }
    } catch (caught) {
      // The lock is held by the process running this request (or by a dead one until its lease expires): the run
      // is theirs, or the next tick's once the lease expired.
      if (caught instanceof LockHeldError) {
        deps.log(`approvals: request ${current.id} waits for the migration lock to resume run ${runId}: ${caught.message}`);
        return;
      }
      ok = false;
      error = userMessage(caught);
      outcome = { runId, message: error };
    }
    crash('approval:run-ended');
    await close(current, ok, outcome, error, edits);
  };

  const track = (request: ApprovalRequest, body: () => Promise<void>) => {
    if (active.has(request.id)) return;
    const promise = body()
      .catch((caught: unknown) => deps.log(`approvals: request ${request.id}: ${userMessage(caught)}`))
      .finally(() => active.delete(request.id));
    active.set(request.id, promise);
  };

  return {
    start(request, planHash, before = Promise.resolve()) {
      track(request, async () => {
        const started = await store.start(request.id, { at: now(), planHash, runId: deps.newRunId() });
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
            await before;
            await deps.edit(failed.request);
            await deps.tell(failed.request);
          }
          return;
        }
        crash('approval:claimed');
        await deps.record('approval_run_started', started.request, { runId: started.request.runId });
        // Not awaited before the run: a slow chat.update never holds the run (or its lease) back.
        await execute(started.request, false, before.then(() => deps.edit(started.request, deps.render(started.request, null))));
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
