/** A failed approved migration shows its error and "Request rollback", which opens its own approval. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { APPROVAL_T0, seededBackend } from '../../helpers/approvals.ts';
import { APPROVER_1, APPROVER_2, buttonValue, click, REQUEST_ROLLBACK_ACTION, requestVia, startApprovalApp, updatesOf } from '../../helpers/slack/approval-flow.ts';

describe('Request rollback', () => {
  it('a failed run → "Request rollback" → a rollback approval → approved, the exact undo runs', async () => {
    const { backend } = await seededBackend({
      crash: (point) => {
        if (point === 'batch:2') throw new Error('disk went away');
      },
    });
    const clock = new FakeClock(APPROVAL_T0);
    const harness = await startApprovalApp({ backend, clock });
    const { request, ts, value } = await requestVia(harness, backend, 'migrate');
    await click(harness, { userId: APPROVER_1, value, ts });
    await harness.app.approvals.idle();

    const failed = (await backend.approvals.get(request!.id))!;
    expect(failed).toMatchObject({ state: 'failed' });
    expect(failed.runId).toBeTruthy();
    expect(failed.error).toMatch(/disk went away/);
    const last = updatesOf(harness, ts).at(-1)!;
    expect(JSON.stringify(last.params.blocks)).toMatch(/Failed: v1 groupId migration.*disk went away/s);
    const rollbackValue = buttonValue(last.params.blocks, REQUEST_ROLLBACK_ACTION)!;
    expect(rollbackValue).toBe(failed.id);

    const asked = await click(harness, { userId: APPROVER_1, value: rollbackValue, ts, actionId: REQUEST_ROLLBACK_ACTION });
    expect(asked.answer).toMatch(new RegExp(`Rollback of run \`${failed.runId}\` requested`));
    const rollback = (await backend.approvals.list({ states: ['requested'], cursor: null, limit: 5 })).requests[0]!;
    expect(rollback).toMatchObject({ kind: 'rollback', target: failed.runId, parentId: failed.id, requestedBy: APPROVER_1 });
    // Nothing ran yet: the undo waits for its own approval.
    expect((await backend.migration().status({ limit: 5 })).runs.map((run) => run.kind)).toEqual(['migrate']);

    const post = harness.slack.callsOf('chat.postMessage').at(-1)!;
    expect(JSON.stringify(post.params.blocks)).toContain(`rollback (exact undo) of run ${failed.runId}`);
    // The one who asked for the rollback cannot approve it; the other approver can.
    const own = await click(harness, { userId: APPROVER_1, value: buttonValue(post.params.blocks, 'approve_request')!, ts: rollback.messageTs! });
    expect(own.answer).toMatch(/cannot approve it/);
    await click(harness, { userId: APPROVER_2, value: buttonValue(post.params.blocks, 'approve_request')!, ts: rollback.messageTs! });
    await harness.app.approvals.idle();
    expect(await backend.approvals.get(rollback.id)).toMatchObject({ state: 'succeeded' });
    const runs = (await backend.migration().status({ limit: 5 })).runs;
    expect(runs.find((run) => run.id === failed.runId)).toMatchObject({ state: 'rolled_back' });
  });

  it('a run that succeeded with regressions names them, the next step and "Request rollback", which asks for its undo', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const { request, ts, value } = await requestVia(harness, backend, 'migrate');
    await click(harness, { userId: APPROVER_1, value, ts });
    await harness.app.approvals.idle();
    const done = (await backend.approvals.get(request!.id))!;
    expect(done).toMatchObject({ state: 'succeeded' });
    const last = JSON.stringify(updatesOf(harness, ts).at(-1)!.params.blocks);
    expect(last).toMatch(/:warning: Succeeded with regressions: v1 groupId migration/);
    expect(last).toMatch(/:warning: \*Cross-group violations\* 0 → 5 \(healthy → critical\).*:warning: \*Cause:\* 5 cross-group references/s);
    expect(last).toContain(`*Next:* review the cross-group references with \`/ontology integrity\`, or undo the run: *Request rollback* below (or \`/ontology rollback ${done.runId}\`).`);
    const rollbackValue = buttonValue(updatesOf(harness, ts).at(-1)!.params.blocks, REQUEST_ROLLBACK_ACTION)!;
    expect(rollbackValue).toBe(done.id);
    const asked = await click(harness, { userId: APPROVER_1, value: rollbackValue, ts, actionId: REQUEST_ROLLBACK_ACTION });
    expect(asked.answer).toMatch(new RegExp(`Rollback of run \`${done.runId}\` requested`));
    expect((await backend.approvals.list({ states: ['requested'], cursor: null, limit: 5 })).requests[0]).toMatchObject({ kind: 'rollback', target: done.runId, parentId: done.id });
  });

  it('refuses a request that is not a failed migration', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const { request, ts } = await requestVia(harness, backend, 'migrate');
    const { answer } = await click(harness, { userId: APPROVER_1, value: request!.id, ts, actionId: REQUEST_ROLLBACK_ACTION });
    expect(answer).toMatch(/is not a failed migration with a run \(nor one that made metrics worse\): nothing to roll back/);
    expect((await backend.approvals.list({ states: ['requested'], cursor: null, limit: 5 })).requests).toHaveLength(1);
  });
});
