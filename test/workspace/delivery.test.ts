/**
 * What the workspace sends the bot and how it shows the bot's answers, seen from the bot's side (a recording
 * stand-in): requests signed exactly as Slack signs them, the fields Slack sends, `response_url` semantics and
 * limits, slow or failing bots, and the page API's refusals of bad input.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { LOCAL_CHANNELS } from '../../src/local/directory.ts';
import { startFakeBotWorkspace, type FakeBotWorkspace } from '../helpers/workspace/fake-bot.ts';

const { critical, report } = LOCAL_CHANNELS;
const ENGINEER = 'UENGINEER1';
const LEAD = 'ULEAD00001';

function view(local: FakeBotWorkspace, user: string, channel: string) {
  return local.workspace.state.snapshot(user, true).channels.find((candidate) => candidate.id === channel)!.messages;
}

function post(url: string, body: unknown) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (response) => ({
    status: response.status,
    text: await response.text(),
  }));
}

/** A bot message with one button in `channel`, and a click on it by `user`; resolves with the click's payload. */
async function clickedButton(local: FakeBotWorkspace, user: string, channel: string = critical.id) {
  const client = new WebClient(local.botToken, { slackApiUrl: `${local.server.internalUrl}api/`, retryConfig: { retries: 0 } });
  const blocks = [
    {
      type: 'actions',
      block_id: 'alert_actions',
      elements: [{ type: 'button', action_id: 'alert_acknowledge', text: { type: 'plain_text', text: 'Acknowledge' }, value: 'v-1', style: 'primary' }],
    },
  ];
  const posted = await client.chat.postMessage({ channel, text: 'alert', blocks });
  const outcome = await local.page('action', {
    user,
    surface: { kind: 'message', channelId: channel, messageTs: posted.ts },
    blockId: 'alert_actions',
    actionId: 'alert_acknowledge',
  });
  expect(outcome.json).toEqual({ ok: true, status: 200 });
  return { ts: posted.ts!, payload: local.received.at(-1)!.payload! };
}

