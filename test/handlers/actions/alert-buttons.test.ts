/**
 * The alert buttons through the real Bolt app: requests signed as Slack signs them, the Web API a local fake,
 * the alert posted by the real pipeline into a real SQLite store, and the buttons' values taken from the message
 * the pipeline posted.
 */
import { describe, expect, it } from 'vitest';
import { runAlertPipeline, type PipelineDeps } from '../../../src/alerts/pipeline.ts';
import { createEventLog } from '../../../src/alerts/event-log.ts';
import { groupSlugLookup } from '../../../src/alerts/group-slugs.ts';
import type { Evaluation, Signal } from '../../../src/alerts/types.ts';
import { sqliteBackend } from '../../../src/backend.ts';
import { SlackNotifier } from '../../../src/slack/notifier.ts';
import { crossGroupSignal } from '../../helpers/alert-fixtures.ts';
import { startFakeSlackApi, type RecordedCall } from '../../helpers/slack/fake-slack-api.ts';
import { startSlackAppHarness } from '../../helpers/slack/slack-app-harness.ts';
import { tempStore } from '../../helpers/temp-store.ts';

const HOUR = 3_600_000;
const ONCALL = 'U0ONCALL1';
const CHANNEL = 'C0ALERTS';

function evaluation(signals: Signal[]): Evaluation {
  return { source: 'daily', signals, coverage: { subjects: ['crossGroupViolations'], groupIds: 'all', severities: ['critical', 'warning'] } };
}

type Element = { action_id: string; value?: string; options?: { value: string; text: { text: string } }[] };

/** A `block_actions` payload of one action on an alert message in `CHANNEL`, as Slack sends it. */
function alertClick(action: Record<string, unknown>, responseUrl: string, user = ONCALL, messageText = 'alert'): unknown {
  return {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'deprecated',
    team: { id: 'T0TEST', domain: 'test' },
    channel: { id: CHANNEL, name: 'alerts' },
    container: { type: 'message', message_ts: '1700000000.000001', channel_id: CHANNEL, is_ephemeral: false },
    trigger_id: '123.456.abc',
    response_url: responseUrl,
    message: { type: 'message', ts: '1700000000.000001', text: messageText },
    actions: [{ block_id: 'alert_actions', action_ts: '1700000001.000001', ...action }],
  };
}

/** A running app over a store in which one critical alert has been posted to the fake Slack. */
async function setup() {
  const { store } = tempStore();
  const backend = sqliteBackend(store, { useWorker: false });
  const slack = await startFakeSlackApi();
  let now = Date.parse('2026-11-27T10:00:00Z');
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  const harness = await startSlackAppHarness({ backend, slack, now: clock.now });
  const { stores } = backend.monitorPorts;
  const deps: PipelineDeps = {
    alerts: stores.alerts,
    outbox: stores.outbox,
    notifier: new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.url, timeoutMs: 5_000 }),
    events: createEventLog(store, { groupSlug: 'ontology-ops' }),
    config: harness.config.alerts,
    now: clock.now,
    sleep: async (ms) => clock.advance(ms),
    log: () => {},
  };
  const firing = [crossGroupSignal(), crossGroupSignal({ groupId: 'grp_a', value: 2 })];
  await runAlertPipeline(deps, evaluation(firing));
  const post = slack.callsOf('chat.postMessage')[0]!;
  const actions = (post.params.blocks as { type: string; elements?: Element[] }[]).find((block) => block.type === 'actions')!;
  const element = (id: string) => actions.elements!.find((candidate) => candidate.action_id === id)!;
  const message = (await stores.alerts.openNotification(`crossGroupViolations|critical|${CHANNEL}`))!.message!;

  /** A `block_actions` click on the posted message, as Slack sends it. */
  const click = async (action: Record<string, unknown>, user = ONCALL) => {
    const responseUrl = slack.responseUrl();
    const response = await harness.interaction(alertClick(action, responseUrl, user, String(post.params.text)));
    return { response, responseUrl };
  };
  const button = (id: string, user?: string) => click({ type: 'button', action_id: id, value: element(id).value, text: { type: 'plain_text', text: id } }, user);
  const choose = (label: string, user?: string) => {
    const option = element('alert_silence').options!.find((candidate) => candidate.text.text === label)!;
    return click({ type: 'static_select', action_id: 'alert_silence', selected_option: option }, user);
  };
  const answer = async (responseUrl: string, index = 0) => String((await harness.responseTo(responseUrl, index)).body.text);
  /** A click on a button of the latest edit of the message (Unacknowledge, Unsilence appear only there). */
  const editedButton = (id: string, user?: string) => {
    const blocks = slack.callsOf('chat.update').at(-1)!.params.blocks as { type: string; elements?: Element[] }[];
    const edited = blocks.find((block) => block.type === 'actions')!.elements!.find((candidate) => candidate.action_id === id)!;
    return click({ type: 'button', action_id: id, value: edited.value, text: { type: 'plain_text', text: id } }, user);
  };
  /** A click on `id` carrying the value the posted message's buttons carry, as a stale or crafted client could send. */
  const buttonWithPostedValue = (id: string) => click({ type: 'button', action_id: id, value: element('alert_acknowledge').value });
  const updates = () => slack.callsOf('chat.update');
  const lastUpdate = () => JSON.stringify(updates().at(-1)?.params.blocks);
  return { backend, slack, harness, clock, deps, firing, message, button, editedButton, buttonWithPostedValue, choose, answer, updates, lastUpdate };
}

