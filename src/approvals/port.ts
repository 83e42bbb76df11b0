/**
 * The approval store: four-eyes approval requests for a migration or a rollback, from request to the end of the
 * run they allowed. Every rule that decides whether a request may move on is enforced by the store itself with a
 * compare-and-set inside one transaction (one SQLite transaction, one Convex mutation), never only in memory, so
 * two clicks, two replicas or a replayed payload can never both win. The SQLite adapter is
 * `src/store/sqlite/sqlite-approval-store.ts`; the contract every adapter passes is
 * `test/contracts/approval-store.contract.ts`.
 *
 * States: requested → approved (once `requiredApprovals` distinct approvers approved) | rejected | expired;
 * approved → running (claiming the run id) → succeeded | failed; approved → superseded when the plan changed or
 * became empty before the start (nothing ran); approved → failed when the run could not start; succeeded | failed →
 * rolled_back once a rollback of its run succeeded. At most one request per kind and target is open (requested,
 * approved or running) at a time.
 */

/** The states of a request. */
export const APPROVAL_STATES = ['requested', 'approved', 'rejected', 'expired', 'running', 'succeeded', 'failed', 'superseded', 'rolled_back'] as const;
/** One state of a request. */
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/**
 * What a request asks for: the v1 migration, a rollback of a run (exact undo) or from a backup (full restore), or a
 * named fix (`fix`; its target is the fix name, `orphans`, or `orphans:<groupId>` for one group).
 */
export type ApprovalKind = 'migrate' | 'rollback' | 'fix';

/** States in which a request is open: it may still run, and no other request of its kind and target may open. */
export const OPEN_APPROVAL_STATES: readonly ApprovalState[] = ['requested', 'approved', 'running'];

/** The states a request ends in, and the states each may be reached from (`ApprovalStore.finish`). */
export const FINISH_FROM = {
  succeeded: ['running'],
  failed: ['running', 'approved'],
  superseded: ['approved'],
  rolled_back: ['succeeded', 'failed'],
} as const satisfies Record<string, readonly ApprovalState[]>;
/** A state `finish` moves a request to. */
export type FinishState = keyof typeof FINISH_FROM;

/** True when `finish` may move a request from `from` to `to` (the rule both adapters enforce). */
export function mayFinish(from: ApprovalState, to: FinishState): boolean {
  return (FINISH_FROM[to] as readonly ApprovalState[]).includes(from);
}

/** One approval: the Slack user id and when. */
export interface Approval {
  userId: string;
  at: number;
}

/** A request as stored. Ids are opaque strings. */
export interface ApprovalRequest {
  id: string;
  kind: ApprovalKind;
  /** Rollback: the run id or backup file it reverts to; fix: the fix and its scope; null for a migration. */
  target: string | null;
  state: ApprovalState;
  /** Slack user id of the requester. */
  requestedBy: string;
  requestedAt: number;
  expiresAt: number;
  requiredApprovals: number;
  /** Distinct approvers, in the order they approved. */
  approvals: Approval[];
  /** Who rejected, and when (state rejected). */
  rejectedBy: string | null;
  /** Why, as the rejecting approver said (one line; null when the requester withdrew it without one). */
  rejectReason: string | null;
  /** When the request left `requested` (approved, rejected or expired). */
  decidedAt: number | null;
  /** Hash of the plan the approvers saw; a run starts only when a fresh plan hashes the same. */
  planHash: string;
  /** The plan summary (counts only), as JSON. */
  plan: unknown;
  /** Where the request message is, so a restarted bot keeps editing the same message. */
  channel: string | null;
  messageTs: string | null;
  /**
   * The migration / undo / restore run it runs: claimed by the transition to running, before any work starts, so a
   * restarted or second process resumes this run (or records its outcome) and never starts another.
   */
  runId: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** Why it failed (one line, no record contents). */
  error: string | null;
  /** The outcome summary (counts only), as JSON. */
  result: unknown;
  /** The request this one was opened from (a rollback requested from a failed run, a re-request after a plan change). */
  parentId: string | null;
  /** Bumped by every change: a cheap way to tell a stale copy. */
  version: number;
}

