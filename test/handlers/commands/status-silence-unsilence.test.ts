/** `/ontology status`, `silence`, `unsilence` and the App Home tab through the real Bolt app, signed requests, a real store. */
import { describe, expect, it } from 'vitest';
import { runAlertPipeline } from '../../../src/alerts/pipeline.ts';
import { createEventLog } from '../../../src/alerts/event-log.ts';
import { sqliteBackend } from '../../../src/backend.ts';
import { SlackNotifier } from '../../../src/slack/notifier.ts';
import { HOME_VIEWERS_KEY } from '../../../src/slack/home.ts';
import { crossGroupSignal } from '../../helpers/alert-fixtures.ts';
import { startFakeSlackApi } from '../../helpers/slack/fake-slack-api.ts';
import { startSlackAppHarness } from '../../helpers/slack/slack-app-harness.ts';
import { tempStore } from '../../helpers/temp-store.ts';

const KEY = 'crossGroupViolations|platform|critical';

async function setup(options: { alert?: boolean } = {}) {
  const { store } = tempStore();
  const backend = sqliteBackend(store, { useWorker: false });
  const slack = await startFakeSlackApi();
  const now = Date.parse('2026-11-27T10:00:00Z');
  const harness = await startSlackAppHarness({ backend, slack, now: () => now });
  if (options.alert !== false) {
    const { stores } = backend.monitorPorts;
    await runAlertPipeline(
      {
        alerts: stores.alerts,
        outbox: stores.outbox,
        notifier: new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.url }),
        events: createEventLog(store, { groupSlug: 'ontology-ops' }),
        config: harness.config.alerts,
        now: () => now,
        sleep: async () => {},
        log: () => {},
      },
      { source: 'daily', signals: [crossGroupSignal()], coverage: { subjects: ['crossGroupViolations'], groupIds: 'all', severities: ['critical'] } },
    );
  }
  const run = async (text: string) => {
    const ack = await harness.command(text);
    return { ack, answer: async () => (await harness.responseTo(ack.responseUrl)).body };
  };
  return { backend, slack, harness, run, now };
}

describe('/ontology status', () => {
  it('answers privately with the jobs, the firing alert and its id, the migration and the approvals', async () => {
    const { run, backend } = await setup();
    const { ack, answer } = await run('status');
    expect(ack.status).toBe(200);
    const body = await answer();
    expect(body.response_type).toBe('ephemeral');
    const blocks = JSON.stringify(body.blocks);
    const [alert] = await backend.monitorPorts.stores.alerts.firingAlerts();
    expect(blocks).toContain(`*Firing alerts (1)*\\n:red_circle: Cross-group violations 3 in platform-wide since <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC> · \`${alert!.id}\``);
    expect(blocks).toContain('`daily` never ran · next <!date^1795831200^{date_short_pretty} {time}|2026-11-28 02:00 UTC>');
    expect(blocks).toContain('v1 `groupId` migration not completed');
    expect(blocks).toContain('*Approvals*: nothing is waiting.');
    expect(blocks).toContain('no check has run yet');
    // Read-only: a Share button.
    expect(blocks).toContain('ontology_share_in_channel');
  });

  it('refuses an argument it does not take, in the ack, with the usage', async () => {
    const { run } = await setup({ alert: false });
    const { ack } = await run('status everything');
    expect(ack.status).toBe(200);
    expect(JSON.parse(ack.body)).toMatchObject({ response_type: 'ephemeral' });
    expect(ack.body).toContain('status');
  });
});

