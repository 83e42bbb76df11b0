import nock from 'nock';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createEventLog } from '../../src/alerts/event-log.ts';
import { deliverOutbox } from '../../src/alerts/outbox.ts';
import { runAlertPipeline, type PipelineDeps } from '../../src/alerts/pipeline.ts';
import type { Evaluation, Signal } from '../../src/alerts/types.ts';
import { ConsoleNotifier } from '../../src/alerts/console-notifier.ts';
import { createNotifier, SlackNotifier, toDeliveryError } from '../../src/slack/notifier.ts';
import { sqliteMonitorStores } from '../../src/store/sqlite/monitor-stores.ts';
import { crossGroupSignal, testAlertsConfig } from '../helpers/alert-fixtures.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { tempStore } from '../helpers/temp-store.ts';

const SLACK = 'https://slack.com';
const HOUR = 3_600_000;

type Body = Record<string, unknown>;

/** The Web API sends form-encoded bodies with JSON-encoded blocks; decode both for assertions. */
function decode(body: unknown): Body {
  const fields: Body = typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : { ...(body as Body) };
  if (typeof fields.blocks === 'string') fields.blocks = JSON.parse(fields.blocks);
  return fields;
}

function signal(value: number): Signal {
  return crossGroupSignal({ groupId: 'grp_acme', value, topIssueIds: ['conn_1'], remediation: ['Notify security.'] });
}

function evaluation(signals: Signal[]): Evaluation {
  return { source: 'hourly', signals, coverage: { subjects: ['crossGroupViolations'], groupIds: 'all', severities: ['critical'] } };
}

