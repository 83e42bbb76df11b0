/**
 * Whether a click on Approve or Reject may change a request: a pure function of (request, click, now, config,
 * what a fresh dry run found), returning an action and a reason enum that is logged and turned into the answer the
 * clicker sees. The store enforces the same rules again with its compare-and-set (see `port.ts`); this decision
 * picks the words and spares the store work it would refuse. No `node:` imports: Convex functions may import it.
 */
import type { ApprovalRequest } from './port.ts';

/** A click as the button's payload carries it. */
export interface ApprovalClick {
  action: 'approve' | 'reject';
  userId: string;
  /** The plan hash the clicked message was rendered with (the button's value). */
  planHash: string;
}

/** Who may approve, as resolved for this click. */
export interface ApprovalDecisionConfig {
  /** True when the clicker is a configured approver (`APPROVER_USER_IDS` / `APPROVER_USERGROUP`). */
  isApprover: boolean;
}

/**
 * What a fresh dry run found just before the approval that would start the run; null when this click would not
 * start it (more approvals needed, or a rejection).
 */
export interface FreshPlan {
  planHash: string;
  /** True when another process holds the migration lock. */
  lockHeld: boolean;
  /** True when the fresh plan would change nothing. */
  empty?: boolean;
}

/** What to do with a click. */
export type ApprovalAction =
  /** Record the approval; more are needed. */
  | 'record_approval'
  /** Record the last approval needed and start the run. */
  | 'approve_and_start'
  | 'reject'
  /** Mark the request expired (its time is up) and refuse. */
  | 'expire'
  /** Close the request without running it and ask for a new approval of the fresh plan (none when it is empty). */
  | 'supersede'
  /** Change nothing; answer the clicker. */
  | 'refuse';

/** Why. */
export type ApprovalReason =
  | 'approved'
  | 'awaiting_more_approvals'
  | 'rejected'
  | 'self_approval'
  | 'not_approver'
  | 'expired'
  | 'already_approved'
  | 'already_rejected'
  /** The clicker already approved this request (a double click or a replayed payload). */
  | 'replay'
  /** The clicked message shows a plan the request no longer has. */
  | 'stale_copy'
  | 'plan_changed'
  /** The fresh plan would change nothing: the request closes without running. */
  | 'nothing_to_change'
  | 'lock_held';

/** A decision. */
export interface ApprovalDecision {
  action: ApprovalAction;
  reason: ApprovalReason;
}

/** Shortest and longest reason a rejecting approver gives (the Reject modal asks for it; the requester is told). */
export const REJECT_REASON_MIN = 3;
export const REJECT_REASON_MAX = 200;

const DECIDED = new Set(['approved', 'running', 'succeeded', 'failed']);

/** Decides what a click does. `fresh` is consulted only when the click would complete the approvals. */
export function decideApproval(request: ApprovalRequest, click: ApprovalClick, now: number, config: ApprovalDecisionConfig, fresh: FreshPlan | null = null): ApprovalDecision {
  if (request.state === 'rejected') return { action: 'refuse', reason: 'already_rejected' };
  if (request.state === 'expired') return { action: 'refuse', reason: 'expired' };
  if (DECIDED.has(request.state)) return { action: 'refuse', reason: 'already_approved' };
  if (click.planHash !== request.planHash) return { action: 'refuse', reason: 'stale_copy' };
  if (now >= request.expiresAt) return { action: 'expire', reason: 'expired' };
  if (click.action === 'reject') {
    // The requester may withdraw their own request; anyone else needs to be an approver.
    if (click.userId !== request.requestedBy && !config.isApprover) return { action: 'refuse', reason: 'not_approver' };
    return { action: 'reject', reason: 'rejected' };
  }
  if (click.userId === request.requestedBy) return { action: 'refuse', reason: 'self_approval' };
  if (!config.isApprover) return { action: 'refuse', reason: 'not_approver' };
  if (request.approvals.some((approval) => approval.userId === click.userId)) return { action: 'refuse', reason: 'replay' };
  if (request.approvals.length + 1 < request.requiredApprovals) return { action: 'record_approval', reason: 'awaiting_more_approvals' };
  if (fresh === null) return { action: 'approve_and_start', reason: 'approved' };
  // The lock is checked before the plan: while another run holds it, the plan may be mid-change.
  if (fresh.lockHeld) return { action: 'refuse', reason: 'lock_held' };
  if (fresh.empty) return { action: 'supersede', reason: 'nothing_to_change' };
  if (fresh.planHash !== request.planHash) return { action: 'supersede', reason: 'plan_changed' };
  return { action: 'approve_and_start', reason: 'approved' };
}

/** True when a click by `userId` would complete the approvals (so a fresh dry run is worth its time). */
export function wouldComplete(request: ApprovalRequest, userId: string): boolean {
  return (
    request.state === 'requested' &&
    userId !== request.requestedBy &&
    !request.approvals.some((approval) => approval.userId === userId) &&
    request.approvals.length + 1 >= request.requiredApprovals
  );
}
