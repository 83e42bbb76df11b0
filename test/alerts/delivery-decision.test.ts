import { describe, expect, it } from 'vitest';
import { decideDelivery, type DeliveryAction, type DeliveryFailure, type DeliveryReason } from '../../src/alerts/delivery-decision.ts';
import type { OutboxKind } from '../../src/alerts/ports.ts';

type Case = [DeliveryFailure, OutboxKind, DeliveryAction, DeliveryReason, string];

const slack = (error: string): DeliveryFailure => ({ kind: 'slack', error });

describe('decideDelivery', () => {
  it.each<Case>([
    [{ kind: 'rate_limited', retryAfterMs: 30_000 }, 'post', 'retry', 'rate_limited', 'a 429: wait as Slack says'],
    [{ kind: 'http', status: 429, retryAfterMs: null }, 'post', 'retry', 'rate_limited', 'a bare HTTP 429 is rate limiting too'],
    [{ kind: 'http', status: 503, retryAfterMs: null }, 'update', 'retry', 'slack_unavailable', 'a 5xx is Slack’s side: back off and retry'],
    [{ kind: 'http', status: 400, retryAfterMs: null }, 'post', 'give_up', 'request_rejected', 'a 400 is the request’s fault: retrying cannot help'],
    [{ kind: 'unreachable' }, 'post', 'retry', 'unreachable', 'a network error: retry'],
    [{ kind: 'timed_out', afterMs: 10_000 }, 'post', 'retry', 'timed_out', 'no answer in time: retry, but in a later round'],
    [{ kind: 'stopped' }, 'reply', 'retry', 'stopping', 'cut short by a stop: due again at the next start'],
    [slack('ratelimited'), 'post', 'retry', 'rate_limited', 'Slack’s own rate-limit code'],
    [slack('internal_error'), 'post', 'retry', 'slack_unavailable', 'Slack’s own failure'],
    [slack('service_unavailable'), 'post', 'retry', 'slack_unavailable', 'Slack is down'],
    [slack('invalid_auth'), 'post', 'hold', 'token_rejected', 'a bad token: hold until it is replaced'],
    [slack('not_authed'), 'update', 'hold', 'token_rejected', 'no token sent'],
    [slack('token_revoked'), 'post', 'hold', 'token_rejected', 'the app was uninstalled'],
    [slack('token_expired'), 'reply', 'hold', 'token_rejected', 'a rotating token expired'],
    [slack('account_inactive'), 'post', 'hold', 'token_rejected', 'the bot user was deactivated'],
    [slack('ekm_access_denied'), 'post', 'hold', 'token_rejected', 'the workspace’s EKM key was revoked'],
    [slack('channel_not_found'), 'post', 'hold', 'channel_unusable', 'a wrong channel id: hold until the setting is fixed'],
    [slack('not_in_channel'), 'post', 'hold', 'channel_unusable', 'the bot was never invited'],
    [slack('is_archived'), 'update', 'hold', 'channel_unusable', 'the channel was archived'],
    [slack('restricted_action'), 'post', 'hold', 'channel_unusable', 'posting is restricted in the channel'],
    [slack('missing_scope'), 'post', 'hold', 'scope_missing', 'chat:write missing: nothing can be posted anywhere'],
    [slack('missing_scope'), 'upload', 'give_up', 'scope_missing', 'files:write missing: only uploads need it, so alerts must not wait behind a chart'],
    [slack('not_in_channel'), 'upload', 'hold', 'channel_unusable', 'an upload to a channel the bot is not in waits like a post'],
    [slack('message_not_found'), 'update', 'repost', 'message_gone', 'the edited message was deleted: post it again'],
    [slack('edit_window_closed'), 'update', 'repost', 'message_gone', 'too old to edit: post it again'],
    [slack('message_not_found'), 'post', 'give_up', 'message_gone', 'only an edit can be reposted'],
    [slack('invalid_blocks'), 'post', 'give_up', 'request_rejected', 'the message itself is wrong: retrying cannot help'],
    [slack('msg_too_long'), 'post', 'give_up', 'request_rejected', 'the message itself is too long'],
    [{ kind: 'transient', retryAfterMs: null }, 'post', 'retry', 'slack_unavailable', 'a notifier that only knows it may work later'],
    [{ kind: 'rejected' }, 'post', 'give_up', 'request_rejected', 'a notifier that only knows it never will'],
  ])('%o on a %s → %s (%s): %s', (failure, kind, action, reason, _why) => {
    expect(decideDelivery(failure, { kind, channel: 'C_CRIT' })).toMatchObject({ action, reason });
  });

  it.each<[string, 'workspace' | 'channel', RegExp]>([
    ['invalid_auth', 'workspace', /set SLACK_BOT_TOKEN to a valid bot token/],
    ['channel_not_found', 'channel', /ALERT_CHANNEL_CRITICAL .*C_CRIT does not exist/],
    ['not_in_channel', 'channel', /invite the bot to C_CRIT/],
    ['is_archived', 'channel', /unarchive C_CRIT/],
    ['missing_scope', 'workspace', /chat:write bot scope/],
  ])('a hold for %s blocks the %s and says what to fix', (error, scope, fix) => {
    const decision = decideDelivery(slack(error), { kind: 'post', channel: 'C_CRIT' });
    expect(decision.holdScope).toBe(scope);
    expect(decision.fix).toMatch(fix);
  });

  it('names files:write as the fix when an upload lacks its scope', () => {
    expect(decideDelivery(slack('missing_scope'), { kind: 'upload', channel: 'C_REP' }).fix).toMatch(/files:write bot scope/);
  });

  it('keeps Retry-After for rate limits and asks for no retry in the same round after a timeout', () => {
    expect(decideDelivery({ kind: 'rate_limited', retryAfterMs: 7_000 }, { kind: 'post', channel: 'C' })).toMatchObject({ retryAfterMs: 7_000, retryInRound: true });
    expect(decideDelivery({ kind: 'timed_out', afterMs: 10_000 }, { kind: 'post', channel: 'C' })).toMatchObject({ retryAfterMs: null, retryInRound: false });
  });
});
