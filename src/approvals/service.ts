/**
 * The approval service: four-eyes approval of the v1 migration and of rollbacks, driven by a slash command and
 * buttons (and usable from any other entry point). `request` runs the dry run and posts the request; `click`
 * decides an Approve / Reject click (`decide.ts`) and applies it through the store's compare-and-set; the approval
 * that completes a request starts the run (`execute.ts`), which edits the same message with progress and the end.
 * `tick` expires requests whose time is up and resumes runs a restarted bot left running.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { EventLog, OutboundMessage, OutboxStore } from '../alerts/ports.ts';
import type { ApprovalsConfig } from '../config.ts';
import { ErrorCode, InvalidArgumentError, OpsError } from '../errors.ts';
import type { CrashPoint } from '../migration/test-hooks.ts';
import type { KeptEvents, MigrationService } from '../migration/types.ts';
import { FIX_NAMES, type FixName, type FixService } from '../fix/service.ts';
import { newRunId } from '../migration/service.ts';
import { approvalMessage, hasRegressions, requestCommand, requestTitle, type RunOutcome } from '../slack/blocks/approval.ts';
import { formatInstant } from '../slack/blocks/format.ts';
import { code, escapeText } from '../slack/blocks/text.ts';
import { shownErrorText } from '../slack/handler-error.ts';
import { decideApproval, REJECT_REASON_MAX, REJECT_REASON_MIN, wouldComplete, type ApprovalDecision, type ApprovalReason, type FreshPlan } from './decide.ts';
import type { ApprovalDirectory } from './directory.ts';
import { createRunExecutor, type RunExecutor } from './execute.ts';
import { fixPlan, isEmptyPlan, migrationPlan, planHash, restorePlan, undoPlan, type PlanSummary } from './plan.ts';
import type { ApprovalKind, ApprovalRequest, ApprovalStore } from './port.ts';

/**
 * How long an approved request may wait for its start before a tick starts it (its approver's process died), and
 * how long a claimed run may take to begin before a tick decides it never will.
 */
export const ORPHAN_APPROVAL_MS = 60_000;

/**
 * Posts the request messages (Slack's `chat.postMessage`) and tells the requester. Edits of the messages go
 * through the outbox instead.
 */
export interface ApprovalMessenger {
  post(channel: string, message: OutboundMessage): Promise<{ channel: string; ts: string }>;
  /** A direct message to a user (the requester): one line, ids and counts only. */
  notify(userId: string, text: string): Promise<void>;
}

/** What the service is built from. */
export interface ApprovalServiceDeps {
  store: ApprovalStore;
  /** A migration service per use (the composition root's `backend.migration`). */
  migration: () => MigrationService;
  /** A fix service per use (the composition root's `backend.fixes`); without it, fix requests are refused. */
  fixes?: () => FixService;
  events: EventLog;
  messenger: ApprovalMessenger;
  /** Where the edits of the request messages wait until Slack takes them (the alerts' outbox). */
  outbox: OutboxStore;
  /** Sends what the outbox holds now, without waiting on retries that are not due; never throws. */
  deliver: () => Promise<void>;
  directory: ApprovalDirectory;
  config: Pick<ApprovalsConfig, 'requiredApprovals' | 'channel' | 'ttlMs'>;
  /** The folder rollbacks may restore backups from (the migration's backup folder). */
  backupDir: string;
  now: () => number;
  /** Least time between two progress edits of a message (default 3 s, within Slack's rate limits). */
  progressIntervalMs?: number;
  /** Where failures nobody is waiting for are logged. */
  log?: (line: string) => void;
  /** New run ids, claimed when a request starts (default: the migration's run ids). */
  newRunId?: () => string;
  /** Slug of the group the bot's events belong to (the event log's), for the events a restore writes again. */
  eventGroupSlug?: string;
  /** Test crash points (see `execute.ts`). */
  crash?: CrashPoint;
  /** After a run ended: re-evaluates every metric at once (the monitors' `reevaluateAfterChange`). */
  afterChange?: (change: 'migration' | 'rollback') => void;
}