/** The fields of a new request. */
export interface NewApprovalRequest {
  kind: ApprovalKind;
  target: string | null;
  requestedBy: string;
  requestedAt: number;
  expiresAt: number;
  requiredApprovals: number;
  planHash: string;
  plan: unknown;
  parentId?: string | null;
}

/** Why a compare-and-set changed nothing. */
export type ApprovalRefusal =
  | 'not_found'
  /** The request is no longer in the state the change needs. */
  | 'wrong_state'
  /** Its expiry has passed (approve / reject), or has not yet (expire). */
  | 'expired'
  | 'not_expired'
  | 'self_approval'
  /** This user already approved it. */
  | 'already_approved_by_user'
  /** The plan hash given is not the request's. */
  | 'plan_mismatch'
  /** Another approved request is running. */
  | 'another_running';

/** The outcome of a compare-and-set: the request as it is now, and whether this call changed it. */
export type ApprovalChange =
  | { changed: true; request: ApprovalRequest }
  | { changed: false; reason: ApprovalRefusal; request: ApprovalRequest | null };

/** What `ApprovalStore.finish` takes. */
export interface FinishInput {
  at: number;
  state: FinishState;
  error?: string | null;
  result?: unknown;
  runId?: string | null;
  from?: ApprovalState;
}

/** The store of approval requests. Each method is one atomic step. */
export interface ApprovalStore {
  /** Inserts a request in state `requested` unconditionally (imports and tests; the service uses `open`). */
  create(request: NewApprovalRequest): Promise<ApprovalRequest>;
  /**
   * Inserts a request in state `requested` unless a request of the same kind and target is open (requested,
   * approved or running): then nothing is written and that one is returned, so a repeated or replayed request opens
   * nothing new.
   */
  open(request: NewApprovalRequest): Promise<{ created: boolean; request: ApprovalRequest }>;
  get(id: string): Promise<ApprovalRequest | null>;
  /**
   * Requests in `states` (default: requested, approved and running: those still open), oldest first, one page at a
   * time; `cursor` is opaque, null for the first page.
   */
  list(query: { states?: readonly ApprovalState[]; cursor: string | null; limit: number }): Promise<{ requests: ApprovalRequest[]; continueCursor: string | null }>;
  /** Remembers where the request's message is (no state change). */
  setMessage(id: string, message: { channel: string; ts: string }): Promise<void>;
  /**
   * Adds `userId`'s approval when the request is `requested`, `at` is before its expiry, the plan hash matches,
   * the user is not the requester and has not approved it yet; the request becomes `approved` with the
   * `requiredApprovals`-th distinct approval.
   */
  approve(id: string, input: { userId: string; at: number; planHash: string }): Promise<ApprovalChange>;
  /** Rejects a `requested` request before its expiry, with the reason given (a requester may withdraw their own). */
  reject(id: string, input: { userId: string; at: number; reason?: string | null }): Promise<ApprovalChange>;
  /** Marks a `requested` request expired once `at` has reached its expiry. */
  expire(id: string, at: number): Promise<ApprovalChange>;
  /**
   * approved → running, when no other request is running and the plan hash is the approved one, claiming `runId`
   * (the id the run will have) in the same step: the one place that lets a migration or rollback start, so at most
   * one runs at a time and each approval runs one run.
   */
  start(id: string, input: { at: number; planHash: string; runId: string }): Promise<ApprovalChange>;
  /**
   * Ends a request: running → succeeded | failed, approved → failed (the run could not start) | superseded (nothing
   * ran), succeeded | failed → rolled_back (see `FINISH_FROM`). With `from`, only a request in that state changes
   * (so a start that lost a race never fails the request another process is running). `result` is the outcome
   * (counts only), written in this same step.
   */
  finish(id: string, input: FinishInput): Promise<ApprovalChange>;
}
