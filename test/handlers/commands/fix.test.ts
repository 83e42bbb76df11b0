/**
 * `/ontology fix orphans` through the real app: the dry run answers privately with the plan; otherwise an approval
 * request is posted through the same approval service, the requester cannot approve it, and an approver's click
 * runs the fix.
 */
import { describe, expect, it } from 'vitest';
import { APPROVAL_T0, seededBackend } from '../../helpers/approvals.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { APPROVAL_CHANNEL, APPROVER_1, click, expectNothingRan, REQUESTER, requestVia, startApprovalApp } from '../../helpers/slack/approval-flow.ts';

describe('/ontology fix', () => {
  it('--dry-run answers privately with the plan and writes nothing', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const ack = await harness.command('fix orphans --dry-run');
    const answer = (await harness.responseTo(ack.responseUrl)).body;
    expect(answer.response_type).toBe('ephemeral');
    const plan = await backend.fixes().plan('orphans');
    expect(plan.total).toBeGreaterThan(0);
    expect(JSON.stringify(answer.blocks)).toContain(`Dry run: fix orphans`);
    expect(JSON.stringify(answer.blocks)).toContain(`*Records to change:* ${plan.total} (connections ${plan.counts.connections}, knowledge ${plan.counts.knowledge})`);
    expect(JSON.stringify(answer.blocks)).toMatch(/orphanedEntityCount \d+ → 0/);
    expect(harness.slack.callsOf('chat.postMessage')).toEqual([]);
    await expectNothingRan(backend);
  });

  it('without a flag posts a fix request; the requester cannot approve it; an approver runs the fix', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const planned = await backend.fixes().plan('orphans');
    const { reply, post, request, ts, value } = await requestVia(harness, backend, 'fix orphans');
    expect(reply).toMatch(/^Approval requested \(request `apr_[0-9a-f]+`\): the fix runs once 1 approver\(s\) approve it in <#C0APPROVALS>/);
    expect(post!.params.channel).toBe(APPROVAL_CHANNEL);
    expect(request).toMatchObject({ kind: 'fix', target: 'orphans', state: 'requested', plan: { kind: 'fix', total: planned.total } });
    expect(JSON.stringify(post!.params.blocks)).toContain('fix orphans');
    expect((await click(harness, { userId: REQUESTER, value, ts })).answer).toMatch(/You requested this, so you cannot approve it/);
    await expectNothingRan(backend);
    expect((await click(harness, { userId: APPROVER_1, value, ts })).answer).toMatch(/^Approved: the fix orphans starts now/);
    await harness.app.approvals.idle();
    const done = await backend.approvals.get(request!.id);
    expect(done).toMatchObject({ state: 'succeeded' });
    const run = await backend.migration().getRun(done!.runId!);
    expect(run).toMatchObject({ kind: 'fix', state: 'completed', actor: `slack:${APPROVER_1}` });
    expect((await backend.fixes().plan('orphans')).total).toBe(0);
  });

  it.each([
    ['an unknown fix', 'fix everything', /fix: name one of orphans, cross-group, legacy-default/],
    ['a fix not built yet', 'fix cross-group --dry-run', /fix cross-group is not available yet/],
    ['no fix named', 'fix', /`fix` needs &lt;fix&gt;/],
  ])('refuses %s privately and runs nothing', async (_case, text, problem) => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const ack = await harness.command(text);
    expect(ack.status).toBe(200);
    const immediate = ack.body ? (JSON.parse(ack.body) as { text?: string }).text : undefined;
    const answer = immediate ?? String((await harness.responseTo(ack.responseUrl)).body.text);
    expect(answer).toMatch(problem);
    expect(harness.slack.callsOf('chat.postMessage')).toEqual([]);
    await expectNothingRan(backend);
  });
});

describe('/ontology fix of a group', () => {
  it('names a group that does not exist in /ontology terms, privately, and runs nothing', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const ack = await harness.command('fix orphans nope --dry-run');
    const answer = String((await harness.responseTo(ack.responseUrl)).body.text);
    expect(answer).toMatch(/No group nope: name the id of an existing group \(the ids are in `\/ontology integrity`\)/);
    expect(answer).not.toContain('ontology-ops');
    await expectNothingRan(backend);
  });
});

describe('/ontology rollback of a fix run', () => {
  it('plans the exact undo of the fix run and, once approved, undoes it', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const fixed = await backend.fixes().run('orphans', { actor: 'alice', backup: false });
    const planned = await harness.command(`rollback ${fixed.runId} --dry-run`);
    const dry = JSON.stringify((await harness.responseTo(planned.responseUrl)).body.blocks);
    const entries = fixed.changed.connections + fixed.changed.knowledge;
    expect(dry).toContain(`*Journal entries:* ${entries} · to revert ${entries}`);
    const { request, ts, value } = await requestVia(harness, backend, `rollback ${fixed.runId}`);
    expect(request).toMatchObject({ kind: 'rollback', target: fixed.runId, plan: { kind: 'undo', entries } });
    expect((await click(harness, { userId: APPROVER_1, value, ts })).answer).toMatch(/^Approved: /);
    await harness.app.approvals.idle();
    expect(await backend.approvals.get(request!.id)).toMatchObject({ state: 'succeeded' });
    expect((await backend.migration().getRun(fixed.runId!))?.state).toBe('rolled_back');
    expect((await backend.fixes().plan('orphans')).total).toBe(entries);
  });
});
