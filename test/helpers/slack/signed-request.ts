/** Requests signed exactly as Slack signs them: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
import { createHmac } from 'node:crypto';

/** The `X-Slack-Signature` of `body` sent at `timestamp` (seconds). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

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
