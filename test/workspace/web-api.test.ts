/**
 * The workspace's Web API through the real `@slack/web-api` client the bot uses (and raw HTTP where the client
 * would hide the answer): Slack's errors, messages posted and edited in place, threads, ephemerals, views, file
 * uploads (`files.uploadV2`) served back, and the bound on kept messages.
 */
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { LOCAL_CHANNELS } from '../../src/local/directory.ts';
import { SlackNotifier } from '../../src/slack/notifier.ts';
import { startFakeBotWorkspace } from '../helpers/workspace/fake-bot.ts';

const { critical, report } = LOCAL_CHANNELS;
const ENGINEER = 'UENGINEER1';
const LEAD = 'ULEAD00001';

async function setup(options: { maxMessages?: number } = {}) {
  const local = await startFakeBotWorkspace(options);
  const apiUrl = `${local.server.internalUrl}api/`;
  const client = new WebClient(local.botToken, { slackApiUrl: apiUrl, retryConfig: { retries: 0 } });
  const raw = async (method: string, body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${apiUrl}${method}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const messages = (user = ENGINEER, channel: string = critical.id) =>
    local.workspace.state.snapshot(user, true).channels.find((candidate) => candidate.id === channel)!.messages;
  return { ...local, client, raw, messages };
}

describe('the local Web API', () => {
  it.each([
    ['an unknown channel', 'chat.postMessage', 'channel=C0NOPE&text=hi', 'channel_not_found'],
    ['a message with neither text nor blocks', 'chat.postMessage', `channel=${critical.id}`, 'no_text'],
    [
      'an edit of a message that does not exist',
      'chat.update',
      `channel=${critical.id}&ts=1.000001&text=x`,
      'message_not_found',
    ],
    [
      'an ephemeral for an unknown user',
      'chat.postEphemeral',
      `channel=${critical.id}&user=U0NOPE&text=x`,
      'user_not_found',
    ],
    [
      'a modal without a live trigger_id',
      'views.open',
      'trigger_id=1.2.3&view={"type":"modal"}',
      'invalid_trigger_id',
    ],
    [
      'members of a user group (none exist locally)',
      'usergroups.users.list',
      'usergroup=S0NOPE',
      'no_such_subteam',
    ],
    [
      'a message of 51 blocks (Slack allows 50)',
      'chat.postMessage',
      new URLSearchParams({ channel: critical.id, text: 'x', blocks: JSON.stringify(Array.from({ length: 51 }, () => ({ type: 'divider' }))) }).toString(),
      'invalid_blocks',
    ],
    [
      'a header longer than 150 characters',
      'chat.postMessage',
      new URLSearchParams({
        channel: critical.id,
        text: 'x',
        blocks: JSON.stringify([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }]),
      }).toString(),
      'invalid_blocks',
    ],
    [
      'a section text longer than 3,000 characters',
      'chat.postMessage',
      new URLSearchParams({
        channel: critical.id,
        text: 'x',
        blocks: JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } }]),
      }).toString(),
      'invalid_blocks',
    ],
    ['a method Slack has but the bot never calls', 'reactions.add', 'name=eyes', 'unknown_method'],
  ])('answers %s (%s %s) with HTTP 200 and ok: false, error "%s"', async (_case, method, body, error) => {
    const { raw, messages, botToken } = await setup();
    expect(await raw(method, body, { authorization: `Bearer ${botToken}` })).toEqual({ status: 200, json: { ok: false, error } });
    expect(messages()).toEqual([]);
  });

  it('identifies the bot (auth.test) as the official client asks', async () => {
    const { client } = await setup();
    expect(await client.auth.test()).toMatchObject({ ok: true, user_id: 'UBOTLOCAL1', bot_id: 'BBOTLOCAL1', team: 'Local workspace' });
  });

  it('posts Block Kit messages (by id or #name) and edits them in place with chat.update', async () => {
    const { client, messages } = await setup();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*first*' } }];
    const posted = await client.chat.postMessage({ channel: `#${critical.name}`, text: 'first', blocks });
    expect(posted).toMatchObject({ ok: true, channel: critical.id, message: { text: 'first', bot_id: 'BBOTLOCAL1' } });
    expect(messages()).toMatchObject([{ ts: posted.ts, text: 'first', edited: false, blocks: [{ type: 'section', block_id: expect.any(String) }] }]);
    const updated = await client.chat.update({
      channel: critical.id,
      ts: posted.ts!,
      text: 'second',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'second' } }],
    });
    expect(updated).toMatchObject({ ok: true, ts: posted.ts, text: 'second' });
    expect(messages()).toMatchObject([{ ts: posted.ts, text: 'second', edited: true, blocks: [{ type: 'header' }] }]);
    await expect(client.chat.update({ channel: critical.id, ts: '1.000001', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
  });

  it('replies in threads (reply count on the parent) and broadcasts a reply when asked', async () => {
    const { client, messages } = await setup();
    const parent = await client.chat.postMessage({ channel: critical.id, text: 'alert' });
    await client.chat.postMessage({ channel: critical.id, text: 'reminder', thread_ts: parent.ts! });
    await client.chat.postMessage({ channel: critical.id, text: 'resolved', thread_ts: parent.ts!, reply_broadcast: true });
    expect(messages().map((message) => [message.text, message.threadTs ?? null, message.replyCount, message.broadcast])).toEqual([
      ['alert', null, 2, false],
      ['reminder', parent.ts, 0, false],
      ['resolved', parent.ts, 0, true],
    ]);
  });

  it('shows an ephemeral message to its one user only', async () => {
    const { client, messages } = await setup();
    const answer = await client.chat.postEphemeral({ channel: report.id, user: LEAD, text: 'just for you' });
    expect(answer.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(messages(LEAD, report.id)).toMatchObject([{ text: 'just for you', ephemeral: true }]);
    expect(messages(ENGINEER, report.id)).toEqual([]);
  });

  it('publishes a Home tab per user', async () => {
    const { client, workspace } = await setup();
    const published = await client.views.publish({
      user_id: LEAD,
      view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'home of the lead' } }] },
    });
    expect(published.view).toMatchObject({ type: 'home', id: expect.stringMatching(/^V/) });
    expect(workspace.state.snapshot(LEAD, true).home?.blocks).toMatchObject([{ type: 'section', text: { text: 'home of the lead' } }]);
    expect(workspace.state.snapshot(ENGINEER, true).home).toBeNull();
    await expect(client.views.publish({ user_id: 'U0NOPE', view: { type: 'home', blocks: [] } })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
  });

  it('takes files.uploadV2 (upload URL, bytes, completion into a channel) and serves the file back at /files/<id>', async () => {
    const { client, messages, server } = await setup();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
    await client.files.uploadV2({
      channel_id: report.id,
      initial_comment: 'Weekly summary chart',
      file: png,
      filename: 'weekly.png',
      title: 'Seven metrics, last 7 days',
    });
    const [message] = messages(ENGINEER, report.id);
    expect(message).toMatchObject({
      text: 'Weekly summary chart',
      files: [{ name: 'weekly.png', title: 'Seven metrics, last 7 days', mimetype: 'image/png', size: png.length }],
    });
    const served = await fetch(new URL(message!.files[0]!.url, server.internalUrl));
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(png);
    expect((await fetch(`${server.internalUrl}files/F0NOPE`)).status).toBe(404);
  });

  it("takes the bot notifier's upload (raw bytes) into a thread of the report channel", async () => {
    const { client, messages, server, botToken } = await setup();
    const parent = await client.chat.postMessage({ channel: report.id, text: 'Weekly summary' });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 9, 9]);
    const notifier = new SlackNotifier({ token: botToken, apiUrl: `${server.internalUrl}api/`, timeoutMs: 5_000 });
    const { fileId } = await notifier.upload({
      channel: report.id,
      text: 'Chart',
      threadTs: parent.ts!,
      file: { filename: 'week.png', title: 'Week', altText: 'chart', content: png },
    });
    expect(messages(ENGINEER, report.id)).toMatchObject([{ replyCount: 1 }, { text: 'Chart', threadTs: parent.ts, files: [{ id: fileId, size: png.length }] }]);
    expect(Buffer.from(await (await fetch(`${server.internalUrl}files/${fileId}`)).arrayBuffer())).toEqual(png);
  });

  it('refuses to complete an upload whose bytes never arrived', async () => {
    const { client } = await setup();
    const target = await client.files.getUploadURLExternal({ filename: 'x.png', length: 10 });
    await expect(client.files.completeUploadExternal({ files: [{ id: target.file_id! }], channel_id: report.id })).rejects.toMatchObject({
      data: { error: 'file_not_found' },
    });
  });

  it('keeps the newest messages of a channel only (bounded)', async () => {
    const { client, messages } = await setup({ maxMessages: 3 });
    for (const text of ['1', '2', '3', '4', '5']) await client.chat.postMessage({ channel: critical.id, text });
    expect(messages().map((message) => message.text)).toEqual(['3', '4', '5']);
  });
});
