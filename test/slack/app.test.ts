import { describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../src/backend.ts';
import { loadConfig } from '../../src/config.ts';
import { createSlackApp } from '../../src/slack/app.ts';
import { slackSignature } from '../helpers/slack/signed-request.ts';
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

  it('refuses to build without app credentials, naming the variables', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', ALERT_CHANNEL_CRITICAL: 'C1' });
    expect(() => createSlackApp({ backend: backend(), config, now: Date.now, log: () => {} })).toThrow(
      /needs SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET \(HTTP mode\) or SLACK_APP_TOKEN \(Socket Mode\)/,
    );
  });
});
