/**
 * The local workspace is closed to other sites: its Web API takes the run's bot token from the `Authorization`
 * header only, every endpoint refuses a foreign Host or Origin (what another site's page, or a DNS-rebinding one,
 * can make a browser send) before anything changes, and message timestamps cannot be guessed. Real HTTP requests
 * to a real workspace; the official client shows what the bot itself sends is still taken.
 */
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { LOCAL_CHANNELS } from '../../src/local/directory.ts';
import { WorkspaceState } from '../../src/workspace/state.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { startFakeBotWorkspace, type FakeBotWorkspace } from '../helpers/workspace/fake-bot.ts';

const { critical } = LOCAL_CHANNELS;
const ENGINEER = 'UENGINEER1';
const FORM = 'application/x-www-form-urlencoded';

async function setup() {
  const local = await startFakeBotWorkspace();
  const client = new WebClient(local.botToken, { slackApiUrl: `${local.server.internalUrl}api/`, retryConfig: { retries: 0 } });
  const messages = () => local.workspace.state.snapshot(ENGINEER, true).channels.find((channel) => channel.id === critical.id)!.messages;
  const send = (options: Parameters<typeof rawRequest>[1]) => rawRequest(local.server.internalUrl, options);
  return { ...local, client, messages, send };
}

describe('the Web API takes the bot token from the Authorization header only', () => {
  it.each([
    ["a cross-site form POST carrying the right token in its body", 'POST', '/api/chat.postMessage', (token: string) => ({ headers: { 'content-type': FORM }, body: `token=${token}&channel=${critical.id}&text=All+clear` }), 'not_authed'],
    ['a plain GET carrying the right token in its query', 'GET', (token: string) => `/api/chat.postMessage?token=${token}&channel=${critical.id}&text=All+clear`, () => ({}), 'not_authed'],
    ['no token at all', 'POST', '/api/chat.postMessage', () => ({ headers: { 'content-type': FORM }, body: `channel=${critical.id}&text=All+clear` }), 'not_authed'],
    ['a guessed bearer token', 'POST', '/api/chat.postMessage', () => ({ headers: { 'content-type': FORM, authorization: 'Bearer xoxb-local-workspace' }, body: `channel=${critical.id}&text=All+clear` }), 'invalid_auth'],
    [
      'the right bearer token with another token argument',
      'POST',
      '/api/chat.postMessage',
      (token: string) => ({ headers: { 'content-type': FORM, authorization: `Bearer ${token}` }, body: `token=xoxb-other&channel=${critical.id}&text=All+clear` }),
      'invalid_auth',
    ],
  ] as const)('refuses %s with HTTP 401 and Slack\'s error, posting nothing', async (_case, method, path, request, error) => {
    const { send, botToken, messages } = await setup();
    const answer = await send({ method, path: typeof path === 'function' ? path(botToken) : path, ...request(botToken) });
    expect([answer.status, JSON.parse(answer.body)]).toEqual([401, { ok: false, error }]);
    expect(messages()).toEqual([]);
  });

  it('takes the header, in a form POST, a GET, and from the official client (which also repeats it as an argument)', async () => {
    const { send, botToken, client, messages } = await setup();
    const form = await send({
      method: 'POST',
      path: '/api/chat.postMessage',
      headers: { 'content-type': FORM, authorization: `Bearer ${botToken}` },
      body: `channel=${critical.id}&text=first`,
    });
    expect([form.status, JSON.parse(form.body).ok]).toEqual([200, true]);
    const get = await send({ path: '/api/auth.test', headers: { authorization: `Bearer ${botToken}` } });
    expect([get.status, JSON.parse(get.body)]).toMatchObject([200, { ok: true, user_id: 'UBOTLOCAL1' }]);
    // Bolt calls auth.test with the token as an argument too: the client sends it in the body and the header.
    expect(await client.auth.test({ token: botToken })).toMatchObject({ ok: true, bot_id: 'BBOTLOCAL1' });
    await client.chat.postMessage({ channel: critical.id, text: 'second' });
    expect(messages().map((message) => message.text)).toEqual(['first', 'second']);
  });

  it("makes a new token each run: another workspace's token is refused", async () => {
    const first = await setup();
    const second = await setup();
    expect(first.botToken).not.toBe(second.botToken);
    const answer = await first.send({ path: '/api/auth.test', headers: { authorization: `Bearer ${second.botToken}` } });
    expect([answer.status, JSON.parse(answer.body)]).toEqual([401, { ok: false, error: 'invalid_auth' }]);
  });
});

/** A workspace with one of everything an endpoint can act on: a bot message with a button, a response_url, an upload. */
async function furnished(): Promise<{ local: FakeBotWorkspace & Awaited<ReturnType<typeof setup>>; responseUrl: URL; uploadUrl: URL; fileId: string; ts: string }> {
  const local = await setup();
  const blocks = [{ type: 'actions', block_id: 'alert_actions', elements: [{ type: 'button', action_id: 'alert_acknowledge', text: { type: 'plain_text', text: 'Acknowledge' }, value: 'v-1' }] }];
  const posted = await local.client.chat.postMessage({ channel: critical.id, text: 'CRITICAL: cross-group links', blocks });
  await local.page('action', { user: ENGINEER, surface: { kind: 'message', channelId: critical.id, messageTs: posted.ts }, blockId: 'alert_actions', actionId: 'alert_acknowledge' });
  const responseUrl = new URL(local.received.at(-1)!.payload!.response_url as string);
  const shared = await local.client.files.getUploadURLExternal({ filename: 'week.png', length: 3 });
  await fetch(shared.upload_url!, { method: 'POST', body: Buffer.from([1, 2, 3]) });
  await local.client.files.completeUploadExternal({ files: [{ id: shared.file_id! }], channel_id: critical.id });
  const pending = await local.client.files.getUploadURLExternal({ filename: 'next.png', length: 3 });
  return { local, responseUrl, uploadUrl: new URL(pending.upload_url!), fileId: shared.file_id!, ts: posted.ts! };
}