/** Submits the Silence reason modal `view` opened, as Slack sends it. */
async function submit(harness: Awaited<ReturnType<typeof setup>>['harness'], view: RecordedCall, reason: string) {
  const opened = view.params.view as { callback_id: string; private_metadata: string };
  return harness.interaction({
    type: 'view_submission',
    user: { id: ONCALL, username: 'oncall', team_id: 'T0TEST' },
    api_app_id: 'A0TEST',
    token: 'deprecated',
    team: { id: 'T0TEST', domain: 'test' },
    trigger_id: '123.456.def',
    view: {
      id: 'V1',
      type: 'modal',
      callback_id: opened.callback_id,
      private_metadata: opened.private_metadata,
      state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } },
      hash: 'h',
    },
  });
}

describe('Acknowledge button', () => {
  it('acknowledges, edits the message to say who and when, and sends no reminders after', async () => {
    const { slack, clock, deps, firing, message, button, answer, updates, lastUpdate } = await setup();
    clock.advance(5 * 60_000);
    const { response, responseUrl } = await button('alert_acknowledge');
    expect(response.status).toBe(200);
    expect(await answer(responseUrl)).toContain('You acknowledged 2 firing scope(s)');
    expect(updates()).toHaveLength(1);
    // The edit targets the message the pipeline posted.
    expect(updates()[0]!.params).toMatchObject({ channel: CHANNEL, ts: message.ts });
    expect(lastUpdate()).toContain(`Acknowledged by <@${ONCALL}> at <!date^1795773900^{date_short_pretty} {time}|2026-11-27 10:05 UTC>`);
    expect(lastUpdate()).toContain('Acknowledged (critical): Cross-group violations');
    const posts = slack.callsOf('chat.postMessage').length;
    for (let hour = 0; hour < 9; hour++) {
      clock.advance(HOUR);
      await runAlertPipeline(deps, evaluation(firing));
    }
    // No reminder in the thread while acknowledged.
    expect(slack.callsOf('chat.postMessage')).toHaveLength(posts);
  });

  it('is idempotent: a second click changes nothing and names who acknowledged first', async () => {
    const { button, answer, updates } = await setup();
    const first = await button('alert_acknowledge');
    await answer(first.responseUrl);
    const second = await button('alert_acknowledge', 'U0SOMEONE');
    expect(await answer(second.responseUrl)).toBe(`Already acknowledged by <@${ONCALL}> at <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC>: nothing changed.`);
    expect(updates()).toHaveLength(1);
  });

  it('answers a click on a resolved alert with one line and changes nothing', async () => {
    const { clock, deps, button, answer, updates, backend } = await setup();
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([]));
    const edits = updates().length;
    const { responseUrl } = await button('alert_acknowledge');
    const text = await answer(responseUrl);
    expect(text).toMatch(/^:warning: This alert is no longer firing .*nothing was changed/);
    expect(text).not.toContain('    at ');
    expect(updates()).toHaveLength(edits);
    const [latest] = await backend.monitorPorts.stores.alerts.listAlerts({ limit: 1 });
    expect(latest!.acknowledgedBy).toBeNull();
  });
});

