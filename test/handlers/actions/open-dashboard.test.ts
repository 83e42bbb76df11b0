/**
 * The Dashboard link through the real Bolt app and the real monitor job: `DASHBOARD_URL` puts it on the alert
 * messages the daily job posts (and keeps it on the edit an Acknowledge click makes) and on the Home tab; a click
 * on it is acknowledged and changes nothing. Without `DASHBOARD_URL` there is no link.
 */
import { describe, expect, it } from 'vitest';
import { MonitorRunner } from '../../../monitors/runner.ts';
import { sqliteBackend } from '../../../src/backend.ts';
import { seedStore } from '../../../src/seed/seed.ts';
import { SlackNotifier } from '../../../src/slack/notifier.ts';
import { startFakeSlackApi } from '../../helpers/slack/fake-slack-api.ts';
import { startSlackAppHarness } from '../../helpers/slack/slack-app-harness.ts';
import { tempStore } from '../../helpers/temp-store.ts';

const DASHBOARD = 'http://localhost:3000/dashboard/';
const NOW = Date.parse('2026-11-27T02:00:00Z');

type Block = { type: string; block_id?: string; elements?: { action_id?: string; url?: string; value?: string }[] };

/** The URL buttons of some blocks. */
function links(blocks: unknown): string[] {
  return ((blocks ?? []) as Block[]).flatMap((block) => (block.elements ?? []).filter((element) => element.url !== undefined).map((element) => element.url!));
}

/** An app over a seeded store whose alerts the real daily job has posted to the fake Slack. */
async function setup(env: Record<string, string>) {
  const { store } = tempStore();
  const backend = sqliteBackend(store, { useWorker: false });
  await seedStore(backend.bulkLoad, { entities: 120, seed: 3, now: NOW });
  const slack = await startFakeSlackApi();
  const harness = await startSlackAppHarness({ backend, slack, now: () => NOW, env });
  const notifier = new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.url, timeoutMs: 5_000 });
  const context = backend.monitorContext({ config: harness.config, notifier, now: () => NOW, sleep: async () => {}, log: () => {} });
  const result = await new MonitorRunner(context, 'test').runJob('daily', 'manual');
  expect(result.outcome).toBe('succeeded');
  return { harness, slack, backend };
}

const homeOpened = {
  token: 'deprecated',
  team_id: 'T0TEST',
  api_app_id: 'A0TEST',
  type: 'event_callback',
  event_id: 'Ev0HOME1',
  event_time: 1,
  event: { type: 'app_home_opened', user: 'U0VIEWER1', channel: 'D0VIEWER', tab: 'home', event_ts: '1.1' },
};

describe('the Dashboard link', () => {
  it('is on every alert message the daily job posts, on the edit an acknowledgement makes, and on the Home tab', async () => {
    const { harness, slack } = await setup({ DASHBOARD_URL: DASHBOARD });
    const posts = slack.callsOf('chat.postMessage');
    expect(posts.length).toBeGreaterThan(2);
    // A platform-wide alert opens the dashboard as it is; an alert about one group opens it on that group.
    const posted = posts.map((post) => links(post.params.blocks));
    for (const link of posted) expect(link).toEqual([expect.stringMatching(/^http:\/\/localhost:3000\/dashboard\/(\?group=[a-z0-9]+)?$/)]);
    expect(posted.some(([link]) => link === DASHBOARD)).toBe(true);
    expect(posted.some(([link]) => link!.startsWith(`${DASHBOARD}?group=`))).toBe(true);

    const post = posts[0]!;
    const acknowledge = (post.params.blocks as Block[]).find((block) => block.block_id === 'alert_actions')!.elements!.find((element) => element.action_id === 'alert_acknowledge')!;
    const click = await harness.click('alert_acknowledge', acknowledge.value!, { userId: 'U0ONCALL1', channelId: String(post.params.channel) });
    expect(click.status).toBe(200);
    const edit = await slack.waitFor(() => slack.callsOf('chat.update')[0]);
    expect(JSON.stringify(edit.params.blocks)).toContain('Acknowledged by <@U0ONCALL1>');
    expect(links(edit.params.blocks)).toEqual([DASHBOARD]);

    expect((await harness.event(homeOpened)).status).toBe(200);
    const publish = await slack.waitFor(() => slack.callsOf('views.publish')[0]);
    expect(links((publish.params.view as { blocks: unknown[] }).blocks)).toEqual([DASHBOARD]);
  });

  it('is acknowledged when clicked, and nothing else happens', async () => {
    const { harness, slack } = await setup({ DASHBOARD_URL: DASHBOARD });
    const calls = slack.calls.length;
    const click = await harness.click('open_dashboard', '');
    expect(click.status).toBe(200);
    // A later command's answer shows the app has handled the click by then.
    const ack = await harness.command('help');
    await harness.responseTo(ack.responseUrl);
    expect(slack.calls.slice(calls).filter((call) => call.method !== 'chat.postEphemeral')).toEqual([]);
    expect(slack.responses.filter((response) => response.url === click.responseUrl)).toEqual([]);
    expect(harness.logs.filter((line) => /open_dashboard|unhandled|error/i.test(line))).toEqual([]);
  });

  it('is nowhere without DASHBOARD_URL', async () => {
    const { harness, slack } = await setup({});
    expect(slack.callsOf('chat.postMessage').length).toBeGreaterThan(2);
    for (const post of slack.callsOf('chat.postMessage')) expect(links(post.params.blocks)).toEqual([]);
    await harness.event(homeOpened);
    const publish = await slack.waitFor(() => slack.callsOf('views.publish')[0]);
    expect(links((publish.params.view as { blocks: unknown[] }).blocks)).toEqual([]);
  });
});