describe('delivery to the bot', () => {
  it('sends a slash command form-encoded with the fields Slack sends, signed with v0=HMAC-SHA256 of v0:{ts}:{body}', async () => {
    const local = await startFakeBotWorkspace();
    expect((await local.page('command', { user: ENGINEER, channel: report.id, text: '/ontology integrity --limit 5' })).json).toEqual({
      ok: true,
      status: 200,
    });
    const [request] = local.received;
    const timestamp = Number(request!.headers['x-slack-request-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    const expected = `v0=${createHmac('sha256', local.secret).update(`v0:${timestamp}:${request!.body}`).digest('hex')}`;
    expect(request!.headers['x-slack-signature']).toBe(expected);
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.fields).toMatchObject({
      command: '/ontology',
      text: 'integrity --limit 5',
      user_id: ENGINEER,
      user_name: 'erin',
      channel_id: report.id,
      channel_name: report.name,
    });
    expect(request!.fields.response_url).toMatch(new RegExp(`^${local.server.internalUrl}response/`));
    expect(request!.fields.trigger_id).toMatch(/^\d+\./);
  });

  it('sends a button click as block_actions with container, message, channel, user, response_url and the action', async () => {
    const local = await startFakeBotWorkspace();
    const { ts, payload } = await clickedButton(local, LEAD);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: LEAD, username: 'lee' },
      container: { type: 'message', message_ts: ts, channel_id: critical.id, is_ephemeral: false },
      channel: { id: critical.id, name: critical.name },
      message: { ts, text: 'alert', bot_id: 'BBOTLOCAL1' },
      trigger_id: expect.any(String),
      actions: [{ type: 'button', action_id: 'alert_acknowledge', block_id: 'alert_actions', value: 'v-1', style: 'primary' }],
    });
    expect(payload.response_url).toMatch(/\/response\/\w+$/);
  });

  it('sends menu choices and dates as Slack does (selected_option, selected_date), refusing a value the menu lacks', async () => {
    const local = await startFakeBotWorkspace();
    const client = new WebClient(local.botToken, { slackApiUrl: `${local.server.internalUrl}api/`, retryConfig: { retries: 0 } });
    const option = (value: string) => ({ text: { type: 'plain_text', text: value.toUpperCase() }, value });
    const blocks = [
      {
        type: 'actions',
        block_id: 'controls',
        elements: [
          { type: 'static_select', action_id: 'pick', placeholder: { type: 'plain_text', text: 'Pick' }, options: [option('1h'), option('4h')] },
          { type: 'overflow', action_id: 'more', options: [option('mute')] },
          { type: 'datepicker', action_id: 'day' },
        ],
      },
    ];
    const posted = await client.chat.postMessage({ channel: critical.id, text: 'controls', blocks });
    const surface = { kind: 'message', channelId: critical.id, messageTs: posted.ts };
    for (const [actionId, selectedValue] of [
      ['pick', '4h'],
      ['more', 'mute'],
      ['day', '2026-12-01'],
    ]) {
      expect((await local.page('action', { user: ENGINEER, surface, blockId: 'controls', actionId, selectedValue })).json).toEqual({ ok: true, status: 200 });
    }
    expect(local.received.map((request) => request.payload!.actions[0])).toMatchObject([
      { type: 'static_select', action_id: 'pick', selected_option: { value: '4h', text: { text: '4H' } } },
      { type: 'overflow', action_id: 'more', selected_option: { value: 'mute' } },
      { type: 'datepicker', action_id: 'day', selected_date: '2026-12-01' },
    ]);
    const refused = await local.page('action', { user: ENGINEER, surface, blockId: 'controls', actionId: 'pick', selectedValue: '99h' });
    expect(refused).toEqual({ status: 400, json: { ok: false, error: '"99h" is not an option of pick: choose one of the menu\'s options.' } });
    expect(local.received).toHaveLength(3);
  });

  it('refuses a click on an element the message does not have, and delivers nothing', async () => {
    const local = await startFakeBotWorkspace();
    const { ts } = await clickedButton(local, LEAD);
    const before = local.received.length;
    const answer = await local.page('action', {
      user: LEAD,
      surface: { kind: 'message', channelId: critical.id, messageTs: ts },
      blockId: 'alert_actions',
      actionId: 'approve_request',
    });
    expect(answer).toEqual({ status: 404, json: { ok: false, error: 'The message has no approve_request in block alert_actions (it was edited): reload.' } });
    expect(local.received).toHaveLength(before);
  });

  it('shows a command’s JSON ack body as an ephemeral (or in the channel with response_type in_channel)', async () => {
    const local = await startFakeBotWorkspace();
    local.reply(() => ({ json: { response_type: 'ephemeral', text: 'Usage: /ontology help' } }));
    await local.page('command', { user: ENGINEER, channel: report.id, text: '/ontology nope' });
    expect(view(local, ENGINEER, report.id)).toMatchObject([{ text: 'Usage: /ontology help', ephemeral: true, bot: true }]);
    expect(view(local, LEAD, report.id)).toEqual([]);
    local.reply(() => ({ json: { response_type: 'in_channel', text: 'Shared' } }));
    await local.page('command', { user: ENGINEER, channel: report.id, text: '/ontology status' });
    expect(view(local, LEAD, report.id)).toMatchObject([{ text: 'Shared', ephemeral: false }]);
  });

  it.each([
    ['a bot that does not answer within the timeout', 'hang' as const, 'operation_timeout', undefined],
    ['a bot answering HTTP 500', { status: 500, text: 'boom' }, 'http_service_error', 500],
    ['a bot refusing the signature (HTTP 401)', { status: 401, text: '' }, 'http_client_error', 401],
  ])('tells the user privately when %s, as Slack does', async (_case, reply, error, status) => {
    const local = await startFakeBotWorkspace({ deliveryTimeoutMs: 300 });
    local.reply(() => reply);
    const outcome = await local.page('command', { user: ENGINEER, channel: report.id, text: '/ontology integrity' });
    expect(outcome.json).toEqual({ ok: false, error, ...(status ? { status } : {}) });
    expect(view(local, ENGINEER, report.id)).toMatchObject([{ user: 'USLACKBOT', text: `/ontology failed with the error "${error}"`, ephemeral: true }]);
  });

  it('refuses another slash command as Slack does, without reaching the bot; plain text is posted as the user', async () => {
    const local = await startFakeBotWorkspace();
    await local.page('command', { user: ENGINEER, channel: report.id, text: '/deploy now' });
    await local.page('command', { user: ENGINEER, channel: report.id, text: 'hello team' });
    expect(local.received).toEqual([]);
    expect(view(local, ENGINEER, report.id).map((message) => [message.user, message.text, message.ephemeral])).toEqual([
      ['USLACKBOT', '`/deploy` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.', true],
      [ENGINEER, 'hello team', false],
    ]);
  });

  it.each([
    ['a missing user', { channel: report.id, text: '/ontology help' }, '"user" is missing: send the id of the user typing.'],
    ['an unknown user', { user: 'U0NOPE', channel: report.id, text: '/ontology help' }, 'No user U0NOPE in this workspace: choose the engineer or the lead.'],
    [
      'an unknown channel',
      { user: ENGINEER, channel: 'C0NOPE', text: '/ontology help' },
      "No channel C0NOPE in this workspace: pick one of the sidebar's channels.",
    ],
  ])('answers the page API with one line naming the problem for %s', async (_case, body, error) => {
    const local = await startFakeBotWorkspace();
    const answer = await local.page('command', body);
    expect(answer.json).toEqual({ ok: false, error });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(local.received).toEqual([]);
  });
});

