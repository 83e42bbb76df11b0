import { describe, expect, it } from 'vitest';
import { decideApproval, wouldComplete, type ApprovalClick, type ApprovalDecision, type FreshPlan } from '../../src/approvals/decide.ts';
import type { ApprovalRequest } from '../../src/approvals/port.ts';

const T = Date.parse('2026-11-30T10:00:00Z');
const HOUR = 3_600_000;

const request = (overrides: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  id: 'apr_1',
  kind: 'migrate',
  target: null,
  state: 'requested',
  requestedBy: 'U_REQ',
  requestedAt: T,
  expiresAt: T + HOUR,
  requiredApprovals: 1,
  approvals: [],
  rejectedBy: null,
  rejectReason: null,
  decidedAt: null,
  planHash: 'h1',
  plan: null,
  channel: 'C1',
  messageTs: '1.1',
  runId: null,
  startedAt: null,
  finishedAt: null,
  error: null,
  result: null,
  parentId: null,
  version: 1,
  ...overrides,
});

const approve = (userId = 'U_A', planHash = 'h1'): ApprovalClick => ({ action: 'approve', userId, planHash });
const reject = (userId = 'U_A'): ApprovalClick => ({ action: 'reject', userId, planHash: 'h1' });
const fresh = (overrides: Partial<FreshPlan> = {}): FreshPlan => ({ planHash: 'h1', lockHeld: false, ...overrides });

describe('decideApproval', () => {
  it.each<[string, ApprovalRequest, ApprovalClick, number, boolean, FreshPlan | null, ApprovalDecision]>([
    ['an approver approves a fresh request with an unchanged plan', request(), approve(), T + 1, true, fresh(), { action: 'approve_and_start', reason: 'approved' }],
    ['the requester cannot approve their own request', request(), approve('U_REQ'), T + 1, true, fresh(), { action: 'refuse', reason: 'self_approval' }],
    ['a user who is not an approver is refused', request(), approve('U_X'), T + 1, false, fresh(), { action: 'refuse', reason: 'not_approver' }],
    ['a click at the expiry expires the request', request(), approve(), T + HOUR, true, fresh(), { action: 'expire', reason: 'expired' }],
    ['a click on an expired request is refused', request({ state: 'expired' }), approve(), T + 2 * HOUR, true, null, { action: 'refuse', reason: 'expired' }],
    ['a second click after approval changes nothing', request({ state: 'approved' }), approve(), T + 2, true, null, { action: 'refuse', reason: 'already_approved' }],
    ['a click while the run goes changes nothing', request({ state: 'running' }), approve('U_B'), T + 2, true, null, { action: 'refuse', reason: 'already_approved' }],
    ['a click after the run changes nothing', request({ state: 'succeeded' }), approve('U_B'), T + 2, true, null, { action: 'refuse', reason: 'already_approved' }],
    ['a click on a rejected request changes nothing', request({ state: 'rejected' }), approve(), T + 2, true, null, { action: 'refuse', reason: 'already_rejected' }],
    ['a replayed approval of the same user changes nothing', request({ requiredApprovals: 2, approvals: [{ userId: 'U_A', at: T + 1 }] }), approve(), T + 2, true, null, { action: 'refuse', reason: 'replay' }],
    ['a click on a copy showing another plan changes nothing', request(), approve('U_A', 'h0'), T + 1, true, fresh(), { action: 'refuse', reason: 'stale_copy' }],
    ['the plan changed since the request: supersede, run nothing', request(), approve(), T + 1, true, fresh({ planHash: 'h2' }), { action: 'supersede', reason: 'plan_changed' }],
    ['another run holds the lock: nothing starts', request(), approve(), T + 1, true, fresh({ lockHeld: true }), { action: 'refuse', reason: 'lock_held' }],
    ['the first of two approvals is recorded only', request({ requiredApprovals: 2 }), approve(), T + 1, true, null, { action: 'record_approval', reason: 'awaiting_more_approvals' }],
    ['the second distinct approval starts', request({ requiredApprovals: 2, approvals: [{ userId: 'U_A', at: T + 1 }] }), approve('U_B'), T + 2, true, fresh(), { action: 'approve_and_start', reason: 'approved' }],
    ['an approver rejects', request(), reject(), T + 1, true, null, { action: 'reject', reason: 'rejected' }],
    ['the requester withdraws their request', request(), reject('U_REQ'), T + 1, false, null, { action: 'reject', reason: 'rejected' }],
    ['a non-approver cannot reject', request(), reject('U_X'), T + 1, false, null, { action: 'refuse', reason: 'not_approver' }],
    ['a rejection at the expiry expires the request', request(), reject(), T + HOUR, true, null, { action: 'expire', reason: 'expired' }],
  ])('%s', (_why, given, click, now, isApprover, freshPlan, expected) => {
    expect(decideApproval(given, click, now, { isApprover }, freshPlan)).toEqual(expected);
  });

  it.each<[string, ApprovalRequest, string, boolean]>([
    ['one approval needed, none yet', request(), 'U_A', true],
    ['two needed, none yet', request({ requiredApprovals: 2 }), 'U_A', false],
    ['two needed, one by someone else', request({ requiredApprovals: 2, approvals: [{ userId: 'U_B', at: T }] }), 'U_A', true],
    ['the requester never completes', request(), 'U_REQ', false],
    ['already approved', request({ state: 'approved' }), 'U_A', false],
  ])('wouldComplete: %s', (_why, given, userId, expected) => {
    expect(wouldComplete(given, userId)).toBe(expected);
  });
});
