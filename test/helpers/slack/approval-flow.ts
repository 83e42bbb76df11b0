/**
 * Drives approvals through the real Bolt app: `/ontology migrate` signed as Slack signs it, the request message
 * the app posts to the local Web API, and Approve / Reject / Request rollback clicks sent back as signed
 * `block_actions` payloads, exactly as Slack would send a click on that message.
 */
import { expect } from 'vitest';
import type { Backend } from '../../../src/backend.ts';
import { APPROVE_ACTION, REJECT_ACTION, REQUEST_ROLLBACK_ACTION } from '../../../src/slack/blocks/approval.ts';
import type { FakeClock } from '../fake-clock.ts';
import type { FakeSlackApi, RecordedCall } from './fake-slack-api.ts';
import { startSlackAppHarness, type SlackAppHarness } from './slack-app-harness.ts';

/** Who is who in the approval tests. */
export const REQUESTER = 'U0ALICE';
export const APPROVER_1 = 'U0BOB';
export const APPROVER_2 = 'U0CAROL';
export const OUTSIDER = 'U0MALLORY';
export const APPROVAL_CHANNEL = 'C0APPROVALS';

/** The app over `backend` with approvers Bob and Carol, requests to `C0APPROVALS`. */
export async function startApprovalApp(options: { backend: Backend; clock: FakeClock; slack?: FakeSlackApi; requiredApprovals?: number }): Promise<SlackAppHarness> {
  return startSlackAppHarness({
    backend: options.backend,
    now: options.clock.now,
    slack: options.slack,
    env: {
      APPROVER_USER_IDS: `${APPROVER_1},${APPROVER_2}`,
      APPROVAL_CHANNEL,
      REQUIRED_APPROVALS: String(options.requiredApprovals ?? 1),
      APPROVAL_TTL: '1h',
    },
  });
}

/**
 * Sends `/ontology <text>` as `userId` and waits for its answer; when it posted a request, returns the request (as
 * stored), its message and the Approve button's value as the posted message carries it.
 */
export async function requestVia(harness: SlackAppHarness, backend: Backend, text: string, userId = REQUESTER) {
  const before = harness.slack.callsOf('chat.postMessage').length;
  const ack = await harness.command(text, { userId });
  expect(ack.status).toBe(200);
  const reply = String((await harness.responseTo(ack.responseUrl)).body.text);
  const post = harness.slack.callsOf('chat.postMessage')[before];
  const id = /request `(apr_[0-9a-f]+)`/.exec(reply)?.[1];
  const request = id ? await backend.approvals.get(id) : null;
  return { reply, post, request, ts: request?.messageTs ?? '', value: post ? buttonValue(post.params.blocks, APPROVE_ACTION) ?? '' : '' };
}

/** The value of the button `actionId` in `blocks`, if any. */
export function buttonValue(blocks: unknown, actionId: string): string | undefined {
  for (const block of (blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[] | undefined) ?? []) {
    for (const element of block.elements ?? []) if (element.action_id === actionId) return element.value;
  }
  return undefined;
}

/** A signed click on a button of the message `ts`; resolves with the private answer the clicker got. */
export async function click(
  harness: SlackAppHarness,
  input: { userId: string; actionId?: string; value: string; ts: string },
  payloadOverride?: unknown,
): Promise<{ status: number; answer: string; payload: unknown }> {
  const responseUrl = harness.slack.responseUrl();
  const payload = payloadOverride ?? clickPayload({ ...input, responseUrl });
  const response = await harness.interaction(payload);
  expect(response.status).toBe(200);
  const url = (payload as { response_url: string }).response_url;
  const before = harness.slack.responses.filter((r) => r.url === url).length;
  const answer = await harness.slack.waitFor(() => harness.slack.responses.filter((r) => r.url === url)[before]);
  return { status: response.status, answer: String(answer.body.text), payload };
}

/**
 * Reject as Slack drives it: the click on Reject opens the reason modal (`views.open`), whose submission with
 * `reason` rejects. Resolves with the modal's ack (a refusal lists its errors) and the private answer, if any.
 */
export async function rejectVia(harness: SlackAppHarness, input: { userId: string; value: string; ts: string; reason: string }): Promise<{ ack: string; answer: string | null }> {
  const opened = harness.slack.callsOf('views.open').length;
  const response = await harness.interaction(clickPayload({ userId: input.userId, value: input.value, ts: input.ts, actionId: REJECT_ACTION, responseUrl: harness.slack.responseUrl() }));
  expect(response.status).toBe(200);
  const modal = (await harness.slack.waitFor(() => harness.slack.callsOf('views.open')[opened])).params.view as { callback_id: string; private_metadata: string };
  const answers = harness.slack.callsOf('chat.postEphemeral').length;
  const submitted = await harness.interaction({
    type: 'view_submission',
    user: { id: input.userId, username: input.userId.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'deprecated',
    team: { id: 'T0TEST', domain: 'test' },
    trigger_id: '123.456.def',
    view: {
      id: 'V1',
      type: 'modal',
      callback_id: modal.callback_id,
      private_metadata: modal.private_metadata,
      state: { values: { reason: { reason: { type: 'plain_text_input', value: input.reason } } } },
      hash: 'h',
    },
  });
  if (submitted.body.includes('response_action')) return { ack: submitted.body, answer: null };
  const answer = await harness.slack.waitFor(() => harness.slack.callsOf('chat.postEphemeral')[answers]);
  return { ack: submitted.body, answer: String(answer.params.text) };
}

/** A `block_actions` payload as Slack sends it for a click on a message button. */
export function clickPayload(input: { userId: string; actionId?: string; value: string; ts: string; responseUrl: string }): unknown {
  return {
    type: 'block_actions',
    user: { id: input.userId, username: input.userId.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: input.ts, channel_id: APPROVAL_CHANNEL, is_ephemeral: false },
    trigger_id: '1.2.3',
    team: { id: 'T0TEST', domain: 'test' },
    channel: { id: APPROVAL_CHANNEL, name: 'approvals' },
    message: { type: 'message', ts: input.ts, text: 'approval request' },
    response_url: input.responseUrl,
    actions: [{ type: 'button', action_id: input.actionId ?? APPROVE_ACTION, block_id: 'approval', value: input.value, action_ts: '1700000000.1' }],
  };
}

/** Asserts that no migration, undo or restore ever started, and no request is running or done. */
export async function expectNothingRan(backend: Backend): Promise<void> {
  const status = await backend.migration().status({ limit: 10 });
  expect(status.runs).toEqual([]);
  expect(status.lock.held).toBe(false);
  const done = await backend.approvals.list({ states: ['running', 'succeeded'], cursor: null, limit: 10 });
  expect(done.requests).toEqual([]);
}

/** Every `chat.update` of the message `ts`. */
export function updatesOf(harness: SlackAppHarness, ts: string): RecordedCall[] {
  return harness.slack.callsOf('chat.update').filter((call) => call.params.ts === ts);
}

export { APPROVE_ACTION, REJECT_ACTION, REQUEST_ROLLBACK_ACTION };
