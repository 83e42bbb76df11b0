import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { localBotToken, localSigningSecret, localWorkspaceConfig } from '../../src/local/config.ts';
import { LOCAL_CHANNELS, LOCAL_USERS } from '../../src/local/directory.ts';
import { sendJson, staticFiles } from '../../src/local/http.ts';
import { startLocalServer } from '../../src/local/server.ts';
import { tempDir } from '../helpers/temp-store.ts';

describe('the bot configuration inside the local workspace', () => {
  const wiring = {
    apiUrl: 'http://127.0.0.1:4000/api/',
    botToken: localBotToken(),
    signingSecret: localSigningSecret(),
    dashboardUrl: 'http://localhost:4000/dashboard/',
  };

  it('points Slack at the local Web API in HTTP mode, with the local channels and the lead as the one approver', () => {
    const config = localWorkspaceConfig(loadConfig({ APPROVER_USER_IDS: 'U0SOMEONE', REQUIRED_APPROVALS: '1' }), wiring);
    expect(config.slack).toMatchObject({ botToken: wiring.botToken, signingSecret: wiring.signingSecret, appMode: 'http', apiUrl: wiring.apiUrl, appToken: null });
    expect(config.alerts.channels).toEqual({ critical: LOCAL_CHANNELS.critical.id, warning: LOCAL_CHANNELS.warning.id, report: LOCAL_CHANNELS.report.id });
    expect(config.approvals.approverUserIds).toEqual(LOCAL_USERS.filter((user) => user.approver).map((user) => user.id));
    expect(config.approvals.channel).toBe(LOCAL_CHANNELS.approvals.id);
    expect(config.alerts.dashboardUrl).toBe(wiring.dashboardUrl);
    // The result passes the same checks a real configuration does.
    expect(() => loadConfig({ SLACK_SIGNING_SECRET: config.slack.signingSecret!, SLACK_BOT_TOKEN: config.slack.botToken!, ALERT_CHANNEL_CRITICAL: 'C1', APPROVER_USER_IDS: config.approvals.approverUserIds.join(',') })).not.toThrow();
  });

  it('keeps a DASHBOARD_URL that was set, and makes a new signing secret and bot token each run', () => {
    expect(localWorkspaceConfig(loadConfig({ DASHBOARD_URL: 'https://ops.example.com/' }), wiring).alerts.dashboardUrl).toBe('https://ops.example.com/');
    expect(localSigningSecret()).not.toBe(localSigningSecret());
    expect(localBotToken()).not.toBe(localBotToken());
    expect(localBotToken()).toMatch(/^xoxb-local-[0-9a-f]{48}$/);
  });
});

describe('the local server', () => {
  it('refuses a port in use with one line naming PORT, and answers 404 / errors as one JSON line', async () => {
    const first = await startLocalServer({
      port: 0,
      routes: [
        (request, response) => {
          if (request.url.pathname !== '/boom') return false;
          throw new Error('disk on fire');
        },
        (request, response) => {
          if (request.url.pathname !== '/ok') return false;
          sendJson(response, 200, { ok: true });
          return true;
        },
      ],
    });
    onTestFinished(() => first.close());
    await expect(startLocalServer({ port: first.port })).rejects.toThrow(`Port ${first.port} on 127.0.0.1 is in use: stop what listens there, or set PORT to another port.`);
    expect(first.url).toBe(`http://localhost:${first.port}/`);
    expect(await (await fetch(`${first.internalUrl}ok`)).json()).toEqual({ ok: true });
    const missing = await fetch(`${first.internalUrl}nowhere`);
    expect([missing.status, await missing.json()]).toEqual([404, { ok: false, error: 'Nothing at GET /nowhere.' }]);
    const failed = await fetch(`${first.internalUrl}boom`);
    expect([failed.status, await failed.json()]).toEqual([500, { ok: false, error: 'Unexpected error: disk on fire' }]);
  });

  it('serves a folder under its prefix, redirects the bare prefix, and never a file outside it', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'page'));
    writeFileSync(join(root, 'page', 'index.html'), '<h1>page</h1>');
    writeFileSync(join(root, 'secret.txt'), 'outside');
    const server = await startLocalServer({ port: 0, routes: [staticFiles('/page/', join(root, 'page'))] });
    onTestFinished(() => server.close());
    const index = await fetch(`${server.internalUrl}page/`);
    expect([index.status, index.headers.get('content-type'), await index.text()]).toEqual([200, 'text/html; charset=utf-8', '<h1>page</h1>']);
    const bare = await fetch(`${server.internalUrl}page?x=1`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/page/?x=1']);
    for (const path of ['page/..%2Fsecret.txt', 'page/%2e%2e/secret.txt']) {
      const escape = await fetch(`${server.internalUrl}${path}`);
      expect(escape.status).toBe(404);
      expect(await escape.text()).not.toContain('outside');
    }
  });
});
