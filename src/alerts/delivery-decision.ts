/**
 * What the outbox does when Slack refuses or fails a call: retry it later, hold it until an operator fixes the
 * configuration (the message stays pending and goes out, in order, once Slack accepts it), give it up, or post
 * an edit as a new message because the one to edit is gone. A pure function of what went wrong, like `decide.ts`,
 * so the whole table is testable case by case and every outcome carries a reason that is logged.
 */
import type { OutboxKind } from './ports.ts';

/** What went wrong with one Slack call, as the notifier saw it. */
export type DeliveryFailure =
  /** HTTP 429 / `ratelimited`. */
  | { kind: 'rate_limited'; retryAfterMs: number | null }
  /** A non-200 HTTP status (Slack answers 200 for its own errors). */
  | { kind: 'http'; status: number; retryAfterMs: number | null }
  /** No connection, reset, DNS failure. */
  | { kind: 'unreachable' }
  /** No answer within the configured timeout (`SLACK_TIMEOUT`). */
  | { kind: 'timed_out'; afterMs: number }
  /** Cut short because this process is stopping. */
  | { kind: 'stopped' }
  /** Slack answered `ok: false` with this error code. */
  | { kind: 'slack'; error: string }
  /** A notifier that only knows the failure is worth retrying (e.g. a test double). */
  | { kind: 'transient'; retryAfterMs: number | null }
  /** A notifier that only knows retrying cannot help. */
  | { kind: 'rejected' };

/** What to do with the message. */
export type DeliveryAction = 'retry' | 'hold' | 'give_up' | 'repost';

/** Why, for logs, `monitor status` and tests. */
export type DeliveryReason =
  | 'rate_limited'
  | 'slack_unavailable'
  | 'unreachable'
  | 'timed_out'
  | 'stopping'
  | 'token_rejected'
  | 'channel_unusable'
  | 'scope_missing'
  | 'message_gone'
  | 'request_rejected';

/** The decision for one failed call. */
export interface DeliveryDecision {
  action: DeliveryAction;
  reason: DeliveryReason;
  /** How long Slack asked to wait (retries only), or null for the outbox's own backoff. */
  retryAfterMs: number | null;
  /**
   * Holds only: `workspace` when nothing can be sent until it is fixed (the token), `channel` when only that
   * channel is blocked.
   */
  holdScope: 'workspace' | 'channel' | null;
  /** Holds only: what an operator must fix, in one sentence. */
  fix: string | null;
  /** Retries only: false when another attempt in the same round would only wait out the same failure again. */
  retryInRound: boolean;
}

/** Slack errors saying the token cannot be used: nothing can be sent until it is replaced. */
const TOKEN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'not_allowed_token_type',
  'team_access_not_granted',
  'org_login_required',
  'two_factor_setup_required',
  'ekm_access_denied',
  'enterprise_is_restricted',
  'access_denied',
]);

/** Slack errors saying the bot cannot post in this channel. */
const CHANNEL_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
]);

/** Slack errors saying the app lacks a permission. */
const SCOPE_ERRORS = new Set(['missing_scope', 'no_permission']);

/** Slack errors on Slack's side: worth retrying. */
const SLACK_SIDE_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** Slack errors saying the message to edit is gone (deleted, or too old to edit). */
export const MESSAGE_GONE_ERRORS: ReadonlySet<string> = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/** The prefix of `lastError` on a row held for configuration (`monitor status` lists them). */
export const HELD_PREFIX = 'held: ';

function fixFor(error: string, channel: string, kind: OutboxKind): string {
  if (TOKEN_ERRORS.has(error)) {
    return error === 'ekm_access_denied' || error === 'enterprise_is_restricted'
      ? 'a workspace administrator must restore the app’s access (EKM / enterprise policy)'
      : 'set SLACK_BOT_TOKEN to a valid bot token (reinstall the app if it was revoked) and restart';
  }
  switch (error) {
    case 'channel_not_found':
      return `point ALERT_CHANNEL_CRITICAL / ALERT_CHANNEL_WARNING / REPORT_CHANNEL at an existing channel id (${channel} does not exist for the bot)`;
    case 'not_in_channel':
      return `invite the bot to ${channel} (/invite @<bot> in the channel)`;
    case 'is_archived':
      return `unarchive ${channel}, or point the channel setting at another channel`;
    case 'missing_scope':
    case 'no_permission':
      return `add the ${kind === 'upload' ? 'files:write' : 'chat:write'} bot scope to the Slack app and reinstall it`;
    default:
      return `allow the bot to post in ${channel} (channel posting permissions)`;
  }
}

const decision = (action: DeliveryAction, reason: DeliveryReason, extra: Partial<DeliveryDecision> = {}): DeliveryDecision => ({
  action,
  reason,
  retryAfterMs: null,
  holdScope: null,
  fix: null,
  retryInRound: true,
  ...extra,
});

/**
 * Decides what to do with an outbox row whose call failed. `kind` is the row's kind (only an edit can be reposted);
 * `channel` where it was going (named in the fix).
 */
export function decideDelivery(failure: DeliveryFailure, target: { kind: OutboxKind; channel: string }): DeliveryDecision {
  switch (failure.kind) {
    case 'rate_limited':
      return decision('retry', 'rate_limited', { retryAfterMs: failure.retryAfterMs });
    case 'http':
      if (failure.status === 429) return decision('retry', 'rate_limited', { retryAfterMs: failure.retryAfterMs });
      if (failure.status >= 500) return decision('retry', 'slack_unavailable', { retryAfterMs: failure.retryAfterMs });
      return decision('give_up', 'request_rejected');
    case 'unreachable':
      return decision('retry', 'unreachable');
    case 'timed_out':
      // Each attempt costs the whole timeout: leave the next one to the next round rather than hold a job.
      return decision('retry', 'timed_out', { retryInRound: false });
    case 'stopped':
      return decision('retry', 'stopping', { retryAfterMs: 0, retryInRound: false });
    case 'transient':
      return decision('retry', 'slack_unavailable', { retryAfterMs: failure.retryAfterMs });
    case 'rejected':
      return decision('give_up', 'request_rejected');
    case 'slack': {
      const { error } = failure;
      if (error === 'ratelimited') return decision('retry', 'rate_limited');
      if (SLACK_SIDE_ERRORS.has(error)) return decision('retry', 'slack_unavailable');
      if (TOKEN_ERRORS.has(error)) return decision('hold', 'token_rejected', { holdScope: 'workspace', fix: fixFor(error, target.channel, target.kind) });
      if (CHANNEL_ERRORS.has(error)) return decision('hold', 'channel_unusable', { holdScope: 'channel', fix: fixFor(error, target.channel, target.kind) });
      // Without the scope no call can succeed, whatever the channel.
      if (SCOPE_ERRORS.has(error)) {
        // Only uploads need files:write: holding every channel behind a chart would stop the alerts too.
        if (target.kind === 'upload') return decision('give_up', 'scope_missing', { fix: fixFor(error, target.channel, target.kind) });
        return decision('hold', 'scope_missing', { holdScope: 'workspace', fix: fixFor(error, target.channel, target.kind) });
      }
      if (MESSAGE_GONE_ERRORS.has(error)) return target.kind === 'update' ? decision('repost', 'message_gone') : decision('give_up', 'message_gone');
      // Anything else is about this message (invalid_blocks, msg_too_long, …): retrying it cannot help.
      return decision('give_up', 'request_rejected');
    }
  }
}
