/**
 * The contract of `ApprovalStore` (src/approvals/port.ts), for every adapter: each rule is enforced by the store's
 * compare-and-set, so a refused change leaves the request exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalStore, NewApprovalRequest } from '../../src/approvals/port.ts';

/** The port and a close. */
export interface ApprovalStoreHandles {
  port: ApprovalStore;
  close: () => Promise<void>;
}

/** The instant requests are made at. */
export const T = Date.parse('2026-11-30T10:00:00Z');
const HOUR = 3_600_000;

/** A new request as a test writes it (shared with the adapters' own approval-store tests). */
export const draft = (overrides: Partial<NewApprovalRequest> = {}): NewApprovalRequest => ({
  kind: 'migrate',
  target: null,
  requestedBy: 'U_REQ',
  requestedAt: T,
  expiresAt: T + HOUR,
  requiredApprovals: 1,
  planHash: 'hash-1',
  plan: { changes: { total: 5 } },
  ...overrides,
});

/** Declares the suite for one adapter. */
export function approvalStoreContract(name: string, open: () => Promise<ApprovalStoreHandles>): void {
  const withPort = async <R>(body: (port: ApprovalStore) => Promise<R>): Promise<R> => {
    const handles = await open();
    try {
      return await body(handles.port);
    } finally {
      await handles.close();
    }
  };

  describe(`ApprovalStore contract: ${name}`, () => {
    it('creates a request in state requested and reads it back', () =>
      withPort(async (port) => {
        const created = await port.create(draft({ kind: 'rollback', target: 'run1', parentId: 'apr_parent' }));
        expect(typeof created.id).toBe('string');
        expect(created).toMatchObject({
          kind: 'rollback',
          target: 'run1',
          state: 'requested',
          requestedBy: 'U_REQ',
          approvals: [],
          planHash: 'hash-1',
          plan: { changes: { total: 5 } },
          parentId: 'apr_parent',
          channel: null,
          runId: null,
        });
        expect(await port.get(created.id)).toEqual(created);
        expect(await port.get('apr_missing')).toBeNull();
      }));

    it('refuses a self-approval, a second approval by the same user, a wrong plan hash and an approval at expiry', () =>
      withPort(async (port) => {
        const request = await port.create(draft({ requiredApprovals: 2 }));
        expect(await port.approve(request.id, { userId: 'U_REQ', at: T + 1, planHash: 'hash-1' })).toMatchObject({ changed: false, reason: 'self_approval' });
        expect(await port.approve(request.id, { userId: 'U_A', at: T + 1, planHash: 'hash-2' })).toMatchObject({ changed: false, reason: 'plan_mismatch' });
        expect(await port.approve(request.id, { userId: 'U_A', at: T + HOUR, planHash: 'hash-1' })).toMatchObject({ changed: false, reason: 'expired' });
        const first = await port.approve(request.id, { userId: 'U_A', at: T + 2, planHash: 'hash-1' });
        expect(first).toMatchObject({ changed: true, request: { state: 'requested', approvals: [{ userId: 'U_A', at: T + 2 }] } });
        const again = await port.approve(request.id, { userId: 'U_A', at: T + 3, planHash: 'hash-1' });
        expect(again).toMatchObject({ changed: false, reason: 'already_approved_by_user' });
        expect((await port.get(request.id))!.approvals).toHaveLength(1);
        const second = await port.approve(request.id, { userId: 'U_B', at: T + 4, planHash: 'hash-1' });
        expect(second).toMatchObject({ changed: true, request: { state: 'approved', decidedAt: T + 4 } });
        expect(second.request!.approvals.map((approval) => approval.userId)).toEqual(['U_A', 'U_B']);
        const late = await port.approve(request.id, { userId: 'U_C', at: T + 5, planHash: 'hash-1' });
        expect(late).toMatchObject({ changed: false, reason: 'wrong_state', request: { state: 'approved' } });
      }));

    it('concurrent approvals of the same user count once', () =>
      withPort(async (port) => {
        const request = await port.create(draft({ requiredApprovals: 2 }));
        const results = await Promise.all([1, 2, 3].map((n) => port.approve(request.id, { userId: 'U_A', at: T + n, planHash: 'hash-1' })));
        expect(results.filter((result) => result.changed)).toHaveLength(1);
        expect(await port.get(request.id)).toMatchObject({ state: 'requested', approvals: [{ userId: 'U_A' }] });
      }));

    it('rejects before expiry only, and a rejected request cannot be approved', () =>
      withPort(async (port) => {
        const late = await port.create(draft());
        expect(await port.reject(late.id, { userId: 'U_A', at: T + HOUR })).toMatchObject({ changed: false, reason: 'expired' });
        const request = await port.create(draft());
        expect(await port.reject(request.id, { userId: 'U_A', at: T + 5, reason: 'not this week' })).toMatchObject({
          changed: true,
          request: { state: 'rejected', rejectedBy: 'U_A', rejectReason: 'not this week', decidedAt: T + 5 },
        });
        const withdrawn = await port.create(draft({ kind: 'rollback', target: 'run1' }));
        expect(withdrawn.rejectReason).toBeNull();
        expect(await port.reject(withdrawn.id, { userId: 'U_REQ', at: T + 5 })).toMatchObject({ changed: true, request: { state: 'rejected', rejectReason: null } });
        expect(await port.approve(request.id, { userId: 'U_B', at: T + 6, planHash: 'hash-1' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        expect(await port.reject(request.id, { userId: 'U_B', at: T + 6 })).toMatchObject({ changed: false, reason: 'wrong_state' });
      }));

    it('expires only once the expiry is reached, and only a requested request', () =>
      withPort(async (port) => {
        const request = await port.create(draft());
        expect(await port.expire(request.id, T + HOUR - 1)).toMatchObject({ changed: false, reason: 'not_expired' });
        expect(await port.expire(request.id, T + HOUR)).toMatchObject({ changed: true, request: { state: 'expired', decidedAt: T + HOUR } });
        expect(await port.approve(request.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        const approved = await port.create(draft());
        await port.approve(approved.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' });
        expect(await port.expire(approved.id, T + 2 * HOUR)).toMatchObject({ changed: false, reason: 'wrong_state' });
      }));

    it('starts an approved request with its plan hash, claiming its run id, one running at a time, then finishes it once', () =>
      withPort(async (port) => {
        const one = await port.create(draft());
        const two = await port.create(draft());
        expect(await port.start(one.id, { at: T + 1, planHash: 'hash-1', runId: 'run7' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        await port.approve(one.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' });
        await port.approve(two.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' });
        expect(await port.start(one.id, { at: T + 2, planHash: 'hash-9', runId: 'run7' })).toMatchObject({ changed: false, reason: 'plan_mismatch' });
        expect(await port.start(one.id, { at: T + 2, planHash: 'hash-1', runId: 'run7' })).toMatchObject({ changed: true, request: { state: 'running', startedAt: T + 2, runId: 'run7' } });
        // A second start (another process, a replay) neither wins nor replaces the claimed run id.
        expect(await port.start(one.id, { at: T + 3, planHash: 'hash-1', runId: 'run8' })).toMatchObject({ changed: false, reason: 'wrong_state', request: { runId: 'run7' } });
        expect(await port.start(two.id, { at: T + 3, planHash: 'hash-1', runId: 'run9' })).toMatchObject({ changed: false, reason: 'another_running', request: { state: 'approved', runId: null } });
        // A start that lost the race must not fail the request that is running.
        expect(await port.finish(one.id, { at: T + 3, state: 'failed', from: 'approved' })).toMatchObject({ changed: false, reason: 'wrong_state', request: { state: 'running' } });
        const done = await port.finish(one.id, { at: T + 9, state: 'succeeded', result: { changed: 5 } });
        expect(done).toMatchObject({ changed: true, request: { state: 'succeeded', runId: 'run7', finishedAt: T + 9, result: { changed: 5 } } });
        expect(await port.finish(one.id, { at: T + 10, state: 'failed', error: 'x' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        expect(await port.start(two.id, { at: T + 11, planHash: 'hash-1', runId: 'run9' })).toMatchObject({ changed: true });
      }));

    it('two processes ending the same run: one finish wins, the other changes nothing', () =>
      withPort(async (port) => {
        const request = await port.create(draft());
        await port.approve(request.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' });
        await port.start(request.id, { at: T + 2, planHash: 'hash-1', runId: 'run7' });
        const results = await Promise.all([
          port.finish(request.id, { at: T + 3, state: 'succeeded', from: 'running', result: { by: 'a' } }),
          port.finish(request.id, { at: T + 4, state: 'succeeded', from: 'running', result: { by: 'b' } }),
        ]);
        expect(results.filter((result) => result.changed)).toHaveLength(1);
        const winner = results.find((result) => result.changed)!.request!;
        expect(await port.get(request.id)).toMatchObject({ state: 'succeeded', result: winner.result, runId: 'run7' });
      }));

    it('fails an approved request that could not start, or supersedes it, without running it', () =>
      withPort(async (port) => {
        const request = await port.create(draft());
        expect(await port.finish(request.id, { at: T + 1, state: 'failed', error: 'plan_changed' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        expect(await port.finish(request.id, { at: T + 1, state: 'superseded' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        await port.approve(request.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' });
        expect(await port.finish(request.id, { at: T + 2, state: 'succeeded' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        expect(await port.finish(request.id, { at: T + 2, state: 'failed', from: 'running' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        expect(await port.finish(request.id, { at: T + 2, state: 'failed', error: 'plan_changed' })).toMatchObject({
          changed: true,
          request: { state: 'failed', error: 'plan_changed', runId: null, startedAt: null },
        });
        const other = await port.create(draft({ kind: 'rollback', target: 'run1' }));
        await port.approve(other.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' });
        expect(await port.finish(other.id, { at: T + 2, state: 'superseded', from: 'approved', error: 'nothing to change' })).toMatchObject({
          changed: true,
          request: { state: 'superseded', error: 'nothing to change', runId: null },
        });
        expect(await port.start(other.id, { at: T + 3, planHash: 'hash-1', runId: 'run7' })).toMatchObject({ changed: false, reason: 'wrong_state' });
      }));

    it('marks an ended request rolled back, keeping its outcome, and nothing else', () =>
      withPort(async (port) => {
        const request = await port.create(draft());
        expect(await port.finish(request.id, { at: T + 1, state: 'rolled_back' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        await port.approve(request.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' });
        await port.start(request.id, { at: T + 2, planHash: 'hash-1', runId: 'run7' });
        expect(await port.finish(request.id, { at: T + 2, state: 'rolled_back' })).toMatchObject({ changed: false, reason: 'wrong_state' });
        await port.finish(request.id, { at: T + 3, state: 'succeeded', result: { changed: 5 } });
        expect(await port.finish(request.id, { at: T + 4, state: 'rolled_back' })).toMatchObject({
          changed: true,
          request: { state: 'rolled_back', runId: 'run7', result: { changed: 5 }, error: null },
        });
        expect(await port.finish(request.id, { at: T + 5, state: 'rolled_back' })).toMatchObject({ changed: false, reason: 'wrong_state' });
      }));

    it('opens at most one request per kind and target: a repeat returns the open one and writes nothing', () =>
      withPort(async (port) => {
        const first = await port.open(draft());
        expect(first.created).toBe(true);
        const replays = await Promise.all([1, 2, 3].map((n) => port.open(draft({ requestedAt: T + n, planHash: `hash-${n}` }))));
        expect(replays.map((replay) => [replay.created, replay.request.id])).toEqual([1, 2, 3].map(() => [false, first.request.id]));
        expect(await port.get(first.request.id)).toEqual(first.request);
        // Another target, another kind: their own requests.
        const rollback = await port.open(draft({ kind: 'rollback', target: 'run1' }));
        expect(rollback.created).toBe(true);
        expect((await port.open(draft({ kind: 'rollback', target: 'run2' }))).created).toBe(true);
        expect((await port.open(draft({ kind: 'rollback', target: 'run1' }))).request.id).toBe(rollback.request.id);
        // Once the open one is approved and running it still counts; once it ended, a new one opens.
        await port.approve(first.request.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' });
        await port.start(first.request.id, { at: T + 2, planHash: 'hash-1', runId: 'run7' });
        expect((await port.open(draft())).created).toBe(false);
        await port.finish(first.request.id, { at: T + 3, state: 'failed', error: 'x' });
        const next = await port.open(draft());
        expect(next.created).toBe(true);
        expect(next.request.id).not.toBe(first.request.id);
        const open = (await port.list({ states: ['requested'], cursor: null, limit: 10 })).requests;
        expect(open.map((request) => [request.kind, request.target])).toEqual([['rollback', 'run1'], ['rollback', 'run2'], ['migrate', null]]);
      }));

    it('remembers the message and bumps the version on every change', () =>
      withPort(async (port) => {
        const request = await port.create(draft());
        await port.setMessage(request.id, { channel: 'C1', ts: '1700000000.000100' });
        const read = (await port.get(request.id))!;
        expect(read).toMatchObject({ channel: 'C1', messageTs: '1700000000.000100' });
        expect(read.version).toBeGreaterThan(request.version);
      }));

    it('lists open requests oldest first, one page at a time, and by state', () =>
      withPort(async (port) => {
        const ids: string[] = [];
        for (let n = 0; n < 5; n++) ids.push((await port.create(draft({ requestedAt: T + n }))).id);
        await port.reject(ids[1]!, { userId: 'U_A', at: T + 10 });
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await port.list({ cursor, limit: 2 });
          seen.push(...page.requests.map((request) => request.id));
          cursor = page.continueCursor;
          pages++;
        } while (cursor !== null && pages < 10);
        expect(seen).toEqual([ids[0], ids[2], ids[3], ids[4]]);
        expect((await port.list({ states: ['rejected'], cursor: null, limit: 10 })).requests.map((request) => request.id)).toEqual([ids[1]]);
      }));
  });
}
