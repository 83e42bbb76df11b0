/**
 * What the approval buttons share: reading who clicked where from a `block_actions` payload and answering the
 * clicker privately (through the interaction's `response_url`, then the Web API).
 */
import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { parseButtonValue } from '../../src/slack/blocks/approval.ts';
import { handlerError } from '../../src/slack/handler-error.ts';
import { sendReply, type SlackMessage } from '../../src/slack/reply.ts';

/** A button click as the approval handlers see it. */
export interface ButtonClick {
  userId: string;
  value: string | undefined;
  /** Answers only the clicker. */
  answer(message: SlackMessage | string): Promise<void>;
}

/** True when the click came from the Home tab (a view), not from the request message. */
export function fromHome(body: BlockAction): boolean {
  return body.container?.type === 'view';
}

/**
 * The channel of the request a button names: a click from the Home tab carries no channel (and no `response_url`),
 * so its private answer goes to the request's channel, where the request message is.
 */
export async function requestChannel(deps: HandlerDeps, value: string | undefined): Promise<string> {
  const parsed = parseButtonValue(value);
  const request = parsed ? await deps.backend.approvals.get(parsed.requestId) : null;
  return request?.channel ?? '';
}

/** The click in `body`, with a private answer to its user (in `channelId` when the payload names no channel). */
export function buttonClick(body: BlockAction, action: ButtonAction, client: WebClient, deps: HandlerDeps, channelId = ''): ButtonClick {
  const responseUrl = body.response_url ?? null;
  if (responseUrl) deps.responseUrls.issued(responseUrl);
  const target = { responseUrl, channelId: body.channel?.id ?? body.container?.channel_id ?? channelId, userId: body.user.id };
  return {
    userId: body.user.id,
    value: action.value,
    answer: (message) =>
      sendReply(target, typeof message === 'string' ? { text: message } : message, 'ephemeral', {
        client,
        budget: deps.responseUrls,
        timeoutMs: deps.config.slack.timeoutMs,
        log: deps.log,
      }),
  };
}

/** Runs a click's work; any error becomes its one-line private answer (never a stack trace). */
export async function answeringErrors(click: ButtonClick, deps: HandlerDeps, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    await click.answer(handlerError(error, deps, what));
  }
}