describe('Unacknowledge button', () => {
  it('takes the acknowledgement back: the message shows CRITICAL and Acknowledge again, and reminders resume', async () => {
    const { slack, clock, deps, firing, button, editedButton, answer, lastUpdate, backend } = await setup();
    await answer((await button('alert_acknowledge')).responseUrl);
    expect(lastUpdate()).toContain('"action_id":"alert_unacknowledge"');
    clock.advance(HOUR);
    // The button is taken from the edit the acknowledgement made, as a person would click it.
    const { responseUrl } = await editedButton('alert_unacknowledge', 'U0LEAD');
    expect(await answer(responseUrl)).toBe(`:bell: You took back the acknowledgement of <@${ONCALL}> on 2 firing scope(s): reminders resume.`);
    expect(lastUpdate()).toContain(':red_circle: CRITICAL: Cross-group violations');
    expect(lastUpdate()).not.toContain('Acknowledged by');
    expect(lastUpdate()).toContain('"action_id":"alert_acknowledge"');
    for (const alert of await backend.monitorPorts.stores.alerts.firingAlerts()) expect(alert).toMatchObject({ acknowledgedBy: null, acknowledgedAt: null });
    // Reminders resume a repeat interval (4 h) after the click, in the thread.
    const replies = () => slack.callsOf('chat.postMessage').filter((call) => call.params.thread_ts !== undefined);
    for (let hour = 0; hour < 3; hour++) {
      clock.advance(HOUR);
      await runAlertPipeline(deps, evaluation(firing));
    }
    expect(replies()).toHaveLength(0);
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation(firing));
    expect(replies()).toHaveLength(1);
    expect(String(replies()[0]!.params.text)).toContain('Still firing');
  });

  it('answers a message nobody acknowledged with one line and changes nothing', async () => {
    const { buttonWithPostedValue, answer, updates } = await setup();
    const { responseUrl } = await buttonWithPostedValue('alert_unacknowledge');
    expect(await answer(responseUrl)).toBe('Nobody has acknowledged this alert: nothing changed.');
    expect(updates()).toHaveLength(0);
  });
});

describe('groups in alert messages', () => {
  it('are named slug first, id after, in the posted message and in the edit a click makes', async () => {
    const { store } = tempStore();
    const backend = sqliteBackend(store, { useWorker: false });
    const group = await store.insert('groups', { slug: 'acme-eu', name: 'Acme EU', type: 'organization', status: 'active', createdAt: 1, updatedAt: 1 });
    const slack = await startFakeSlackApi();
    const now = Date.parse('2026-11-27T10:00:00Z');
    const harness = await startSlackAppHarness({ backend, slack, now: () => now });
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
        groupSlugs: groupSlugLookup(store),
      },
      evaluation([crossGroupSignal({ groupId: String(group._id), value: 2 })]),
    );
    const post = slack.callsOf('chat.postMessage')[0]!;
    // Slug and name, id after.
    const label = `\`acme-eu\` ${String(group.name)} (\`${String(group._id)}\`)`;
    expect(JSON.stringify(post.params.blocks)).toContain(JSON.stringify(`${label}: 2`).slice(1, -1));
    const acknowledge = (post.params.blocks as { type: string; elements?: Element[] }[])
      .find((block) => block.type === 'actions')!
      .elements!.find((element) => element.action_id === 'alert_acknowledge')!;
    const responseUrl = slack.responseUrl();
    await harness.interaction(alertClick({ type: 'button', action_id: 'alert_acknowledge', value: acknowledge.value }, responseUrl));
    await harness.responseTo(responseUrl);
    const edit = JSON.stringify(slack.callsOf('chat.update').at(-1)!.params.blocks);
    expect(edit).toContain(JSON.stringify(`${label}: 2`).slice(1, -1));
    expect(edit).toContain(`Acknowledged by <@${ONCALL}>`);
  });
});