describe('/ontology silence and unsilence', () => {
  it('silences a firing alert by key, edits its message, and unsilence ends it', async () => {
    const { run, slack, backend, now } = await setup();
    const silenced = await (await run(`silence ${KEY} 2h deploy of the importer`)).answer();
    expect(String(silenced.text)).toMatch(/^:no_bell: Silenced `crossGroupViolations\|platform\|critical` until <!date\^1795780800\^\{date_short_pretty\} \{time\}\|2026-11-27 12:00 UTC> \(silence `#(\d+)`\)/);
    const [silence] = await backend.monitorPorts.stores.alerts.activeSilences(now);
    expect(silence).toMatchObject({ createdBy: 'U0ALICE', reason: 'deploy of the importer', endsWhenResolved: true });
    expect(JSON.stringify(slack.callsOf('chat.update').at(-1)!.params.blocks)).toContain('platform-wide by <@U0ALICE> until <!date^1795780800^{date_short_pretty} {time}|2026-11-27 12:00 UTC>: deploy of the importer');

    const again = await (await run(`silence ${KEY} 4h`)).answer();
    expect(String(again.text)).toContain('Already silenced by <@U0ALICE> until <!date^1795780800^{date_short_pretty} {time}|2026-11-27 12:00 UTC>');

    const ended = await (await run(`unsilence ${silence!.id}`)).answer();
    expect(String(ended.text)).toBe(`:bell: Silence \`#${silence!.id}\` (crossGroupViolations) ended; 1 alert message(s) show it firing again.`);
    expect(await backend.monitorPorts.stores.alerts.activeSilences(now + 1)).toEqual([]);
    expect(JSON.stringify(slack.callsOf('chat.update').at(-1)!.params.blocks)).not.toContain('Silenced');
  });

  it.each([
    ['no duration', `silence ${KEY}`, 'silence needs &lt;duration&gt;'],
    ['a duration it cannot read', `silence ${KEY} soon`, 'duration must be like 30m, 1h, 4h, 24h, 2d or "resolved", got "soon".'],
    ['no alert', 'silence', 'silence needs &lt;alert&gt;'],
    ['a reason past 200 characters (9 KB)', `silence ${KEY} 1h ${'r'.repeat(9_000)}`, 'silence [reason]: The reason is 9,000 characters: keep it to 200'],
    ['no silence id', 'unsilence', 'silence'],
  ])('answers %s in the ack with the usage, silencing nothing', async (_case, text, message) => {
    const { run, backend, now } = await setup();
    const { ack } = await run(text);
    const body = JSON.parse(ack.body) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain(message);
    expect(await backend.monitorPorts.stores.alerts.activeSilences(now)).toEqual([]);
  });

  it.each([
    ['an alert that is not firing', 'silence referentialIntegrityScore|platform|warning 1h x', /^:warning: No firing alert "referentialIntegrityScore\|platform\|warning"/],
    ['a silence that does not exist', 'unsilence 999', /^:warning: No active silence #999/],
  ])('answers %s with one line', async (_case, text, expected) => {
    const { run } = await setup();
    expect(String((await (await run(text)).answer()).text)).toMatch(expected);
  });
});

describe('App Home', () => {
  it('publishes the Home tab on app_home_opened and remembers the viewer for refreshes', async () => {
    const { harness, slack, backend } = await setup();
    const response = await harness.event({
      token: 'deprecated',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      type: 'event_callback',
      event_id: 'Ev0HOME1',
      event_time: 1,
      event: { type: 'app_home_opened', user: 'U0VIEWER1', channel: 'D0VIEWER', tab: 'home', event_ts: '1.1' },
    });
    expect(response.status).toBe(200);
    const publish = await slack.waitFor(() => slack.callsOf('views.publish')[0]);
    expect(publish.params.user_id).toBe('U0VIEWER1');
    const view = publish.params.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    expect(JSON.stringify(view.blocks)).toContain('Ontology data quality');
    expect(JSON.stringify(view.blocks)).toContain('*Firing alerts (1)*');
    expect(JSON.parse((await backend.meta.getMeta(HOME_VIEWERS_KEY))!)).toEqual({ U0VIEWER1: Date.parse('2026-11-27T10:00:00Z') });
  });

  it('publishes nothing when the Messages tab is opened', async () => {
    const { harness, slack } = await setup({ alert: false });
    await harness.event({
      token: 'deprecated',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      type: 'event_callback',
      event_id: 'Ev0MSG',
      event_time: 1,
      event: { type: 'app_home_opened', user: 'U0VIEWER1', channel: 'D0VIEWER', tab: 'messages', event_ts: '1.1' },
    });
    // A later command's answer shows the app has handled the event by then.
    const ack = await harness.command('help');
    await harness.responseTo(ack.responseUrl);
    expect(slack.callsOf('views.publish')).toEqual([]);
  });
});