function setup() {
  const { store } = tempStore();
  const state = sqliteMonitorStores(store);
  const clock = new FakeClock('2026-11-27T10:00:00Z');
  const notifier = new SlackNotifier({ token: 'xoxb-test-token' });
  const deps: PipelineDeps = {
    alerts: state.alerts,
    outbox: state.outbox,
    notifier,
    events: createEventLog(store, { groupSlug: 'ontology-ops' }),
    config: testAlertsConfig({ channels: { critical: 'C_CRIT', warning: 'C_WARN', report: 'C_REP' } }),
    now: clock.now,
    sleep: clock.sleep,
    log: () => {},
  };
  return { state, clock, deps };
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('Slack notifier', () => {
  it('posts, edits in place, reminds in the thread and resolves in the thread', async () => {
    const { deps, clock } = setup();
    const bodies: { post: Body[]; update: Body[] } = { post: [], update: [] };
    nock(SLACK)
      .post('/api/chat.postMessage', (body) => bodies.post.push(decode(body)) > 0)
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' })
      .post('/api/chat.update', (body) => bodies.update.push(decode(body)) > 0)
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' })
      .post('/api/chat.update', (body) => bodies.update.push(decode(body)) > 0)
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' })
      .post('/api/chat.postMessage', (body) => bodies.post.push(decode(body)) > 0)
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000200' })
      .post('/api/chat.update', (body) => bodies.update.push(decode(body)) > 0)
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' })
      .post('/api/chat.postMessage', (body) => bodies.post.push(decode(body)) > 0)
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000300' });

    await runAlertPipeline(deps, evaluation([signal(2)]));
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([signal(3)]));
    clock.advance(3 * HOUR);
    await runAlertPipeline(deps, evaluation([signal(3)]));
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([]));

    const [post, reminder, resolved] = bodies.post;
    expect(post).toMatchObject({ channel: 'C_CRIT' });
    expect(post!.thread_ts).toBeUndefined();
    expect(String(post!.text)).toContain(':red_circle: CRITICAL: Cross-group violations (group `grp_acme`): 2');
    expect(post!.blocks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'header' }),
        expect.objectContaining({ type: 'section', text: expect.objectContaining({ text: '*Top issues*\n`conn_1`' }) }),
      ]),
    );
    expect(bodies.update.map((update) => [update.channel, update.ts])).toEqual([
      ['C_CRIT', '1700000000.000100'],
      ['C_CRIT', '1700000000.000100'],
      ['C_CRIT', '1700000000.000100'],
    ]);
    expect(JSON.stringify(bodies.update[0]!.blocks)).toContain('2 → 3 (+1)');
    expect(reminder).toMatchObject({ channel: 'C_CRIT', thread_ts: '1700000000.000100' });
    expect(String(reminder!.text)).toContain('Still firing after 4 h');
    expect(resolved).toMatchObject({ channel: 'C_CRIT', thread_ts: '1700000000.000100' });
    expect(String(resolved!.text)).toContain('Resolved at <!date^1795791600^{date_short_pretty} {time}|2026-11-27 15:00 UTC>: group `grp_acme` after 5 h');
    expect(String(bodies.update[2]!.text)).toContain(':white_check_mark: Resolved');
  });

  it('posts one message for every firing scope, edits it when a scope joins, and resolves a scope in its thread', async () => {
    const { deps, clock } = setup();
    const calls: { method: string; body: Body }[] = [];
    const record = (method: string) => (body: unknown) => calls.push({ method, body: decode(body) }) > 0;
    nock(SLACK)
      .post('/api/chat.postMessage', record('post'))
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' })
      .post('/api/chat.update', record('update'))
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' })
      .post('/api/chat.update', record('update'))
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' })
      .post('/api/chat.postMessage', record('post'))
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000200' });
    const scopes = (...groupIds: (string | null)[]) => groupIds.map((groupId) => ({ ...signal(2), groupId }));

    const first = await runAlertPipeline(deps, evaluation(scopes(null, 'grp_acme')));
    clock.advance(HOUR);
    const second = await runAlertPipeline(deps, evaluation(scopes(null, 'grp_acme', 'grp_beta')));
    clock.advance(HOUR);
    const third = await runAlertPipeline(deps, evaluation(scopes(null, 'grp_beta')));

    expect([first.delivery, second.delivery, third.delivery].map((report) => report.pending)).toEqual([0, 0, 0]);
    expect(calls.map((call) => [call.method, call.body.ts ?? call.body.thread_ts ?? null])).toEqual([
      ['post', null],
      ['update', '1700000000.000100'],
      ['update', '1700000000.000100'],
      ['post', '1700000000.000100'],
    ]);
    expect(String(calls[0]!.body.text)).toContain('CRITICAL: Cross-group violations (platform-wide + group `grp_acme`): platform-wide 2');
    expect(String(calls[1]!.body.text)).toContain('(platform-wide + 2 groups)');
    expect(JSON.stringify(calls[1]!.body.blocks)).toContain('`grp_beta`: 2');
    expect(JSON.stringify(calls[2]!.body.blocks)).toContain('*No longer critical (1)*\\n`grp_acme` 2 at <!date^1795780800^{date_short_pretty} {time}|2026-11-27 12:00 UTC>');
    expect(calls[3]!.body).toMatchObject({ channel: 'C_CRIT', thread_ts: '1700000000.000100' });
    expect(String(calls[3]!.body.text)).toContain('Resolved at <!date^1795780800^{date_short_pretty} {time}|2026-11-27 12:00 UTC>: group `grp_acme` after 2 h.');
  });

  it.each([
    ['message_not_found', 'someone deleted the message'],
    ['cant_update_message', 'Slack no longer lets the bot edit it'],
    ['edit_window_closed', 'the message is too old to edit'],
  ])('posts the notification again when its message is gone (%s: %s), and edits and replies follow the new message', async (slackError) => {
    const { deps, clock, state } = setup();
    const calls: { method: string; body: Body }[] = [];
    const record = (method: string) => (body: unknown) => calls.push({ method, body: decode(body) }) > 0;
    nock(SLACK)
      .post('/api/chat.postMessage', record('post'))
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' })
      .post('/api/chat.update', record('update'))
      .reply(200, { ok: false, error: slackError })
      .post('/api/chat.postMessage', record('post'))
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000200' })
      .post('/api/chat.update', record('update'))
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000200' })
      .post('/api/chat.update', record('update'))
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000200' })
      .post('/api/chat.postMessage', record('post'))
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000300' });

    await runAlertPipeline(deps, evaluation([signal(2)]));
    clock.advance(HOUR);
    const moved = await runAlertPipeline(deps, evaluation([signal(3)])); // the edit finds the message deleted
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([signal(4)]));
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([]));

    expect(moved.delivery).toMatchObject({ sent: 1, failed: 0, pending: 0 });
    expect(calls.map((call) => [call.method, call.body.ts ?? call.body.thread_ts ?? null])).toEqual([
      ['post', null],
      ['update', '1700000000.000100'],
      ['post', null], // one fresh top-level message, with what the failed edit showed
      ['update', '1700000000.000200'],
      ['update', '1700000000.000200'],
      ['post', '1700000000.000200'], // the resolution goes into the new message's thread
    ]);
    expect(calls[2]!.body).toMatchObject({ channel: 'C_CRIT', text: calls[1]!.body.text });
    expect(JSON.stringify(calls[2]!.body.blocks)).toContain('2 → 3 (+1)');
    const alert = await state.alerts.latestAlert('crossGroupViolations|grp_acme|critical');
    expect((await state.alerts.getNotification(alert!.notificationId!))!.message).toEqual({ channel: 'C_CRIT', ts: '1700000000.000200' });
    expect(await state.outbox.listOutbox({ status: 'failed', limit: 10 })).toEqual([]);
  });

  it('retries a 429 after its Retry-After (slept on the fake clock), then succeeds', async () => {
    const { deps, clock, state } = setup();
    nock(SLACK)
      .post('/api/chat.postMessage')
      .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '3' })
      .post('/api/chat.postMessage')
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' });
    const report = await runAlertPipeline(deps, evaluation([signal(1)]));
    expect(report.delivery).toMatchObject({ sent: 1, retried: 1, pending: 0 });
    expect(clock.sleeps).toEqual([3_000]);
    const alert = await state.alerts.latestAlert('crossGroupViolations|grp_acme|critical');
    const notification = await state.alerts.getNotification(alert!.notificationId!);
    expect(notification!.message).toEqual({ channel: 'C_CRIT', ts: '1700000000.000100' });
  });

  it('retries a 503 with backoff and gives up on a platform error about the message itself like invalid_blocks', async () => {
    const { deps, clock, state } = setup();
    nock(SLACK)
      .post('/api/chat.postMessage')
      .reply(503, 'unavailable')
      .post('/api/chat.postMessage')
      .reply(200, { ok: false, error: 'invalid_blocks' });
    await state.outbox.enqueue([{ kind: 'post', channel: 'C_GONE', notificationId: null, message: { text: 'x' } }], clock.now());
    const report = await deliverOutbox({ outbox: state.outbox, notifier: deps.notifier, now: clock.now, sleep: clock.sleep });
    expect(report).toMatchObject({ sent: 0, retried: 1, failed: 1 });
    expect(clock.sleeps).toEqual([1_000]);
    const [row] = await state.outbox.listOutbox({ limit: 1 });
    expect(row).toMatchObject({ status: 'failed', lastError: 'chat.postMessage: Slack answered invalid_blocks' });
  });

  it.each([
    [{ code: 'slack_webapi_rate_limited_error', retryAfter: 30 }, true, 30_000, 'rate limited: wait as told'],
    [{ code: 'slack_webapi_http_error', statusCode: 502, headers: {} }, true, null, 'server error: retry with backoff'],
    [{ code: 'slack_webapi_http_error', statusCode: 400, headers: {} }, false, null, 'bad request: retrying cannot help'],
    [{ code: 'slack_webapi_request_error', message: 'ECONNRESET' }, true, null, 'network error: retry'],
    [{ code: 'slack_webapi_platform_error', data: { error: 'invalid_auth' } }, false, null, 'bad token: give up'],
    [{ code: 'slack_webapi_platform_error', data: { error: 'internal_error' } }, true, null, "Slack's own failure: retry"],
    [{ code: 'slack_webapi_platform_error', data: { error: 'message_not_found' } }, false, null, 'deleted message: post it again, never retry the edit'],
    [{ code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } }, false, null, 'wrong channel: held until fixed, not retried as is'],
  ])('maps %o to retryable=%s', (error, retryable, retryAfterMs, _reason) => {
    const mapped = toDeliveryError(Object.assign(new Error('x'), error), 'chat.postMessage');
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.retryAfterMs).toBe(retryAfterMs);
  });

  it.each([
    [{ code: 'slack_webapi_rate_limited_error', retryAfter: 30 }, { kind: 'rate_limited', retryAfterMs: 30_000 }],
    [{ code: 'slack_webapi_http_error', statusCode: 502, headers: { 'retry-after': '4' } }, { kind: 'http', status: 502, retryAfterMs: 4_000 }],
    [{ code: 'slack_webapi_request_error', message: 'ECONNRESET' }, { kind: 'unreachable' }],
    [{ code: 'slack_webapi_platform_error', data: { error: 'not_in_channel' } }, { kind: 'slack', error: 'not_in_channel' }],
  ])('describes %o as the failure %o for the delivery decision', (error, failure) => {
    expect(toDeliveryError(Object.assign(new Error('x'), error), 'chat.postMessage').failure).toEqual(failure);
  });

  it('holds a message Slack refuses for not_in_channel (pending, not failed), and sends it once the bot is invited', async () => {
    const { deps, clock, state } = setup();
    nock(SLACK)
      .post('/api/chat.postMessage')
      .reply(200, { ok: false, error: 'not_in_channel' })
      .post('/api/chat.postMessage')
      .reply(200, { ok: true, channel: 'C_CRIT', ts: '1700000000.000100' });
    const first = await runAlertPipeline(deps, evaluation([signal(1)]));
    expect(first.delivery).toMatchObject({ sent: 0, failed: 0, held: 1, pending: 1 });
    expect(first.delivery.holds).toEqual([{ slackError: 'not_in_channel', channel: 'C_CRIT', fix: expect.stringContaining('invite the bot to C_CRIT') }]);
    clock.advance(60_000);
    const second = await deliverOutbox({ outbox: state.outbox, notifier: deps.notifier, now: clock.now, sleep: clock.sleep });
    expect(second).toMatchObject({ sent: 1, failed: 0, held: 0, pending: 0 });
    const alert = await state.alerts.latestAlert('crossGroupViolations|grp_acme|critical');
    expect((await state.alerts.getNotification(alert!.notificationId!))!.message).toEqual({ channel: 'C_CRIT', ts: '1700000000.000100' });
  });

  it('is what the configuration asks for: Slack with a bot token, the console without', async () => {
    const slack = { botToken: null, signingSecret: null, appToken: null, apiUrl: 'https://slack.com/api/', timeoutMs: 10_000 };
    expect(createNotifier({ ...slack, botToken: 'xoxb-1' })).toBeInstanceOf(SlackNotifier);
    const lines: string[] = [];
    const console = createNotifier(slack, { write: (line) => lines.push(line), now: () => 1_700_000_000_000 });
    expect(console).toBeInstanceOf(ConsoleNotifier);
    const posted = await console.post({ channel: 'ops', text: 'hello' });
    await console.post({ channel: 'ops', text: 'in thread', threadTs: posted.ts });
    expect(lines).toEqual(['[#ops] hello', `[#ops (thread ${posted.ts})] in thread`]);
  });

  it('prints a new message with its sections indented (ids, counts, steps), and edits and replies as one line', async () => {
    const lines: string[] = [];
    const console = new ConsoleNotifier((line) => lines.push(line), () => 1_700_000_000_000);
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'CRITICAL: Cross-group violations' } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Threshold*\ncritical when > 0' }] },
      { type: 'section', text: { type: 'mrkdwn', text: '*Top issues*\n`conn_1`' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'footer' }] },
    ];
    const posted = await console.post({ channel: 'ops', text: 'CRITICAL: Cross-group violations: 2', blocks });
    await console.update({ channel: 'ops', ts: posted.ts, text: 'edited', blocks });
    await console.post({ channel: 'ops', text: 'resolved', threadTs: posted.ts, blocks });
    expect(lines).toEqual([
      '[#ops] CRITICAL: Cross-group violations: 2',
      '    Top issues',
      '    `conn_1`',
      `[#ops edit ${posted.ts}] edited`,
      `[#ops (thread ${posted.ts})] resolved`,
    ]);
  });
});
