import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sqliteBackend } from '../../src/backend.ts';
import { loadConfig } from '../../src/config.ts';
import { createSlackApp } from '../../src/slack/app.ts';
import { SHARE_ACTION_ID } from '../../src/slack/subcommand.ts';
import { startFakeSlackApi } from '../helpers/slack/fake-slack-api.ts';
import { buttonClickPayload, slackSignature } from '../helpers/slack/signed-request.ts';
import { startSlackAppHarness } from '../helpers/slack/slack-app-harness.ts';
import { tempStore } from '../helpers/temp-store.ts';

function backend() {
  const { store } = tempStore();
  return sqliteBackend(store, { useWorker: false });
}

describe('the Slack app over HTTP', () => {
  it('answers a signed /ontology help with the usage, privately, through the response_url', async () => {
    const harness = await startSlackAppHarness({ backend: backend() });
    const ack = await harness.command('help');
    expect(ack.status).toBe(200);
    const answer = await harness.responseTo(ack.responseUrl);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer.body.blocks)).toContain('/ontology help');
  });

  it.each([
    ['a forged signature', { signature: slackSignature('not-the-secret', Math.floor(Date.now() / 1000), 'x') }],
    ['a timestamp older than 5 minutes (a replay)', { timestamp: Math.floor(Date.now() / 1000) - 5 * 60 - 10 }],
  ])('refuses %s with 401 and runs nothing', async (_case, options) => {
    const harness = await startSlackAppHarness({ backend: backend() });
    const ack = await harness.command('help', options);
    expect(ack.status).toBe(401);
    // A signed request sent after it is answered: had the refused one run, its answer would be there too.
    const later = await harness.command('help');
    await harness.responseTo(later.responseUrl);
    expect(harness.slack.responses.map((response) => response.url)).toEqual([later.responseUrl]);
    expect(harness.slack.calls.filter((call) => call.method !== 'auth.test')).toEqual([]);
  });

  it('refuses a button click with a forged signature: 401, and the subcommand it names never runs', async () => {
    const harness = await startSlackAppHarness({ backend: backend() });
    const responseUrl = harness.slack.responseUrl();
    const payload = buttonClickPayload({ actionId: SHARE_ACTION_ID, value: 'help', userId: 'U0MALLORY', channelId: 'C0OPS', responseUrl });
    const click = await harness.interaction(payload, { signature: slackSignature('guessed-secret', Math.floor(Date.now() / 1000), 'x') });
    expect(click.status).toBe(401);
    const later = await harness.command('help');
    await harness.responseTo(later.responseUrl);
    expect(harness.slack.responses.map((response) => response.url)).toEqual([later.responseUrl]);
  });

  it('answers the Events API URL check, signed as Slack signs events (JSON body)', async () => {
    const harness = await startSlackAppHarness({ backend: backend() });
    const answer = await harness.event({ token: 'deprecated', challenge: 'c-123', type: 'url_verification' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ challenge: 'c-123' });
  });

  it('builds in Socket Mode when SLACK_APP_TOKEN is set (no port to listen on)', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', ALERT_CHANNEL_CRITICAL: 'C1', SLACK_APP_TOKEN: 'xapp-1-A1-1-abc' });
    expect(createSlackApp({ backend: backend(), config, now: Date.now, log: () => {} }).mode).toBe('socket');
  });

  it('fails to start in Socket Mode with one line naming SLACK_APP_TOKEN when Slack refuses the app-level token', async () => {
    const slack = await startFakeSlackApi();
    slack.answer('apps.connections.open', () => ({ body: { ok: false, error: 'invalid_auth' } }));
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', ALERT_CHANNEL_CRITICAL: 'C1', SLACK_APP_TOKEN: 'xapp-1-A1-1-abc', SLACK_API_URL: slack.url });
    const app = createSlackApp({ backend: backend(), config, now: Date.now, log: () => {} });
    onTestFinished(() => app.stop().catch(() => {}));
    const failure = await app.start().then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toBe(
      'Socket Mode could not connect (Slack answered invalid_auth): check SLACK_APP_TOKEN — an app-level token (xapp-…) with the connections:write scope, from an app with Socket Mode enabled.',
    );
    expect(slack.callsOf('apps.connections.open')[0]!.token).toBe('xapp-1-A1-1-abc');
  });

  it('refuses to build without app credentials, naming the variables', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', ALERT_CHANNEL_CRITICAL: 'C1' });
    expect(() => createSlackApp({ backend: backend(), config, now: Date.now, log: () => {} })).toThrow(
      /needs SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET \(HTTP mode\) or SLACK_APP_TOKEN \(Socket Mode\)/,
    );
  });
});

describe('the Slack app when Slack cannot be reached', () => {
  it('fails start with one line naming the token check, and leaves no rejection unhandled', async () => {
    // A port nothing listens on: every Web API call is refused.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const config = loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 'secret123',
        ALERT_CHANNEL_CRITICAL: 'C1',
        SLACK_API_URL: `http://127.0.0.1:${closed}/api/`,
        SLACK_TIMEOUT: '1s',
      });
      const app = createSlackApp({ backend: backend(), config, now: Date.now, log: () => {} }, { port: 0, host: '127.0.0.1' });
      await expect(app.start()).rejects.toThrow(/^The Slack app could not check its bot token with auth\.test \(.+\): check SLACK_BOT_TOKEN and that SLACK_API_URL is reachable\.$/);
      // Bolt's retries are over by now; give a stray rejection a turn to surface.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 30_000);
});