describe('Silence menu and its reason modal', () => {

  it('opens the reason modal, silences every scope for the chosen time, and edits the message to say who and until when', async () => {
    const { slack, harness, choose, clock, deps, firing, lastUpdate, backend } = await setup();
    await choose('4 hours');
    const [opened] = await slack.waitFor(() => (slack.callsOf('views.open').length > 0 ? slack.callsOf('views.open') : undefined));
    expect(opened!.params.trigger_id).toBe('123.456.abc');
    expect(JSON.stringify(opened!.params.view)).toContain('for *4 hours*');

    const empty = await submit(harness, opened!, '  ');
    expect(JSON.parse(empty.body)).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringContaining('Say why') } });
    const long = await submit(harness, opened!, 'r'.repeat(201));
    expect(JSON.parse(long.body)).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringContaining('The reason is 201 characters: keep it to 200') } });
    expect(await backend.monitorPorts.stores.alerts.activeSilences(clock.now())).toEqual([]);

    const submitted = await submit(harness, opened!, 'backfill of grp_a');
    expect(submitted.status).toBe(200);
    const ephemeral = await slack.waitFor(() => slack.callsOf('chat.postEphemeral')[0]);
    expect(ephemeral.params).toMatchObject({ channel: CHANNEL, user: ONCALL });
    expect(String(ephemeral.params.text)).toMatch(/^:no_bell: Silenced until <!date\^1795788000\^\{date_short_pretty\} \{time\}\|2026-11-27 14:00 UTC> \(silence `#\d+`/);
    expect(lastUpdate()).toContain(`\`grp_a\` by <@${ONCALL}> until <!date^1795788000^{date_short_pretty} {time}|2026-11-27 14:00 UTC>: backfill of grp_a`);
    expect(lastUpdate()).toContain('all silenced');

    // Nothing is posted while silenced, reminders included.
    const posts = slack.callsOf('chat.postMessage').length;
    for (let hour = 0; hour < 3; hour++) {
      clock.advance(HOUR);
      await runAlertPipeline(deps, evaluation(firing));
    }
    expect(slack.callsOf('chat.postMessage')).toHaveLength(posts);
  });

  it('answers a second Silence with who silenced it and until when, opening no modal', async () => {
    const { slack, harness, choose, answer } = await setup();
    await choose('Until resolved');
    const [opened] = await slack.waitFor(() => (slack.callsOf('views.open').length > 0 ? slack.callsOf('views.open') : undefined));
    await submit(harness, opened!, 'known issue');
    await slack.waitFor(() => slack.callsOf('chat.postEphemeral')[0]);
    const again = await choose('1 hour', 'U0SOMEONE');
    expect(await answer(again.responseUrl)).toBe(`Already silenced by <@${ONCALL}> until resolved: nothing changed.`);
    expect(slack.callsOf('views.open')).toHaveLength(1);
  });

  it('ends a silence "until resolved" when the alert resolves, so the next fire posts a new message', async () => {
    const { slack, harness, choose, clock, deps, backend } = await setup();
    await choose('Until resolved');
    const [opened] = await slack.waitFor(() => (slack.callsOf('views.open').length > 0 ? slack.callsOf('views.open') : undefined));
    await submit(harness, opened!, 'known issue');
    await slack.waitFor(() => slack.callsOf('chat.postEphemeral')[0]);
    expect(await backend.monitorPorts.stores.alerts.activeSilences(clock.now())).toHaveLength(1);
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([]));
    expect(await backend.monitorPorts.stores.alerts.activeSilences(clock.now())).toEqual([]);
    const posts = slack.callsOf('chat.postMessage').filter((call) => call.params.thread_ts === undefined).length;
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([crossGroupSignal()]));
    expect(slack.callsOf('chat.postMessage').filter((call) => call.params.thread_ts === undefined)).toHaveLength(posts + 1);
  });
});