describe('every endpoint refuses a foreign Host or Origin before anything changes', () => {
  type Furnished = Awaited<ReturnType<typeof furnished>>;
  const json = { 'content-type': 'application/json' };
  const endpoints: [string, (setup: Furnished) => { method: string; path: string; headers?: Record<string, string>; body?: string }][] = [
    ['Web API (with the right token)', ({ local }) => ({ method: 'POST', path: '/api/chat.postMessage', headers: { 'content-type': FORM, authorization: `Bearer ${local.botToken}` }, body: `channel=${critical.id}&text=All+clear` })],
    ['Web API delete', ({ local, ts }) => ({ method: 'POST', path: '/api/chat.delete', headers: { 'content-type': FORM, authorization: `Bearer ${local.botToken}` }, body: `channel=${critical.id}&ts=${ts}` })],
    ['page state', () => ({ method: 'GET', path: `/workspace/api/state?user=${ENGINEER}` })],
    ['page live stream', () => ({ method: 'GET', path: '/workspace/api/stream' })],
    ['page command', () => ({ method: 'POST', path: '/workspace/api/command', headers: json, body: JSON.stringify({ user: ENGINEER, channel: critical.id, text: '/ontology migrate' }) })],
    [
      'page click',
      ({ ts }) => ({
        method: 'POST',
        path: '/workspace/api/action',
        headers: json,
        body: JSON.stringify({ user: ENGINEER, surface: { kind: 'message', channelId: critical.id, messageTs: ts }, blockId: 'alert_actions', actionId: 'alert_acknowledge' }),
      }),
    ],
    ['page file', () => ({ method: 'GET', path: '/workspace/' })],
    ['root redirect', () => ({ method: 'GET', path: '/' })],
    ['response_url', ({ responseUrl }) => ({ method: 'POST', path: responseUrl.pathname, headers: json, body: JSON.stringify({ text: 'All clear', replace_original: true }) })],
    ['upload URL', ({ uploadUrl }) => ({ method: 'POST', path: uploadUrl.pathname, body: 'forged' })],
    ['shared file', ({ fileId }) => ({ method: 'GET', path: `/files/${fileId}` })],
  ];

  it.each(endpoints)('%s: 403 for a DNS-rebinding Host and for a foreign Origin', async (_endpoint, request) => {
    const setup = await furnished();
    const { local } = setup;
    const before = { revision: local.workspace.state.revision, received: local.received.length, messages: JSON.stringify(local.messages()) };
    const { port } = local.server;
    for (const foreign of [{ host: `evil.example:${port}`, origin: `http://evil.example:${port}` }, { host: `evil.example:${port}` }, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const { method, path, headers, body } = request(setup);
      const answer = await local.send({ method, path, headers: { ...headers, ...foreign }, ...(body !== undefined ? { body } : {}) });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ ok: false, error: expect.stringMatching(/^Refused: /) });
    }
    expect({ revision: local.workspace.state.revision, received: local.received.length, messages: JSON.stringify(local.messages()) }).toEqual(before);
  });

  it('leaves the response_url and upload URL a refused request named working for the bot', async () => {
    const { local, responseUrl, uploadUrl } = await furnished();
    const foreign = { host: `evil.example:${local.server.port}` };
    for (let attempt = 0; attempt < 6; attempt++) {
      expect((await local.send({ method: 'POST', path: responseUrl.pathname, headers: { 'content-type': 'application/json', ...foreign }, body: '{"text":"All clear"}' })).status).toBe(403);
    }
    expect((await local.send({ method: 'POST', path: uploadUrl.pathname, headers: foreign, body: 'forged' })).status).toBe(403);
    const answered = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Acknowledged' }) });
    expect([answered.status, await answered.text()]).toEqual([200, 'ok']);
    const uploaded = await fetch(uploadUrl, { method: 'POST', body: Buffer.from([7, 8, 9]) });
    expect([uploaded.status, await uploaded.text()]).toEqual([200, 'OK - 3']);
  });
});

describe('message timestamps', () => {
  const FROZEN = () => Date.parse('2026-12-08T01:00:00Z');

  it('are shaped like Slack’s and strictly increase, also when one second holds many (carrying into the next)', () => {
    // The largest random steps fill a second fastest.
    const state = new WorkspaceState({ now: FROZEN, random: (below) => below - 1 });
    const stamps = Array.from({ length: 400 }, () => state.nextTs());
    for (const ts of stamps) expect(ts).toMatch(/^\d{10}\.\d{6}$/);
    for (const [index, ts] of stamps.entries()) if (index > 0) expect(ts > stamps[index - 1]!).toBe(true);
    const seconds = new Set(stamps.map((ts) => ts.split('.')[0]));
    expect(seconds.size).toBeGreaterThan(1);
    expect([...seconds][0]).toBe(String(FROZEN() / 1000));
  });

  it('cannot be guessed: two workspaces at the same instant stamp differently, and neither counts 0, 1, 2', () => {
    const [first, second] = [new WorkspaceState({ now: FROZEN }), new WorkspaceState({ now: FROZEN })].map((state) => Array.from({ length: 5 }, () => state.nextTs()));
    expect(first).not.toEqual(second);
    const micros = first!.map((ts) => Number(ts.split('.')[1]));
    expect(micros).not.toEqual([0, 1, 2, 3, 4]);
  });
});
