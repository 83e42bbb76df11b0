/** "Propose fix" through the real app: a signed click posts the fix request for the alert's scope; a bad value is refused. */
import { describe, expect, it } from 'vitest';
import { ALERT_ACTION_IDS } from '../../../src/slack/blocks/alert.ts';
import { APPROVAL_T0, seededBackend } from '../../helpers/approvals.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { APPROVAL_CHANNEL, click, expectNothingRan, REQUESTER, startApprovalApp } from '../../helpers/slack/approval-flow.ts';

describe('Propose fix button', () => {
  it('posts the orphans fix request for the whole platform, and a second click links to the open one', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const { answer } = await click(harness, { userId: REQUESTER, actionId: ALERT_ACTION_IDS.proposeFix, value: 'orphans', ts: '1700000000.000100' });
    expect(answer).toMatch(/^Fix `orphans` requested \(request `apr_[0-9a-f]+`\): approvers were asked in <#C0APPROVALS>\.$/);
    const [request] = (await backend.approvals.list({ cursor: null, limit: 5 })).requests;
    expect(request).toMatchObject({ kind: 'fix', target: 'orphans', state: 'requested', requestedBy: REQUESTER });
    expect(harness.slack.callsOf('chat.postMessage').filter((call) => call.params.channel === APPROVAL_CHANNEL)).toHaveLength(1);
    const again = await click(harness, { userId: REQUESTER, actionId: ALERT_ACTION_IDS.proposeFix, value: 'orphans', ts: '1700000000.000100' });
    expect(again.answer).toMatch(/is already requested \(waiting for approval\): see request/);
    await expectNothingRan(backend);
  });

  it('refuses a value that names no fix, privately, and requests nothing', async () => {
    const { backend } = await seededBackend();
    const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
    const { answer } = await click(harness, { userId: REQUESTER, actionId: ALERT_ACTION_IDS.proposeFix, value: 'everything', ts: '1700000000.000100' });
    expect(answer).toMatch(/fix: name one of orphans, cross-group, legacy-default/);
    expect((await backend.approvals.list({ cursor: null, limit: 5 })).requests).toEqual([]);
  });
});
