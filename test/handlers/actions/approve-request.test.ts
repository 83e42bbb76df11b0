/**
 * Four-eyes approval through the real Bolt app: signed slash commands and button clicks, the local Web API, a real
 * SQLite store seeded with a small legacy data set. Every refused click leaves the store with no run started.
 */
import { describe, expect, it } from 'vitest';
import { MIGRATION_LEASE } from '../../../src/migration/service.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { APPROVAL_T0, seededBackend } from '../../helpers/approvals.ts';
import {
  APPROVER_1,
  APPROVER_2,
  click,
  expectNothingRan,
  OUTSIDER,
  rejectVia,
  REQUESTER,
  requestVia,
  startApprovalApp,
  updatesOf,
} from '../../helpers/slack/approval-flow.ts';

async function setUp(options: { requiredApprovals?: number } = {}) {
  const { backend, store } = await seededBackend();
  const clock = new FakeClock(APPROVAL_T0);
  const harness = await startApprovalApp({ backend, clock, requiredApprovals: options.requiredApprovals });
  const requested = await requestVia(harness, backend, 'migrate');
  expect(requested.request).toMatchObject({ state: 'requested', requestedBy: REQUESTER });
  return { backend, store, clock, harness, ...requested };
}

describe('approval matrix: each refused click runs nothing', () => {
  it('the requester cannot approve their own request', async () => {
    const { backend, harness, ts, value } = await setUp();
    const { answer } = await click(harness, { userId: REQUESTER, value, ts });
    expect(answer).toMatch(/You requested this, so you cannot approve it/);
    expect(await backend.approvals.get(JSON.parse(value).requestId)).toMatchObject({ state: 'requested', approvals: [] });
    await expectNothingRan(backend);
  });

  it('a user who is not an approver gets a private refusal', async () => {
    const { backend, harness, ts, value } = await setUp();
    const { answer } = await click(harness, { userId: OUTSIDER, value, ts });
    expect(answer).toMatch(/Only approvers/);
    await expectNothingRan(backend);
  });

  it('an expired request cannot be approved and its buttons say so', async () => {
    const { backend, harness, ts, value, clock } = await setUp();
    clock.advance(3_600_000);
    const { answer } = await click(harness, { userId: APPROVER_1, value, ts });
    expect(answer).toMatch(/expired at .*nothing ran/);
    expect(await backend.approvals.get(JSON.parse(value).requestId)).toMatchObject({ state: 'expired' });
    const last = updatesOf(harness, ts).at(-1)!;
    expect(JSON.stringify(last.params.blocks)).toContain('Approve (expired)');
    await expectNothingRan(backend);
  });

  it('a double click counts once and answers "already approved by … at …"', async () => {
    const { backend, harness, ts, value } = await setUp({ requiredApprovals: 2 });
    const [first, second] = await Promise.all([click(harness, { userId: APPROVER_1, value, ts }), click(harness, { userId: APPROVER_1, value, ts })]);
    const answers = [first.answer, second.answer].sort();
    expect(answers[0]).toMatch(/^Already approved by <@U0BOB> at \d{4}-\d\d-\d\d \d\d:\d\d UTC: nothing changed/);
    expect(answers[1]).toMatch(/^Approval recorded \(1\/2\)/);
    expect((await backend.approvals.get(JSON.parse(value).requestId))!.approvals).toHaveLength(1);
    await expectNothingRan(backend);
  });

  it('a replay of the same signed payload changes nothing', async () => {
    const { backend, harness, ts, value } = await setUp({ requiredApprovals: 2 });
    const first = await click(harness, { userId: APPROVER_1, value, ts });
    expect(first.answer).toMatch(/Approval recorded \(1\/2\)/);
    const replay = await click(harness, { userId: APPROVER_1, value, ts }, first.payload);
    expect(replay.answer).toMatch(/^Already approved by <@U0BOB> at /);
    expect((await backend.approvals.get(JSON.parse(value).requestId))!.approvals).toHaveLength(1);
    await expectNothingRan(backend);
  });

  it('a click on a stale copy (buttons still showing after it was decided) changes nothing', async () => {
    const { backend, harness, ts, value } = await setUp();
    await rejectVia(harness, { userId: APPROVER_1, value, ts, reason: 'not this week' });
    const stale = await click(harness, { userId: APPROVER_2, value, ts });
    expect(stale.answer).toMatch(/^Already rejected by <@U0BOB> at .*nothing changed/);
    expect(await backend.approvals.get(JSON.parse(value).requestId)).toMatchObject({ state: 'rejected', approvals: [] });
    await expectNothingRan(backend);
  });

  it('a copy showing another plan hash changes nothing', async () => {
    const { backend, harness, ts, value } = await setUp();
    const forged = JSON.stringify({ ...JSON.parse(value), planHash: '0'.repeat(32) });
    const { answer } = await click(harness, { userId: APPROVER_1, value: forged, ts });
    expect(answer).toMatch(/older plan/);
    await expectNothingRan(backend);
  });

  it('when the plan changed since the request, the run does not start and a new approval is asked for', async () => {
    const { backend, harness, ts, value, store } = await setUp();
    // One more entity without a groupId: the run would now change one record more than the approvers saw.
    await store.insert('entities', { type: 'creator', name: 'late', createdAt: APPROVAL_T0, updatedAt: APPROVAL_T0 });
    const { answer } = await click(harness, { userId: APPROVER_1, value, ts });
    expect(answer).toMatch(/The plan changed since the request.*nothing ran; a new request/);
    const old = await backend.approvals.get(JSON.parse(value).requestId);
    expect(old).toMatchObject({ state: 'superseded', runId: null, startedAt: null });
    const fresh = await backend.approvals.list({ states: ['requested'], cursor: null, limit: 10 });
    expect(fresh.requests).toHaveLength(1);
    expect(fresh.requests[0]).toMatchObject({ parentId: old!.id, requestedBy: REQUESTER });
    expect(fresh.requests[0]!.planHash).not.toBe(old!.planHash);
    expect((fresh.requests[0]!.plan as { changes: { entities: number } }).changes.entities).toBe((old!.plan as { changes: { entities: number } }).changes.entities + 1);
    await expectNothingRan(backend);
  });

  it('while another process holds the migration lock, nothing starts', async () => {
    const { backend, harness, ts, value, clock } = await setUp();
    await backend.leases.acquireLease(MIGRATION_LEASE, 'cli-on-another-host', 600_000, clock.now());
    const { answer } = await click(harness, { userId: APPROVER_1, value, ts });
    expect(answer).toMatch(/holds the lock: nothing started/);
    expect(await backend.approvals.get(JSON.parse(value).requestId)).toMatchObject({ state: 'requested', approvals: [] });
    const status = await backend.migration().status({ limit: 10 });
    expect(status.runs).toEqual([]);
  });

  it('two approvals required: one approval runs nothing; the second distinct approver starts the run', async () => {
    const { backend, harness, ts, value } = await setUp({ requiredApprovals: 2 });
    expect((await click(harness, { userId: APPROVER_1, value, ts })).answer).toMatch(/Approval recorded \(1\/2\)/);
    await expectNothingRan(backend);
    expect((await click(harness, { userId: APPROVER_2, value, ts })).answer).toMatch(/^Approved: /);
    await harness.app.approvals.idle();
    const done = await backend.approvals.get(JSON.parse(value).requestId);
    expect(done).toMatchObject({ state: 'succeeded' });
    expect(done!.approvals.map((approval) => approval.userId)).toEqual([APPROVER_1, APPROVER_2]);
  });
});

