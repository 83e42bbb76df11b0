/** The workspace's routes on the local server: the page (built by the test setup), the redirect, and the live stream. */
import { describe, expect, it } from 'vitest';
import { LOCAL_BOT, LOCAL_CHANNELS } from '../../src/local/directory.ts';
import { startFakeBotWorkspace } from '../helpers/workspace/fake-bot.ts';

describe('the workspace routes', () => {
  it('redirects / to the page and serves the built page with its script and styles', async () => {
    const { server } = await startFakeBotWorkspace();
    const root = await fetch(server.internalUrl, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/workspace/']);
    const bare = await fetch(`${server.internalUrl}workspace`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/workspace/']);
    const page = await fetch(`${server.internalUrl}workspace/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('./main.js');
    expect(html).toContain('./main.css');
    for (const asset of ['main.js', 'main.css']) expect((await fetch(`${server.internalUrl}workspace/${asset}`)).status).toBe(200);
  });

  it("serves a user's snapshot and refuses an unknown user with one line", async () => {
    const { server } = await startFakeBotWorkspace();
    const snapshot = (await (await fetch(`${server.internalUrl}workspace/api/state?user=ULEAD00001`)).json()) as { channels: { name: string }[] };
    expect(snapshot).toMatchObject({ me: { id: 'ULEAD00001', name: 'lee' }, bot: { userId: LOCAL_BOT.userId }, connected: true, home: null, modal: null });
    expect(snapshot.channels.map((channel: { name: string }) => channel.name)).toEqual(Object.values(LOCAL_CHANNELS).map((channel) => channel.name));
    const unknown = await fetch(`${server.internalUrl}workspace/api/state?user=U0NOPE`);
    expect([unknown.status, await unknown.json()]).toEqual([400, { ok: false, error: '"user" must be a user of this workspace (got "U0NOPE").' }]);
  });

  it("refuses a command or click another site's page could send (no JSON content type): 415, nothing reaches the bot", async () => {
    const local = await startFakeBotWorkspace();
    for (const [endpoint, body] of [
      ['command', { user: 'ULEAD00001', channel: LOCAL_CHANNELS.critical.id, text: '/ontology migrate' }],
      ['action', { user: 'ULEAD00001', surface: { kind: 'message', channelId: LOCAL_CHANNELS.approvals.id, messageTs: '1.1' }, blockId: 'b', actionId: 'approve_request' }],
    ] as const) {
      // What a cross-site form or no-cors fetch can send: a "simple" content type, no preflight.
      const answer = await fetch(`${local.server.internalUrl}workspace/api/${endpoint}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) });
      expect([answer.status, await answer.json()]).toEqual([415, { ok: false, error: 'Send the request with Content-Type: application/json.' }]);
    }
    expect(local.received).toEqual([]);
  });

  it('announces every change on the live stream (Server-Sent Events)', async () => {
    const local = await startFakeBotWorkspace();
    const response = await fetch(`${local.server.internalUrl}workspace/api/stream`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const read = async (until: RegExp) => {
      while (!until.test(seen)) seen += decoder.decode((await reader.read()).value);
    };
    await read(/data: \{"version":\d+\}/);
    const first = Number(/"version":(\d+)/.exec(seen)![1]);
    await local.page('command', { user: 'UENGINEER1', channel: LOCAL_CHANNELS.report.id, text: 'hello' });
    await read(new RegExp(`"version":${first + 1}`));
    await reader.cancel();
  });
});
