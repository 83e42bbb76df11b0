/**
 * Edits of the request messages (Approved, Running, progress, Succeeded, Failed): one at a time per message, in
 * order, and retried with backoff until Slack takes them, so a message never stays "Running" because Slack answered
 * 500 around the end of a run. Only the latest edit of a message matters: a later edit replaces one not yet
 * delivered, so a backlog never replays every progress report. Retries happen on the service's tick (every 30 s
 * in the app) once their backoff is over; an error that no retry can fix (the message or channel is gone, the
 * token is refused) gives the edit up, logged.
 */
import type { OutboundMessage } from '../alerts/ports.ts';
import { backoffMs } from '../alerts/outbox.ts';

/** Slack errors an edit cannot recover from by waiting. */
const PERMANENT_SLACK_ERRORS = new Set([
  'message_not_found',
  'channel_not_found',
  'cant_update_message',
  'edit_window_closed',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'invalid_blocks',
]);

/** The Slack error code a Web API failure carries, if any. */
function slackErrorOf(error: unknown): string | null {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : null;
}

/** Sends one edit; throws when Slack refused or did not answer. */
export type SendEdit = (channel: string, ts: string, message: OutboundMessage) => Promise<void>;

/** The queue of edits. */
export interface EditQueue {
  /** Queues the latest edit of message (`channel`, `ts`) and tries it now unless an edit of it is under way. */
  edit(key: string, target: { channel: string; ts: string }, message: OutboundMessage): Promise<void>;
  /** Tries again the edits whose backoff is over. */
  retryDue(): Promise<void>;
  /** Edits not delivered yet (waiting or under way). */
  pending(): number;
}

interface Slot {
  target: { channel: string; ts: string };
  /** The latest edit not yet delivered, or null once it was. */
  waiting: OutboundMessage | null;
  sending: Promise<void> | null;
  failures: number;
  nextAttemptAt: number;
}

/** An edit queue sending through `send`. */
export function createEditQueue(deps: { send: SendEdit; now: () => number; log: (line: string) => void }): EditQueue {
  const slots = new Map<string, Slot>();

  const attempt = (key: string, slot: Slot): Promise<void> => {
    const message = slot.waiting!;
    const sending = (async () => {
      try {
        await deps.send(slot.target.channel, slot.target.ts, message);
        slot.failures = 0;
        if (slot.waiting === message) slot.waiting = null;
      } catch (error) {
        const slackError = slackErrorOf(error);
        if (slackError && PERMANENT_SLACK_ERRORS.has(slackError)) {
          deps.log(`approvals: gave up editing the message of ${key}: Slack answered ${slackError}`);
          if (slot.waiting === message) slot.waiting = null;
          return;
        }
        slot.failures++;
        slot.nextAttemptAt = deps.now() + backoffMs(slot.failures);
        deps.log(`approvals: could not edit the message of ${key} (attempt ${slot.failures}): ${(error as Error).message}; retrying`);
      } finally {
        slot.sending = null;
      }
      // A newer edit arrived while this one was under way: it goes next (unless Slack is failing: then at the retry).
      if (slot.waiting !== null && slot.failures === 0) await attempt(key, slot);
      if (slot.waiting === null && slot.sending === null) slots.delete(key);
    })();
    slot.sending = sending;
    return sending;
  };

  return {
    edit(key, target, message) {
      const slot = slots.get(key) ?? { target, waiting: null, sending: null, failures: 0, nextAttemptAt: 0 };
      slots.set(key, slot);
      slot.target = target;
      slot.waiting = message;
      if (slot.sending) return slot.sending;
      if (slot.failures > 0 && deps.now() < slot.nextAttemptAt) return Promise.resolve();
      return attempt(key, slot);
    },
    async retryDue() {
      const due = [...slots.entries()].filter(([, slot]) => slot.waiting !== null && slot.sending === null && deps.now() >= slot.nextAttemptAt);
      await Promise.all(due.map(([key, slot]) => attempt(key, slot)));
    },
    pending: () => [...slots.values()].filter((slot) => slot.waiting !== null).length,
  };
}
