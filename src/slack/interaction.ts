/**
 * Answering a click on an alert message or a modal submission: privately to the person who clicked (through the
 * interaction's `response_url` while it lasts, else `chat.postEphemeral`), and any error as its one line.
 */
import type { WebClient } from '@slack/web-api';
import type { HandlerDeps } from './app.ts';
import { handlerError } from './handler-error.ts';
import { sendReply, type ReplyTarget, type SlackMessage } from './reply.ts';

/** The parts of a `block_actions` payload an answer needs. */
export interface ClickBody {
  user: { id: string };
  channel?: { id: string };
  container?: { channel_id?: string };
  response_url?: string;
}

/** Where the answer to a click goes. */
export function clickTarget(body: ClickBody): ReplyTarget {
  return {
    responseUrl: body.response_url ?? null,
    channelId: body.channel?.id ?? body.container?.channel_id ?? body.user.id,
    userId: body.user.id,
  };
}

/** A one-section private answer. */
export function note(text: string): SlackMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }] };
}

/** Answers the person who clicked, privately. */
export async function answerPrivately(target: ReplyTarget, message: SlackMessage, deps: HandlerDeps, client: WebClient): Promise<void> {
  if (target.responseUrl) deps.responseUrls.issued(target.responseUrl);
  await sendReply(target, message, 'ephemeral', { client, budget: deps.responseUrls, timeoutMs: deps.config.slack.timeoutMs, log: deps.log });
}

/**
 * Runs a click's work (after the ack) and answers with what it returns; an error becomes its one line for the
 * clicker (never a stack trace) and is logged.
 */
export async function answerClick(
  what: string,
  target: ReplyTarget,
  deps: HandlerDeps,
  client: WebClient,
  work: () => Promise<SlackMessage | null>,
): Promise<void> {
  let message: SlackMessage | null;
  try {
    message = await work();
  } catch (error) {
    message = handlerError(error, deps, what);
  }
  if (!message) return;
  try {
    await answerPrivately(target, message, deps, client);
  } catch (error) {
    handlerError(error, deps, `Answering ${what}`);
  }
}
