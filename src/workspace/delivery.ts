/**
 * Delivering requests to the bot the way Slack does: form-encoded (commands, interactions) or JSON (events), signed
 * with the workspace's signing secret (`X-Slack-Signature: v0=` + HMAC-SHA256 of `v0:{ts}:{body}`), with Slack's
 * 3-second patience; and the bot's answer turned into Slack's outcome (`operation_timeout`, `dispatch_failed`,
 * `http_client_error`, `http_service_error`).
 */
import { createHmac } from 'node:crypto';
import { LOCAL_BOT } from '../local/directory.ts';
import { HttpError } from '../local/http.ts';
import type { WorkspaceContext } from './context.ts';
import type { DeliveryOutcome } from './snapshot.ts';
import type { StoredChannel } from './state.ts';

/** How long Slack waits for the bot's answer to a request. */
export const DELIVERY_TIMEOUT_MS = 3_000;

/** The `X-Slack-Signature` of `body` sent at `timestamp` (seconds) with `secret`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The bot's answer to one delivery. */
export interface BotAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** POSTs `body` to the bot, signed; resolves with its answer or the Slack error word of a failure. */
export async function deliver(context: WorkspaceContext, body: string, contentType: string): Promise<BotAnswer | { error: string }> {
  if (!context.eventsUrl) return { error: 'dispatch_failed' };
  const timestamp = Math.floor(context.now() / 1000);
  try {
    const response = await fetch(context.eventsUrl, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(context.signingSecret, timestamp, body),
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
      body,
      signal: AbortSignal.timeout(context.deliveryTimeoutMs),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    context.log(
      `workspace: delivery to the bot failed (${timedOut ? `no answer within ${context.deliveryTimeoutMs} ms` : error instanceof Error ? error.message : String(error)})`,
    );
    return { error: timedOut ? 'operation_timeout' : 'dispatch_failed' };
  }
}

/** Slack's error word for a non-200 answer. */
export function httpError(status: number): string {
  return status >= 500 ? 'http_service_error' : status === 404 ? 'http_client_error_404' : 'http_client_error';
}

/** The outcome the page reports for a delivery. */
export function outcomeOf(answer: BotAnswer | { error: string }): DeliveryOutcome {
  if ('error' in answer) return { ok: false, error: answer.error };
  if (answer.status !== 200)
    return {
      ok: false,
      status: answer.status,
      error: httpError(answer.status),
    };
  return { ok: true, status: 200 };
}

/** The bot's JSON answer as an object (null for an empty, non-JSON or non-object body). */
export function parseJson(answer: BotAnswer): Record<string, unknown> | null {
  if (answer.body.trim() === '' || !answer.contentType.includes('json')) return null;
  try {
    const value = JSON.parse(answer.body) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The channel `channelId`, or a 404 naming it. */
export function channelOrFail(context: WorkspaceContext, channelId: string): StoredChannel {
  const channel = context.state.channel(channelId);
  if (!channel) throw new HttpError(404, `No channel ${channelId} in this workspace: pick one of the sidebar's channels.`);
  return channel;
}

/** The user `userId`, or a 400 naming them. */
export function userOrFail(context: WorkspaceContext, userId: string) {
  const user = context.state.user(userId);
  if (!user) throw new HttpError(400, `No user ${userId} in this workspace: choose the engineer or the lead.`);
  return user;
}

/** A user as payloads carry it. */
export function userJson(user: { id: string; name: string }): Record<string, unknown> {
  return {
    id: user.id,
    username: user.name,
    name: user.name,
    team_id: LOCAL_BOT.teamId,
  };
}
