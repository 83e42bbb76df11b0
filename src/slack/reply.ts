/**
 * Answering a slash command or a button after the ack: through the interaction's `response_url` while Slack
 * still takes it (at most 5 uses within 30 minutes of the interaction), then through the Web API
 * (`chat.postMessage` for shared answers, `chat.postEphemeral` for private ones, so a private answer never
 * becomes public).
 */
import type { WebClient } from '@slack/web-api';

/** A Block Kit message. */
export interface SlackMessage {
  /** Fallback text (notifications, clients without blocks). */
  text: string;
  blocks?: unknown[];
}

/** Who sees an answer: only the user who asked, or the whole channel. */
export type Visibility = 'ephemeral' | 'in_channel';

/** Uses of one `response_url` Slack allows. */
export const RESPONSE_URL_MAX_USES = 5;
/** How long after the interaction a `response_url` works. */
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

const FORGET_AFTER_MS = 24 * 60 * 60_000;

/** Counts the uses of each `response_url`, so an answer past Slack's limit goes through the Web API instead. */
export class ResponseUrlBudget {
  private readonly uses = new Map<string, { issuedAt: number; count: number }>();

  constructor(private readonly now: () => number) {}

  /** Records the interaction that issued `url` (its 30 minutes start here). */
  issued(url: string): void {
    if (!this.uses.has(url)) this.uses.set(url, { issuedAt: this.now(), count: 0 });
  }

  /** Takes one use of `url`; false when Slack would no longer accept it. */
  take(url: string): boolean {
    const now = this.now();
    // Expired entries are kept a day, so a late use is refused rather than counted afresh; then forgotten.
    for (const [known, entry] of this.uses) if (now - entry.issuedAt >= FORGET_AFTER_MS) this.uses.delete(known);
    const entry = this.uses.get(url) ?? { issuedAt: now, count: 0 };
    this.uses.set(url, entry);
    if (entry.count >= RESPONSE_URL_MAX_USES || now - entry.issuedAt >= RESPONSE_URL_LIFETIME_MS) return false;
    entry.count++;
    return true;
  }
}

/** Where an answer goes. */
export interface ReplyTarget {
  /** The interaction's `response_url`, or null (events carry none). */
  responseUrl: string | null;
  channelId: string;
  userId: string;
}

/** What a reply needs besides its target. */
export interface ReplyPorts {
  client: WebClient;
  budget: ResponseUrlBudget;
  /** The longest a `response_url` post may take. */
  timeoutMs: number;
  log: (line: string) => void;
}

/**
 * Sends `message` to `target` with `visibility`, preferring the `response_url`; `replaceOriginal` replaces the
 * message the `response_url` belongs to (a slash command's working note) instead of adding one.
 */
export async function sendReply(target: ReplyTarget, message: SlackMessage, visibility: Visibility, ports: ReplyPorts, options: { replaceOriginal?: boolean } = {}): Promise<void> {
  if (target.responseUrl && ports.budget.take(target.responseUrl)) {
    try {
      const response = await fetch(target.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...message, response_type: visibility, replace_original: options.replaceOriginal === true }),
        signal: AbortSignal.timeout(ports.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) return;
      ports.log(`response_url answered HTTP ${response.status}; answering through the Web API instead.`);
    } catch (error) {
      ports.log(`response_url failed (${error instanceof Error ? error.message : String(error)}); answering through the Web API instead.`);
    }
  }
  const blocks = message.blocks as never;
  if (visibility === 'in_channel') {
    await ports.client.chat.postMessage({ channel: target.channelId, text: message.text, blocks });
  } else {
    await ports.client.chat.postEphemeral({ channel: target.channelId, user: target.userId, text: message.text, blocks });
  }
}

/**
 * Deletes the message the target's `response_url` belongs to (a working note a shared answer made obsolete). Best
 * effort: a note that stays is only seen by its user, so a failure is logged, not thrown.
 */
export async function deleteOriginal(target: ReplyTarget, ports: ReplyPorts): Promise<void> {
  if (!target.responseUrl || !ports.budget.take(target.responseUrl)) return;
  try {
    const response = await fetch(target.responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delete_original: true }),
      signal: AbortSignal.timeout(ports.timeoutMs),
    });
    await response.body?.cancel();
    if (!response.ok) ports.log(`response_url answered HTTP ${response.status} to deleting the working note.`);
  } catch (error) {
    ports.log(`The working note was not deleted (${error instanceof Error ? error.message : String(error)}).`);
  }
}