/** What a request asks for. */
export interface RequestInput {
  kind: ApprovalKind;
  /** Rollback: a migration run id or a backup file (in the backup folder). Fix: `orphans` or `orphans:<groupId>`. */
  target?: string | null;
  userId: string;
  /** The request this one follows (a rollback asked from a failed run). */
  parentId?: string | null;
}

/** What a click did: the decision, the request as it is now, and the one line to show the clicker. */
export interface ClickOutcome {
  decision: ApprovalDecision | null;
  request: ApprovalRequest | null;
  reply: string;
  /** A new request posted because the plan changed. */
  superseded?: ApprovalRequest;
}

/** The approval service. */
export interface ApprovalService {
  /** The dry run of what a request would do (counts only); writes nothing. */
  preview(kind: ApprovalKind, target: string | null): Promise<PlanSummary>;
  /** The backup file a rollback names, confined to the backup folder; throws `InvalidArgumentError` otherwise. */
  backupFile(target: string): string;
  /** Dry run, store, post to the approval channel; returns the request. Runs nothing. */
  request(input: RequestInput): Promise<ApprovalRequest>;
  /**
   * An Approve or Reject click. A rejection by an approver carries the reason they gave (`REJECT_REASON_MIN` to
   * `REJECT_REASON_MAX` characters); the requester withdrawing their own request may leave it out.
   */
  click(input: { requestId: string; action: 'approve' | 'reject'; userId: string; planHash: string; reason?: string | null }): Promise<ClickOutcome>;
  /** A "Request rollback" click on a failed run, or on one that made metrics worse: a new rollback request of that run. */
  requestRollbackOf(requestId: string, userId: string): Promise<ApprovalRequest>;
  /**
   * Expires requests whose time is up, resumes runs left running by a previous process, and then sends the
   * outbox's due rows (message edits Slack did not take, after their backoff, also those a previous process left).
   */
  tick(): Promise<void>;
  /** Resolves when the runs this process started have ended and its delivery round of their edits is over (tests, shutdown). */
  idle(): Promise<void>;
  /** Requests still open (requested, approved or running), oldest first, one page at a time. */
  pending(cursor: string | null, limit: number): Promise<{ requests: ApprovalRequest[]; continueCursor: string | null }>;
}

