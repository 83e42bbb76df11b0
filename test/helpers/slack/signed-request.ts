/**
 * Requests signed exactly as Slack signs them: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing
 * secret (`slackSignature`, the local workspace's own signer).
 */
import { slackSignature } from '../../../src/workspace/delivery.ts';

export { slackSignature };

/** What Slack sends with a request. */
export interface SignedRequestOptions {
  secret: string;
  /** Seconds since the epoch (default: now). */
  timestamp?: number;
  /** Replace the computed signature (forged requests). */
  signature?: string;
  contentType?: string;
}

/** The answer to a request. */
export interface SlackHttpResponse {
  status: number;
  body: string;
  /** When the answer arrived (`performance.now()`). */
  receivedAt: number;
}

/** POSTs `body` to `url` with Slack's signature headers. */
export async function postSigned(url: string, body: string, options: SignedRequestOptions): Promise<SlackHttpResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(options.secret, timestamp, body),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, receivedAt: performance.now() };
}

/** The form body of a slash command as Slack posts it. */
export function slashCommandBody(fields: { text: string; userId: string; channelId: string; responseUrl: string; command?: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEST',
    team_domain: 'test',
    channel_id: fields.channelId,
    channel_name: 'ops',
    user_id: fields.userId,
    user_name: fields.userId.toLowerCase(),
    command: fields.command ?? '/ontology',
    text: fields.text,
    api_app_id: 'A0TEST',
    is_enterprise_install: 'false',
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? '1.2.3',
  }).toString();
}

/** The form body of an interactive payload (`block_actions`, `view_submission`): `payload=<json>`. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A `block_actions` payload of one button click, as Slack sends it. */
export function buttonClickPayload(click: { actionId: string; value: string; userId: string; channelId: string; responseUrl: string; ephemeral?: boolean; messageTs?: string }): unknown {
  return {
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: click.userId, username: click.userId.toLowerCase(), name: click.userId.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: click.messageTs ?? '1700000000.000100', channel_id: click.channelId, is_ephemeral: click.ephemeral ?? true },
    trigger_id: '1.2.3',
    channel: { id: click.channelId, name: 'ops' },
    response_url: click.responseUrl,
    actions: [{ type: 'button', action_id: click.actionId, block_id: 'b1', value: click.value, text: { type: 'plain_text', text: 'button', emoji: true }, action_ts: '1700000001.000200' }],
  };
}

/** A form body with one `payload` field holding `text` exactly (URL-encoded, as Slack encodes it). */
export function payloadForm(text: string): string {
  return `payload=${encodeURIComponent(text)}`;
}

/** Bodies Slack never sends, signed they get 400 and nothing runs: what each is, the body, its Content-Type. */
export const MALFORMED_SLACK_BODIES: readonly [what: string, body: string, contentType: string][] = [
  ['payload=null as a form', 'payload=null', 'application/x-www-form-urlencoded'],
  ['a JSON null body', 'null', 'application/json'],
  ['an empty payload=', 'payload=', 'application/x-www-form-urlencoded'],
  ['invalid JSON in the payload', payloadForm('{"type": "block_actions", '), 'application/x-www-form-urlencoded'],
  ['a payload that is a number', payloadForm('42'), 'application/x-www-form-urlencoded'],
  ['a payload that is a string', payloadForm('"block_actions"'), 'application/x-www-form-urlencoded'],
  ['a payload that is an array', payloadForm('[{"type":"block_actions"}]'), 'application/x-www-form-urlencoded'],
  ['a payload without a type', payloadForm('{"actions":[{"action_id":"x"}]}'), 'application/x-www-form-urlencoded'],
  ['a payload whose type is not a string', payloadForm('{"type":7}'), 'application/x-www-form-urlencoded'],
  ['two payloads in one form', `${payloadForm('{"type":"block_actions"}')}&${payloadForm('{"type":"view_submission"}')}`, 'application/x-www-form-urlencoded'],
  ['a form that is neither a command nor a payload', 'text=help&user_id=U1', 'application/x-www-form-urlencoded'],
  ['a JSON number', '7', 'application/json'],
  ['a JSON string', '"event_callback"', 'application/json'],
  ['a JSON array', '[]', 'application/json'],
  ['a JSON object without a type', '{"challenge":"c-1"}', 'application/json'],
  ['invalid JSON', '{"type":', 'application/json'],
  ['an empty body', '', 'application/json'],
];