describe('approved runs', () => {
  it('request → approve → progress edits of the same message → completion with the validation report', async () => {
    const { backend } = await seededBackend();
    // Each clock reading moves time on, as real work does, so progress edits come at most every 3 s of it.
    const clock = new FakeClock(APPROVAL_T0, { stepMs: 250 });
    const harness = await startApprovalApp({ backend, clock });
    const { request, ts, value, post } = await requestVia(harness, backend, 'migrate');
    const shown = JSON.stringify(post!.params.blocks);
    expect(shown).toContain('<@U0BOB> <@U0CAROL> please review.');
    expect(shown).toMatch(/Records to change:\* 16 .*Cross-group references the run would create:\* 5/s);
    expect(shown).toContain('"action_id":"approve_request"');

    const { answer } = await click(harness, { userId: APPROVER_1, value, ts });
    expect(answer).toMatch(/^Approved: the v1 groupId migration starts now/);
    await harness.app.approvals.idle();

    const done = (await backend.approvals.get(request!.id))!;
    expect(done).toMatchObject({ state: 'succeeded', approvals: [{ userId: APPROVER_1 }] });
    const runs = (await backend.migration().status({ limit: 5 })).runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: done.runId, kind: 'migrate', state: 'completed', actor: `slack:${APPROVER_1}` });
    expect(runs[0]!.backupFile).toMatch(/\.zip$/);

    const edits = updatesOf(harness, ts).map((call) => JSON.stringify(call.params.blocks));
    expect(edits.length).toBeGreaterThanOrEqual(3);
    // Approved: the buttons are gone and the approver is named.
    expect(edits[0]).toContain('Approved by* <@U0BOB>');
    expect(edits[0]).not.toContain('approve_request');
    expect(edits.some((edit) => /\*Progress\* run `[^`]+`.*\*(backup|entities|connections|events|knowledge|validation):\* \d+\/\d+/s.test(edit))).toBe(true);
    expect(edits.at(-1)).toMatch(/Succeeded with regressions: v1 groupId migration.*Validation: passed.*:warning: \*Cross-group violations\* 0 → 5 \(healthy → critical\)/s);
    expect(harness.slack.callsOf('chat.postMessage').filter((call) => call.params.channel === 'C0APPROVALS')).toHaveLength(1);
  });
});

describe('Reject asks for a reason', () => {
  it('opens a modal; an empty reason is refused in it, an outsider is refused, an approver rejects and the requester is told why', async () => {
    const { backend, harness, ts, value } = await setUp();
    const empty = await rejectVia(harness, { userId: APPROVER_1, value, ts, reason: ' ' });
    expect(JSON.parse(empty.ack)).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringContaining('Say why') } });
    const outsider = await rejectVia(harness, { userId: OUTSIDER, value, ts, reason: 'I do not like it' });
    expect(outsider.answer).toMatch(/^Only approvers/);
    expect(await backend.approvals.get(JSON.parse(value).requestId)).toMatchObject({ state: 'requested' });

    const { answer } = await rejectVia(harness, { userId: APPROVER_1, value, ts, reason: 'wait for the <!channel> backfill' });
    expect(answer).toMatch(/^Rejected: request apr_\w+ will not run\./);
    const request = (await backend.approvals.get(JSON.parse(value).requestId))!;
    expect(request).toMatchObject({ state: 'rejected', rejectedBy: APPROVER_1, rejectReason: 'wait for the <!channel> backfill' });
    expect(JSON.stringify(updatesOf(harness, ts).at(-1)!.params.blocks)).toContain('wait for the &lt;!channel&gt; backfill');
    const notice = await harness.slack.waitFor(() => harness.slack.callsOf('chat.postMessage').find((call) => call.params.channel === REQUESTER));
    expect(notice.params.text).toBe(`Rejected: your v1 groupId migration (request \`${request.id}\`) was rejected by <@${APPROVER_1}>: “wait for the &lt;!channel&gt; backfill”; nothing ran.`);
    await expectNothingRan(backend);
  });
});
