/**
 * The Home tab's approvals act like the request message: the lead's Home lists the waiting request with a link and
 * its Approve / Reject buttons; a signed click on Approve there (a `block_actions` from a view: no channel, no
 * `response_url`) goes through the same service and four-eyes rules as a click on the message.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { APPROVAL_T0, seededBackend } from '../../helpers/approvals.ts';
import { APPROVAL_CHANNEL, APPROVE_ACTION, APPROVER_1, expectNothingRan, REJECT_ACTION, REQUESTER, requestVia, startApprovalApp } from '../../helpers/slack/approval-flow.ts';
import type { SlackAppHarness } from '../../helpers/slack/slack-app-harness.ts';

type Element = { action_id: string; value: string; confirm?: { text: { text: string } } };
type Block = { type: string; block_id?: string; text?: { text: string }; elements?: Element[] };

/** Opens `userId`'s Home tab and returns the view the app published for them. */
async function openHome(harness: SlackAppHarness, userId: string): Promise<Block[]> {
  const before = harness.slack.callsOf('views.publish').filter((call) => call.params.user_id === userId).length;
  await harness.event({
    token: 'deprecated',
    team_id: 'T0TEST',
    api_app_id: 'A0TEST',
    type: 'event_callback',
    event_id: `Ev0HOME${userId}${before}`,
    event_time: 1,
    event: { type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home', event_ts: '1.1' },
  });
  const call = await harness.slack.waitFor(() => harness.slack.callsOf('views.publish').filter((published) => published.params.user_id === userId)[before]);
  return (call.params.view as { blocks: Block[] }).blocks;
}

/** A signed click on a Home tab button, as Slack sends it: a view's container, no channel, no `response_url`. */
function homeClick(userId: string, element: Element): unknown {
  return {
    type: 'block_actions',
    user: { id: userId, username: userId.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'deprecated',
    container: { type: 'view', view_id: 'V0HOME' },
    trigger_id: '1.2.3',
    team: { id: 'T0TEST', domain: 'test' },
    view: { id: 'V0HOME', type: 'home', blocks: [] },
    actions: [{ type: 'button', action_id: element.action_id, block_id: 'home_approval', value: element.value, action_ts: '1700000000.1' }],
  };
}

/** Clicks `element` in `userId`'s Home tab; resolves with the private answer the clicker got. */
async function clickInHome(harness: SlackAppHarness, userId: string, element: Element): Promise<string> {
  const answers = harness.slack.callsOf('chat.postEphemeral').length;
  const response = await harness.interaction(homeClick(userId, element));
  expect(response.status).toBe(200);
  const answer = await harness.slack.waitFor(() => harness.slack.callsOf('chat.postEphemeral')[answers]);
  expect(answer.params).toMatchObject({ channel: APPROVAL_CHANNEL, user: userId });
  return String(answer.params.text);
}

async function setUp() {
  const { backend, store } = await seededBackend();
  const harness = await startApprovalApp({ backend, clock: new FakeClock(APPROVAL_T0) });
  const requested = await requestVia(harness, backend, 'migrate');
  expect(requested.request).toMatchObject({ state: 'requested', requestedBy: REQUESTER });
  return { backend, store, harness, request: requested.request! };
}

function homeButtons(blocks: Block[], requestId: string): Element[] {
  return blocks.find((block) => block.block_id === `home_approval:${requestId}`)?.elements ?? [];
}

describe('approving from the Home tab', () => {
  it("the lead's Home lists the request with a link and its buttons, and Approve there approves it", async () => {
    const { backend, store, harness, request } = await setUp();
    const blocks = await openHome(harness, APPROVER_1);
    const all = JSON.stringify(blocks);
    expect(all).toContain(`you may approve* · \`${request.id}\``);
    expect(all).toContain(`<https://slack.com/archives/${request.channel}/p${request.messageTs!.replace('.', '')}|Open the request>`);
    const buttons = homeButtons(blocks, request.id);
    expect(buttons.map((button) => button.action_id)).toEqual([APPROVE_ACTION, REJECT_ACTION]);
    expect(buttons[0]!.confirm!.text.text).toMatch(/^Migrate [\d,]+ records in \d tables/);

    const answer = await clickInHome(harness, APPROVER_1, buttons[0]!);
    expect(answer).toMatch(/Approved/);
    await harness.app.approvals.idle();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded', approvals: [{ userId: APPROVER_1 }] });
    // The Home tab was published again: the request no longer waits there.
    const after = harness.slack.callsOf('views.publish').filter((call) => call.params.user_id === APPROVER_1).at(-1)!;
    expect(JSON.stringify(after.params.view)).not.toContain(`home_approval:${request.id}`);
    store.close();
  });

  it("the engineer's own Approve from the Home tab is refused and nothing runs", async () => {
    const { backend, store, harness, request } = await setUp();
    const blocks = await openHome(harness, REQUESTER);
    const approve = homeButtons(blocks, request.id).find((button) => button.action_id === APPROVE_ACTION)!;
    expect(approve).toBeDefined();
    const answer = await clickInHome(harness, REQUESTER, approve);
    expect(answer).toMatch(/You requested this, so you cannot approve it/);
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'requested', approvals: [] });
    await expectNothingRan(backend);
    store.close();
  });

  it('Reject from the Home tab opens the reason modal; its submission withdraws the request, answered in its channel', async () => {
    const { backend, store, harness, request } = await setUp();
    const reject = homeButtons(await openHome(harness, REQUESTER), request.id).find((button) => button.action_id === REJECT_ACTION)!;
    expect((await harness.interaction(homeClick(REQUESTER, reject))).status).toBe(200);
    const modal = (await harness.slack.waitFor(() => harness.slack.callsOf('views.open')[0])).params.view as { callback_id: string; private_metadata: string };
    const answers = harness.slack.callsOf('chat.postEphemeral').length;
    const submitted = await harness.interaction({
      type: 'view_submission',
      user: { id: REQUESTER, username: 'alice', team_id: 'T0TEST' },
      api_app_id: 'A0TEST',
      token: 'deprecated',
      team: { id: 'T0TEST', domain: 'test' },
      trigger_id: '123.456.def',
      view: { id: 'V1', type: 'modal', callback_id: modal.callback_id, private_metadata: modal.private_metadata, state: { values: { reason: { reason: { type: 'plain_text_input', value: 'not needed any more' } } } }, hash: 'h' },
    });
    expect(submitted.status).toBe(200);
    const answer = await harness.slack.waitFor(() => harness.slack.callsOf('chat.postEphemeral')[answers]);
    expect(answer.params).toMatchObject({ channel: APPROVAL_CHANNEL, user: REQUESTER });
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'rejected', rejectedBy: REQUESTER });
    await expectNothingRan(backend);
    store.close();
  });
});