/** The fix and its group a fix request's target names (`orphans`, `orphans:<groupId>`); a one-line error otherwise. */
export function fixTarget(target: string | null): { fix: FixName; groupId: string | null } {
  const [name = '', groupId = ''] = (target ?? '').split(':');
  if (!(FIX_NAMES as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(`fix: name one of ${FIX_NAMES.join(', ')}: \`/ontology fix orphans [groupId] [--dry-run]\`.`);
  }
  return { fix: name as FixName, groupId: groupId.trim() || null };
}

/** The line the requester gets when their request reaches `request.state`, or null for states they are not told. */
export function requesterNotice(request: ApprovalRequest, by: string | null = null): string | null {
  const title = `your ${requestTitle(request)} (request ${code(request.id)})`;
  // A stored outcome or error may quote data or an unexpected error: escaped, with no server path or raw SDK text.
  const shown = (text: string | null | undefined) => (text ? escapeText(shownErrorText(text)) : '');
  const outcome = (request.result as { message?: string } | null)?.message;
  switch (request.state) {
    case 'approved':
      return `Approved: ${title} was approved by ${request.approvals.map((approval) => `<@${approval.userId}>`).join(', ')} and starts now.`;
    case 'rejected':
      return `Rejected: ${title} was rejected${by ? ` by <@${by}>` : ''}${request.rejectReason ? `: “${escapeText(request.rejectReason)}”` : ''}; nothing ran.`;
    case 'expired':
      return `Expired: ${title} was not approved in time; nothing ran. Ask again if it is still needed.`;
    case 'superseded':
      return `Not run: ${title} was closed. ${shown(request.error)}`.trim();
    case 'succeeded':
      // A run that made metrics worse is not reported as a plain success.
      return `${hasRegressions(request.result as RunOutcome | null) ? 'Succeeded with regressions' : 'Succeeded'}: ${title}. ${shown(outcome)}`.trim();
    case 'failed':
      return `Failed: ${title}. ${shown(request.error ?? outcome)}`.trim();
    default:
      return null;
  }
}

/** The approval service over its ports. */
export function createApprovalService(deps: ApprovalServiceDeps): ApprovalService {
  const { store, events, messenger, directory, now } = deps;
  const log = deps.log ?? ((line: string) => console.error(line));

  const render = (request: ApprovalRequest): OutboundMessage => approvalMessage(request, { approvers: directory.approverMentions() }, now());
  /**
   * One delivery round at a time in this process, so the edits of a message reach Slack in the order they were
   * queued; a call during a round asks for one more round after it.
   */
  let round: Promise<void> | null = null;
  let again = false;
  const deliver = (): Promise<void> => {
    if (round) {
      again = true;
      return round;
    }
    round = (async () => {
      do {
        again = false;
        try {
          await deps.deliver();
        } catch (error) {
          log(`approvals: message edits not delivered yet (${(error as Error).message}); they wait in the outbox.`);
        }
      } while (again);
    })().finally(() => {
      round = null;
    });
    return round;
  };
  /**
   * Queues the edit of a request's message in the outbox (replacing an edit of it not delivered yet) and starts
   * sending it: a Slack that fails keeps it there, retried with backoff by every later round (the tick's, the
   * scheduler's), also after a restart.
   */
  const edit = async (request: ApprovalRequest, message: OutboundMessage = render(request)): Promise<void> => {
    if (!request.channel || !request.messageTs) return;
    const target = { channel: request.channel, ts: request.messageTs };
    try {
      await deps.outbox.enqueue([{ kind: 'edit', channel: target.channel, notificationId: null, message, target, replaceKey: `approval ${request.id}` }], now());
    } catch (error) {
      // The outcome is already recorded on the request; the next edit of its message shows it.
      log(`approvals: could not queue the edit of the message of request ${request.id}: ${(error as Error).message}`);
      return;
    }
    // Queued is enough: the run and the click never wait for Slack; the outbox keeps the edit until it is taken.
    void deliver();
  };
  /**
   * Tells the requester, by direct message, that their request was approved, rejected, expired, superseded, or
   * that its run succeeded or failed. Best effort: a failed message is logged and changes nothing.
   */
  const tell = async (request: ApprovalRequest, by: string | null = null): Promise<void> => {
    const text = requesterNotice(request, by);
    if (text === null) return;
    try {
      await messenger.notify(request.requestedBy, text);
    } catch (error) {
      log(`approvals: could not tell <@${request.requestedBy}> about request ${request.id}: ${(error as Error).message}`);
    }
  };
  const record = (type: string, request: ApprovalRequest, metadata: Record<string, string | number | boolean | null> = {}) =>
    events.log(type, { requestId: request.id, kind: request.kind, target: request.target, ...metadata }, now());

  const executor: RunExecutor = createRunExecutor({
    store,
    migration: deps.migration,
    fixes: () => fixService(),
    record,
    edit,
    render: (request, progress) => approvalMessage(request, { approvers: directory.approverMentions(), progress }, now()),
    now,
    progressIntervalMs: deps.progressIntervalMs ?? 3_000,
    log,
    newRunId: deps.newRunId ?? newRunId,
    claimGraceMs: ORPHAN_APPROVAL_MS,
    replan: async (request) => {
      const fresh = await plan(request.kind, request.target);
      return { planHash: planHash(fresh), empty: isEmptyPlan(fresh) };
    },
    trail: (request) => trailOf(request),
    tell: (request) => tell(request),
    rolledBack: (rollback) => markRolledBack(rollback),
    crash: deps.crash,
    afterChange: (request) => deps.afterChange?.(request.kind === 'migrate' ? 'migration' : 'rollback'),
  });

  /**
   * Moves the migration requests whose runs are now rolled back (by an exact undo, or by a restore of a backup they
   * postdate) to `rolled_back`, and edits their messages.
   */
  const markRolledBack = async (rollback: ApprovalRequest): Promise<void> => {
    const migration = deps.migration();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<ApprovalStore['list']>> = await store.list({ states: ['succeeded', 'failed'], cursor, limit: 100 });
      for (const ended of page.requests) {
        if ((ended.kind !== 'migrate' && ended.kind !== 'fix') || ended.runId === null) continue;
        if ((await migration.getRun(ended.runId))?.state !== 'rolled_back') continue;
        const change = await store.finish(ended.id, { at: now(), state: 'rolled_back' });
        if (!change.changed) continue;
        await record('approval_rolled_back', change.request, { runId: ended.runId, rollbackRequestId: rollback.id, rollbackRunId: rollback.runId });
        await edit(change.request);
      }
      cursor = page.continueCursor;
    } while (cursor !== null);
  };

  /**
   * The request's own events as `record` wrote them (requested, each approval, run started) and one `restore` event
   * naming it: what a full restore writes again as it ends, since it replaces the events table.
   */
  const trailOf = (request: ApprovalRequest): KeptEvents => {
    const base = { requestId: request.id, kind: request.kind, target: request.target };
    return {
      slug: deps.eventGroupSlug ?? 'ontology-ops',
      events: [
        { type: 'approval_requested', timestamp: request.requestedAt, metadata: { ...base, userId: request.requestedBy, planHash: request.planHash, parentId: request.parentId } },
        ...request.approvals.map((approval, index) => ({
          type: 'approval_approved',
          timestamp: approval.at,
          metadata: { ...base, userId: approval.userId, approvals: index + 1, required: request.requiredApprovals },
        })),
        { type: 'approval_run_started', timestamp: request.startedAt ?? now(), metadata: { ...base, runId: request.runId } },
        { type: 'restore', timestamp: now(), metadata: { ...base, restoreRunId: request.runId } },
      ],
    };
  };

  /** The backup file a rollback names, confined to the backup folder. */
  const backupFile = (target: string): string => {
    const root = resolve(deps.backupDir);
    const file = resolve(root, target);
    const inside = relative(root, file);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      throw new InvalidArgumentError(`rollback: backup file "${target}" is not in the backup folder ${root}: name a backup in it (e.g. the file name the migration printed).`);
    }
    return file;
  };
  const isBackupFile = (target: string) => /\.(zip|manifest\.json)$/i.test(target) || target.includes('/');

  /** The dry run of what a request would do. */
  const plan = async (kind: ApprovalKind, target: string | null): Promise<PlanSummary> => {
    const migration = deps.migration();
    if (kind === 'migrate') return migrationPlan(await migration.dryRun());
    if (kind === 'fix') {
      const { fix, groupId } = fixTarget(target);
      const fixPlanned = await fixService().plan(fix, { groupId, idLimit: Number.MAX_SAFE_INTEGER });
      return fixPlan(fixPlanned, fixPlanned.records.map((record) => `${record.table}/${record.recordId}`));
    }
    if (!target) throw new InvalidArgumentError('rollback: name a migration run id or a backup file: `/ontology rollback <runId | backupFile>`.');
    if (isBackupFile(target)) return restorePlan(await migration.restoreBackup(backupFile(target), { actor: 'approval-plan', dryRun: true }));
    // A fix run is undone by the fix service (its own journal), a migration run by the migration service.
    if ((await migration.getRun(target))?.kind === 'fix') return undoPlan(await fixService().undo(target, { actor: 'approval-plan', dryRun: true }));
    return undoPlan(await migration.undoRun(target, { actor: 'approval-plan', dryRun: true }));
  };
  const fixService = (): FixService => {
    if (!deps.fixes) throw new InvalidArgumentError('Fixes cannot be requested here: this bot was started without the fix service.');
    return deps.fixes();
  };
  const lockHeld = async (): Promise<boolean> => {
    const running = await store.list({ states: ['running'], cursor: null, limit: 1 });
    if (running.requests.length > 0) return true;
    return (await deps.migration().status({ limit: 1 })).lock.held;
  };

  const post = async (request: ApprovalRequest): Promise<ApprovalRequest> => {
    const channel = deps.config.channel!;
    try {
      const posted = await messenger.post(channel, render(request));
      await store.setMessage(request.id, posted);
      return (await store.get(request.id))!;
    } catch (error) {
      // A request nobody can see cannot be approved: withdraw it so it never lingers as pending.
      await store.reject(request.id, { userId: request.requestedBy, at: now() });
      throw new OpsError(ErrorCode.SlackDelivery, `Could not post the approval request to ${channel} (${(error as Error).message}): invite the bot to APPROVAL_CHANNEL and try again.`, { cause: error });
    }
  };

  const create = async (input: RequestInput, summary: PlanSummary): Promise<ApprovalRequest> => {
    const at = now();
    const { created: isNew, request: created } = await store.open({
      kind: input.kind,
      target: input.target ?? null,
      requestedBy: input.userId,
      requestedAt: at,
      expiresAt: at + deps.config.ttlMs,
      requiredApprovals: deps.config.requiredApprovals,
      planHash: planHash(summary),
      plan: summary,
      parentId: input.parentId ?? null,
    });
    if (!isNew) throw alreadyOpen(created);
    await record('approval_requested', created, { userId: input.userId, planHash: created.planHash, parentId: created.parentId });
    return post(created);
  };

  /** The refusal of a second open request of the same kind and target, with a link to the open one. */
  const alreadyOpen = (open: ApprovalRequest): OpsError => {
    const link = open.channel && open.messageTs ? { url: `https://slack.com/archives/${open.channel}/p${open.messageTs.replace('.', '')}`, label: `Open request ${open.id}` } : undefined;
    const state = open.state === 'requested' ? 'waiting for approval' : open.state;
    return new OpsError(ErrorCode.Conflict, `The ${requestTitle(open)} is already requested (${state}): see request ${open.id}. Nothing new was requested.`, { link });
  };

  const request = async (input: RequestInput): Promise<ApprovalRequest> => {
    if (!deps.config.channel) throw new InvalidArgumentError('No approval channel: set APPROVAL_CHANNEL (or ALERT_CHANNEL_CRITICAL) to the channel approvers read.');
    if (!directory.hasApprovers) throw new InvalidArgumentError('Nobody may approve: set APPROVER_USER_IDS and/or APPROVER_USERGROUP, then ask again.');
    if (!(await directory.mayRequest(input.userId))) {
      throw new OpsError(ErrorCode.Forbidden, 'Only members of the requester user group (REQUESTER_USERGROUP) may request a migration or rollback: ask one of them.');
    }
    const target = input.target?.trim() || null;
    const summary = await plan(input.kind, target);
    if (summary.kind === 'migrate') {
      if (summary.blocking.length > 0) throw new OpsError(ErrorCode.PreflightFailed, `Pre-flight failed, so nothing was requested: ${summary.blocking.join('; ')}.`);
      if (summary.changes.total === 0) throw new OpsError(ErrorCode.PreflightFailed, 'Nothing to migrate: every record has a groupId and every entity a schemaVersion ≥ 1.');
    }
    if (summary.kind === 'fix' && summary.refused) throw new OpsError(ErrorCode.PreflightFailed, `The ${summary.fix} fix is refused, so nothing was requested: ${summary.refused}.`);
    if (summary.kind === 'undo' && summary.alreadyUndone) throw new OpsError(ErrorCode.Conflict, `Run ${target} was already undone: nothing to request.`);
    if (isEmptyPlan(summary)) throw new OpsError(ErrorCode.Conflict, `The ${requestTitle({ kind: input.kind, target, plan: summary })} would change nothing: nothing to request.`);
    return create({ ...input, target }, summary);
  };

  const approvalsText = (request: ApprovalRequest) => request.approvals.map((approval) => `<@${approval.userId}> at ${formatInstant(approval.at)}`).join(', ');
  const replyFor = (reason: ApprovalReason, request: ApprovalRequest, userId: string): string => {
    switch (reason) {
      case 'approved':
        return `Approved: the ${requestTitle(request)} starts now; follow it in the request message.`;
      case 'awaiting_more_approvals':
        return `Approval recorded (${request.approvals.length}/${request.requiredApprovals}): waiting for another approver.`;
      case 'rejected':
        return `Rejected: request ${request.id} will not run.`;
      case 'self_approval':
        return 'You requested this, so you cannot approve it: another approver must.';
      case 'not_approver':
        return 'Only approvers (APPROVER_USER_IDS / APPROVER_USERGROUP) may approve or reject a migration or rollback.';
      case 'expired':
        return `Request ${request.id} expired at ${formatInstant(request.expiresAt)}: nothing ran; ask again with \`${requestCommand(request)}\`.`;
      case 'already_approved':
        return `Already approved by ${approvalsText(request)}: nothing changed (request is ${request.state}).`;
      case 'already_rejected':
        return `Already rejected by <@${request.rejectedBy}> at ${formatInstant(request.decidedAt ?? request.requestedAt)}: nothing changed.`;
      case 'replay': {
        const mine = request.approvals.find((approval) => approval.userId === userId);
        return `Already approved by <@${userId}> at ${formatInstant(mine?.at ?? request.requestedAt)}: nothing changed; waiting for ${request.requiredApprovals - request.approvals.length} more approval(s).`;
      }
      case 'stale_copy':
        return `This copy shows an older plan of request ${request.id}: nothing changed; use the latest request message.`;
      case 'plan_changed':
        return 'The plan changed since the request (the data moved): nothing ran; a new request with the fresh plan was posted for approval.';
      case 'nothing_to_change':
        return `There is nothing to change any more: request ${request.id} closed and nothing ran.`;
      case 'lock_held':
        return 'Another migration or rollback holds the lock: nothing started; approve again once it has finished.';
    }
  };

  /** The answer when the store refused a change the decision allowed (another click won the race). */
  const refused = async (id: string, userId: string, click: { action: 'approve' | 'reject'; planHash: string }): Promise<ClickOutcome> => {
    const current = await store.get(id);
    if (!current) return { decision: null, request: null, reply: `No approval request ${id}.` };
    const decision = decideApproval(current, { ...click, userId }, now(), { isApprover: true });
    const reason: ApprovalReason = decision.action === 'refuse' || decision.action === 'expire' ? decision.reason : 'already_approved';
    return { decision: { action: 'refuse', reason }, request: current, reply: replyFor(reason, current, userId) };
  };

  /**
   * Closes an approved request whose plan changed or became empty (nothing runs) and, unless the fresh plan is
   * empty, posts a new request with it.
   */
  const supersede = async (approved: ApprovalRequest, fresh: PlanSummary, userId: string | null) => {
    const empty = isEmptyPlan(fresh);
    const error = empty ? 'Nothing to change any more: nothing ran.' : 'The plan changed since it was approved: nothing ran; a new request was posted.';
    const change = await store.finish(approved.id, { at: now(), state: 'superseded', from: 'approved', error });
    const closed = change.request ?? approved;
    if (change.changed) {
      await record('approval_superseded', closed, { userId, empty });
      await edit(closed);
      await tell(closed);
    }
    const next = empty ? undefined : await create({ kind: closed.kind, target: closed.target, userId: closed.requestedBy, parentId: closed.id }, fresh);
    return { closed, next };
  };

  /**
   * An approved request whose start this process never saw (the approving process died between the approval and
   * the start): the same checks as at the click, then the start.
   */
  const startOrphan = async (approved: ApprovalRequest): Promise<void> => {
    if (await lockHeld()) return;
    const fresh = await plan(approved.kind, approved.target);
    const hash = planHash(fresh);
    if (hash !== approved.planHash || isEmptyPlan(fresh)) await supersede(approved, fresh, null);
    else executor.start(approved, hash);
  };

  const click: ApprovalService['click'] = async ({ requestId, action, userId, planHash: clickedHash, reason: givenReason }) => {
    const current = await store.get(requestId);
    if (!current) return { decision: null, request: null, reply: `No approval request ${requestId}: it may belong to another bot's store.` };
    const reason = givenReason?.replace(/\s+/g, ' ').trim() || null;
    if (action === 'reject') {
      if (reason !== null && reason.length > REJECT_REASON_MAX) throw new InvalidArgumentError(`reason: at most ${REJECT_REASON_MAX} characters, got ${reason.length}: shorten it.`);
      if (userId !== current.requestedBy && (reason ?? '').length < REJECT_REASON_MIN) {
        throw new InvalidArgumentError(`reason: say why the request is rejected (at least ${REJECT_REASON_MIN} characters); the requester is told.`);
      }
    }
    const isApprover = await directory.isApprover(userId);
    let fresh: FreshPlan | null = null;
    let freshPlan: PlanSummary | null = null;
    if (action === 'approve' && isApprover && clickedHash === current.planHash && now() < current.expiresAt && wouldComplete(current, userId)) {
      const held = await lockHeld();
      freshPlan = held ? null : await plan(current.kind, current.target);
      fresh = { lockHeld: held, planHash: freshPlan ? planHash(freshPlan) : current.planHash, empty: freshPlan ? isEmptyPlan(freshPlan) : false };
    }
    const decision = decideApproval(current, { action, userId, planHash: clickedHash }, now(), { isApprover }, fresh);
    const at = now();
    switch (decision.action) {
      case 'refuse':
        if (decision.reason === 'expired') await edit(current);
        return { decision, request: current, reply: replyFor(decision.reason, current, userId) };
      case 'expire': {
        const change = await store.expire(requestId, at);
        if (change.changed) {
          await record('approval_expired', change.request, { userId: null });
          await edit(change.request);
          await tell(change.request);
        }
        const after = change.request ?? current;
        return { decision, request: after, reply: replyFor('expired', after, userId) };
      }
      case 'reject': {
        const change = await store.reject(requestId, { userId, at, reason });
        if (!change.changed) return refused(requestId, userId, { action, planHash: clickedHash });
        await record('approval_rejected', change.request, { userId });
        await edit(change.request);
        // A requester withdrawing their own request knows already.
        if (userId !== change.request.requestedBy) await tell(change.request, userId);
        return { decision, request: change.request, reply: replyFor('rejected', change.request, userId) };
      }
      case 'record_approval':
      case 'approve_and_start':
      case 'supersede': {
        const change = await store.approve(requestId, { userId, at, planHash: clickedHash });
        if (!change.changed) return refused(requestId, userId, { action, planHash: clickedHash });
        const approved = change.request;
        await record('approval_approved', approved, { userId, approvals: approved.approvals.length, required: approved.requiredApprovals });
        if (approved.state !== 'approved') {
          await edit(approved);
          return { decision: { action: 'record_approval', reason: 'awaiting_more_approvals' }, request: approved, reply: replyFor('awaiting_more_approvals', approved, userId) };
        }
        if (decision.action === 'supersede') {
          const { closed, next } = await supersede(approved, freshPlan!, userId);
          return { decision, request: closed, reply: replyFor(decision.reason, closed, userId), ...(next ? { superseded: next } : {}) };
        }
        // The run does not wait for Slack: the Approved edit goes out first, the run's own edits after it.
        executor.start(approved, fresh?.planHash ?? approved.planHash, edit(approved));
        await tell(approved);
        return { decision, request: approved, reply: replyFor('approved', approved, userId) };
      }
    }
  };

  return {
    preview: (kind, target) => plan(kind, target?.trim() || null),
    backupFile,
    request,
    click,
    async requestRollbackOf(requestId, userId) {
      const ended = await store.get(requestId);
      // A failed run, or one that succeeded but made metrics worse: the two a rollback is offered for.
      const offered = ended?.state === 'failed' || (ended?.state === 'succeeded' && hasRegressions(ended.result as RunOutcome | null));
      if (!ended || !offered || ended.kind !== 'migrate' || !ended.runId) {
        throw new InvalidArgumentError(`Request ${requestId} is not a failed migration with a run (nor one that made metrics worse): nothing to roll back.`);
      }
      return request({ kind: 'rollback', target: ended.runId, userId, parentId: ended.id });
    },
    async tick() {
      let cursor: string | null = null;
      do {
        const page = await store.list({ states: ['requested', 'approved', 'running'], cursor, limit: 100 });
        for (const open of page.requests) {
          if (open.state === 'requested' && now() >= open.expiresAt) {
            const change = await store.expire(open.id, now());
            if (change.changed) {
              await record('approval_expired', change.request, { userId: null });
              await edit(change.request);
              await tell(change.request);
            }
          } else if (open.state === 'running') {
            executor.resume(open);
          } else if (open.state === 'approved' && !executor.isActive(open.id) && now() - (open.decidedAt ?? open.requestedAt) >= ORPHAN_APPROVAL_MS) {
            await startOrphan(open);
          }
        }
        cursor = page.continueCursor;
      } while (cursor !== null);
      // Last: with Slack hanging, delivery waits on its calls, and expiries and resumes must not wait behind them.
      await deliver();
    },
    async idle() {
      await executor.idle();
      await round;
    },
    pending: (cursor, limit) => store.list({ cursor, limit }),
  };
}
