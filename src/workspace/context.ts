/**
 * What the workspace's routes share: the state, where the local server is, the clock, the `trigger_id`s and
 * `response_url`s handed to the bot, and the bot's request URL once it is connected.
 */
import { randomBytes } from 'node:crypto';
import type { WorkspaceState } from './state.ts';

/** How long a `trigger_id` opens a modal after the interaction, as in Slack. */
export const TRIGGER_LIFETIME_MS = 3_000;
/** Uses of one `response_url`, as in Slack. */
export const RESPONSE_URL_USES = 5;
/** How long a `response_url` works after the interaction, as in Slack. */
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

/** Where a `response_url`'s posts go: the interaction that issued it. */
export interface ResponseTarget {
  userId: string;
  channelId: string;
  /** The message clicked (block actions on a message), if any. */
  messageTs: string | null;
  issuedAt: number;
  uses: number;
}

/** A `trigger_id` the bot may open a modal with. */
export interface Trigger {
  userId: string;
  issuedAt: number;
}

/** The shared parts of the workspace. */
export interface WorkspaceContext {
  readonly state: WorkspaceState;
  /** The local server's internal base URL, ending in `/`. */
  readonly baseUrl: string;
  /** The bot token the Web API takes (in the `Authorization` header only). */
  readonly botToken: string;
  readonly signingSecret: string;
  /** How long the bot has to answer a delivery (Slack: 3 s). */
  readonly deliveryTimeoutMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly responseTargets: Map<string, ResponseTarget>;
  readonly triggers: Map<string, Trigger>;
  /** The bot's request URL (`…/slack/events`), null until `connectBot`. */
  eventsUrl: string | null;
}

/** `response_url`s remembered at most (the oldest are forgotten first). */
const MAX_RESPONSE_URLS = 10_000;

/**
 * Drops `trigger_id`s past their lifetime and `response_url`s well past theirs (kept a while so a late post is
 * told `expired_url` rather than `invalid_url`), so both maps stay bounded.
 */
export function forgetExpired(context: WorkspaceContext): void {
  const now = context.now();
  for (const [id, target] of context.responseTargets) if (now - target.issuedAt >= 2 * RESPONSE_URL_LIFETIME_MS) context.responseTargets.delete(id);
  while (context.responseTargets.size >= MAX_RESPONSE_URLS) context.responseTargets.delete(context.responseTargets.keys().next().value!);
  for (const [id, trigger] of context.triggers) if (now - trigger.issuedAt >= TRIGGER_LIFETIME_MS) context.triggers.delete(id);
}

/** A fresh `response_url` for an interaction of `userId` in `channelId` (on `messageTs` for a click on a message). */
export function issueResponseUrl(context: WorkspaceContext, userId: string, channelId: string, messageTs: string | null): string {
  forgetExpired(context);
  // Unguessable, as Slack's are: only the bot that received the interaction can answer through it.
  const id = `${context.state.nextId('R')}${randomBytes(8).toString('hex')}`;
  context.responseTargets.set(id, {
    userId,
    channelId,
    messageTs,
    issuedAt: context.now(),
    uses: 0,
  });
  return `${context.baseUrl}response/${id}`;
}

/** A fresh `trigger_id` for an interaction of `userId`. */
export function issueTrigger(context: WorkspaceContext, userId: string): string {
  forgetExpired(context);
  const id = `${Math.floor(context.now() / 1000)}.${context.state.nextId('').toLowerCase()}.${randomBytes(8).toString('hex')}`;
  context.triggers.set(id, { userId, issuedAt: context.now() });
  return id;
}