describe('Unsilence button', () => {
  it('ends the silence: the message shows the alert firing with the Silence menu again, and reminders resume', async () => {
    const { slack, harness, choose, clock, deps, firing, editedButton, answer, lastUpdate, backend } = await setup();
    await choose('Until resolved');
    const [opened] = await slack.waitFor(() => (slack.callsOf('views.open').length > 0 ? slack.callsOf('views.open') : undefined));
    await submit(harness, opened!, 'known issue');
    await slack.waitFor(() => slack.callsOf('chat.postEphemeral')[0]);
    expect(lastUpdate()).toContain('"action_id":"alert_unsilence"');
    expect(lastUpdate()).not.toContain('"action_id":"alert_silence"');
    const [silence] = await backend.monitorPorts.stores.alerts.activeSilences(clock.now());

    clock.advance(HOUR);
    const { responseUrl } = await editedButton('alert_unsilence');
    expect(await answer(responseUrl)).toBe(`:bell: You ended silence \`#${silence!.id}\`: the alert shows as firing again and reminds as usual.`);
    expect(await backend.monitorPorts.stores.alerts.activeSilences(clock.now())).toEqual([]);
    expect(lastUpdate()).toContain('*Firing (platform-wide + group `grp_a`)*');
    expect(lastUpdate()).toContain('"action_id":"alert_silence"');
    expect(lastUpdate()).not.toContain('"action_id":"alert_unsilence"');
    const replies = () => slack.callsOf('chat.postMessage').filter((call) => call.params.thread_ts !== undefined);
    clock.advance(4 * HOUR);
    await runAlertPipeline(deps, evaluation(firing));
    expect(replies()).toHaveLength(1);
  });

  it('answers a message that is not silenced with one line and changes nothing', async () => {
    const { buttonWithPostedValue, answer, updates } = await setup();
    const { responseUrl } = await buttonWithPostedValue('alert_unsilence');
    expect(await answer(responseUrl)).toBe('This alert is not silenced: nothing changed.');
    expect(updates()).toHaveLength(0);
  });
});

describe('Run check now button', () => {
  it('runs the daily check, which resolves the alert on a clean store, answers twice and refreshes open Home tabs', async () => {
    const { slack, harness, button, answer, lastUpdate, backend } = await setup();
    await harness.event({
      token: 'deprecated',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      type: 'event_callback',
      event_id: 'Ev0HOME',
      event_time: 1,
      event: { type: 'app_home_opened', user: ONCALL, channel: 'D0ONCALL', tab: 'home', event_ts: '1.1' },
    });
    await slack.waitFor(() => slack.callsOf('views.publish')[0]);
    const { responseUrl } = await button('alert_run_check');
    expect(await answer(responseUrl)).toContain('Running the `daily` check now');
    expect(await answer(responseUrl, 1)).toContain('The `daily` check finished');
    expect(lastUpdate()).toContain('Resolved: Cross-group violations');
    const [run] = await backend.monitorPorts.stores.jobRuns.recentJobRuns({ limit: 1, job: 'daily' });
    expect(run).toMatchObject({ trigger: 'manual', outcome: 'succeeded' });
    // The Home tab of the user who opened it is published again after the run.
    await slack.waitFor(() => (slack.callsOf('views.publish').length >= 2 ? true : undefined));
    expect(slack.callsOf('views.publish')[1]!.params.user_id).toBe(ONCALL);
  });

  it('refuses a button value the app did not write, in one line', async () => {
    const { harness, slack } = await setup();
    const responseUrl = slack.responseUrl();
    await harness.interaction(alertClick({ type: 'button', action_id: 'alert_run_check', value: 'crossGroupViolations' }, responseUrl));
    expect(String((await harness.responseTo(responseUrl)).body.text)).toBe(
      ':warning: This button does not name an alert: use the buttons of an alert message.',
    );
    expect(slack.callsOf('chat.update')).toEqual([]);
  });
});