describe('response_url', () => {
  it('posts ephemeral to the user by default, and to the channel with response_type in_channel', async () => {
    const local = await startFakeBotWorkspace();
    await local.page('command', { user: ENGINEER, channel: report.id, text: '/ontology help' });
    const url = local.received[0]!.fields.response_url!;
    expect(await post(url, { text: 'private answer' })).toEqual({ status: 200, text: 'ok' });
    expect(await post(url, { text: 'shared answer', response_type: 'in_channel' })).toEqual({ status: 200, text: 'ok' });
    expect(view(local, ENGINEER, report.id).map((message) => [message.text, message.ephemeral])).toEqual([
      ['private answer', true],
      ['shared answer', false],
    ]);
    expect(view(local, LEAD, report.id).map((message) => message.text)).toEqual(['shared answer']);
  });

  it('replace_original replaces the clicked message in place; delete_original deletes it', async () => {
    const local = await startFakeBotWorkspace();
    const { ts, payload } = await clickedButton(local, LEAD);
    expect(
      await post(payload.response_url, {
        replace_original: true,
        text: 'Acknowledged by Lee',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Acknowledged' } }],
      }),
    ).toEqual({ status: 200, text: 'ok' });
    expect(view(local, ENGINEER, critical.id)).toMatchObject([{ ts, text: 'Acknowledged by Lee', blocks: [{ type: 'section' }] }]);
    expect(await post(payload.response_url, { delete_original: true })).toEqual({ status: 200, text: 'ok' });
    expect(view(local, ENGINEER, critical.id)).toEqual([]);
  });

  it('replace_original on an ephemeral replaces it for its user', async () => {
    const local = await startFakeBotWorkspace();
    const client = new WebClient(local.botToken, { slackApiUrl: `${local.server.internalUrl}api/`, retryConfig: { retries: 0 } });
    const blocks = [
      {
        type: 'actions',
        block_id: 'share',
        elements: [{ type: 'button', action_id: 'share_in_channel', text: { type: 'plain_text', text: 'Share' }, value: 'help' }],
      },
    ];
    const { message_ts: ts } = await client.chat.postEphemeral({ channel: report.id, user: ENGINEER, text: 'private', blocks });
    await local.page('action', {
      user: ENGINEER,
      surface: { kind: 'message', channelId: report.id, messageTs: ts },
      blockId: 'share',
      actionId: 'share_in_channel',
    });
    const payload = local.received.at(-1)!.payload!;
    expect(payload.container).toEqual({ type: 'message', message_ts: ts, channel_id: report.id, is_ephemeral: true });
    expect(payload.message).toBeUndefined();
    await post(payload.response_url, { replace_original: true, text: 'shared it' });
    expect(view(local, ENGINEER, report.id)).toMatchObject([{ ts, text: 'shared it', ephemeral: true }]);
  });

  it('takes 5 posts, then answers 404 used_url; an unknown URL is invalid_url; no text is no_text', async () => {
    const local = await startFakeBotWorkspace();
    await local.page('command', { user: ENGINEER, channel: report.id, text: '/ontology help' });
    const url = local.received[0]!.fields.response_url!;
    expect(await post(url, {})).toEqual({ status: 400, text: 'no_text' });
    for (let use = 1; use <= 5; use++) expect(await post(url, { text: `answer ${use}` })).toEqual({ status: 200, text: 'ok' });
    expect(await post(url, { text: 'answer 6' })).toEqual({ status: 404, text: 'used_url' });
    expect(view(local, ENGINEER, report.id)).toHaveLength(5);
    expect(await post(`${local.server.internalUrl}response/RNOPE`, { text: 'x' })).toEqual({ status: 404, text: 'invalid_url' });
  });

  it('expires 30 minutes after the interaction (expired_url)', async () => {
    let now = Date.parse('2026-11-30T10:00:00Z');
    const local = await startFakeBotWorkspace({ now: () => now });
    // Requests are signed with the workspace's clock; the stand-in bot does not check timestamps.
    await local.page('command', { user: ENGINEER, channel: report.id, text: '/ontology help' });
    const url = local.received[0]!.fields.response_url!;
    now += 29 * 60_000;
    expect(await post(url, { text: 'in time' })).toEqual({ status: 200, text: 'ok' });
    now += 60_000;
    expect(await post(url, { text: 'too late' })).toEqual({ status: 404, text: 'expired_url' });
  });
});
