/**
 * Data cannot ping a channel or plant a link: a store whose group slug and name, entity name, type and properties,
 * event type and connection type hold `<!channel>`, `<!here>`, `<!subteam^…>`, `<@U…>` and a fake link, plus a
 * silence reason, a `--by` name and typed arguments holding the same, go through the real app (signed slash
 * commands, the daily monitor job, the alert buttons' services, the Home tab) against the fake Web API; no text
 * Slack reads as markup in any payload the bot sends holds them unescaped.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acknowledgeNotification, silenceFiringAlert } from '../../src/alerts/alert-actions.ts';
import { groupSlugLookup } from '../../src/alerts/group-slugs.ts';
import { deliverOutbox } from '../../src/alerts/outbox.ts';
import { sqliteBackend } from '../../src/backend.ts';
import { parseNotificationRef } from '../../src/slack/blocks/alert.ts';
import { escapeText } from '../../src/slack/blocks/text.ts';
import { SlackNotifier } from '../../src/slack/notifier.ts';
import { importSnapshot } from '../../src/snapshot/import.ts';
import { MonitorRunner } from '../../monitors/runner.ts';
import { startSlackAppHarness, type SlackAppHarness } from '../helpers/slack/slack-app-harness.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { copyFixture, FIXTURES } from '../snapshot/helpers.ts';

/** What a hostile value carries: a broadcast, a user group and a user mention, and a link posing as a button. */
const PLANTED = ['<!channel>', '<!here>', '<!subteam^S123>', '<@U123>', '<https://evil|Click to approve>'];
const hostile = (field: string) => `${field} ${PLANTED.join(' ')}`;

const NOW = Date.parse('2026-11-27T12:00:00Z');
const ADA = 'j975m000000000000000000000006f8n';
const WIDGET = 'j975m000000000000000000000008fgp';

/** The fixture snapshot with hostile values in every field data controls, imported into a real SQLite store. */
async function hostileBackend() {
  const folder = copyFixture(FIXTURES.uniformCurrent);
  const replace = (table: string, pairs: [string, string][]) => {
    const path = join(folder, table, 'documents.jsonl');
    let text = readFileSync(path, 'utf8');
    for (const [from, field] of pairs) {
      expect(text).toContain(from);
      text = text.replace(from, `${from.slice(0, from.indexOf(':') + 1)}${JSON.stringify(hostile(field))}`);
    }
    writeFileSync(path, text);
  };
  replace('groups', [['"slug":"acme"', 'group-slug'], ['"name":"Acme"', 'group-name']]);
  replace('entities', [['"type":"creator"', 'entity-type'], ['"name":"Ada"', 'entity-name'], ['"role":"author"', 'entity-property']]);
  replace('events', [['"type":"payment_event"', 'event-type']]);
  replace('connections', [['"relationshipType":"owns"', 'connection-type'], ['"relationshipType":"authored"', 'connection-type']]);
  const { store } = tempStore();
  await importSnapshot(store, folder);
  return { backend: sqliteBackend(store, { useWorker: false }), store };
}

/** Every text Slack reads as markup in a payload: top-level and mrkdwn `text`s, modal errors (not `plain_text`, values, metadata). */
function markupTexts(payload: unknown, where = 'payload'): { where: string; text: string }[] {
  if (Array.isArray(payload)) return payload.flatMap((item, index) => markupTexts(item, `${where}[${index}]`));
  if (!payload || typeof payload !== 'object') return [];
  const object = payload as Record<string, unknown>;
  if (object.type === 'plain_text') return [];
  return Object.entries(object).flatMap(([key, value]) => {
    if (typeof value === 'string') return key === 'text' ? [{ where: `${where}.${key}`, text: value }] : [];
    if (key === 'errors' && value && typeof value === 'object') return Object.values(value).map((text) => ({ where: `${where}.errors`, text: String(text) }));
    return markupTexts(value, `${where}.${key}`);
  });
}

/** Everything the bot sent: Web API calls, `response_url` posts and acks with a body. */
function sentPayloads(harness: SlackAppHarness, acks: unknown[]): { where: string; payload: unknown }[] {
  const methods = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'views.publish', 'views.open', 'views.update']);
  return [
    ...harness.slack.calls.filter((call) => methods.has(call.method)).map((call, index) => ({ where: `${call.method}#${index}`, payload: call.params })),
    ...harness.slack.responses.map((response, index) => ({ where: `response_url#${index}`, payload: response.body })),
    ...acks.map((ack, index) => ({ where: `ack#${index}`, payload: ack })),
  ];
}

describe('escaping of data and user text in everything the bot sends', () => {
  it('no planted mention or link reaches Slack unescaped, from any field, through commands, alerts, silences, acknowledgements and the Home tab', async () => {
    const { backend, store } = await hostileBackend();
    const harness = await startSlackAppHarness({ backend, now: () => NOW, env: { ALERT_CHANNEL_WARNING: 'C0ALERTS' } });
    const { slack, config } = harness;
    const acks: unknown[] = [];
    /** Runs `/ontology <text>` and waits for its answer (in the ack, or through the response_url). */
    const ask = async (text: string) => {
      const ack = await harness.command(text);
      if (ack.body.startsWith('{')) acks.push(JSON.parse(ack.body));
      // A slow command's ack is its working note; the answer follows through the response_url.
      if (!ack.body.startsWith('{') || ack.body.includes('Working on it')) await harness.responseTo(ack.responseUrl);
    };

    // Step 1: the read commands, with the hostile slug typed as the group and hostile text as arguments.
    const slug = `"${hostile('group-slug')}"`;
    for (const command of [
      'integrity',
      `integrity ${slug}`,
      `metrics ${slug}`,
      `versions ${slug}`,
      `trend 7 ${slug}`,
      `audit ${ADA}`,
      `audit ${WIDGET}`,
      `integrity "${hostile('typed-group')}"`,
      `audit "${hostile('typed-entity')}"`,
      `rollback "${hostile('typed-target')}" --dry-run`,
    ]) {
      await ask(command);
    }

    // Step 2: the daily monitor job posts the alerts of this store, groups named by their (hostile) slug.
    const notifier = new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.url, timeoutMs: 5_000 });
    const context = backend.monitorContext({ config, notifier, now: () => NOW, log: () => {} });
    expect((await new MonitorRunner(context, 'matrix').runJob('daily', 'manual')).outcome).toBe('succeeded');
    const { alerts, outbox } = backend.monitorPorts.stores;
    const firing = (await alerts.listAlerts({ limit: 100 })).filter((alert) => alert.status === 'firing');
    const acmeAlerts = firing.filter((alert) => alert.groupId === 'j575m000000000000000000000002eg1');
    expect(acmeAlerts.length).toBeGreaterThan(1);

    // Step 3: a silence from the command (hostile reason), and one and an acknowledgement as the CLI sets them (hostile --by).
    await ask(`silence ${acmeAlerts[0]!.id} 1h ${hostile('silence-reason')}`);
    const groupSlugs = groupSlugLookup(backend.documents);
    await silenceFiringAlert(alerts, { alert: acmeAlerts[1]!.id, duration: '4h', reason: hostile('cli-reason'), by: hostile('by'), now: NOW, config: config.alerts, groupSlugs });
    const alertMessage = slack.callsOf('chat.postMessage').find((call) => JSON.stringify(call.params.blocks).includes('alert_acknowledge'))!;
    const acknowledge = (alertMessage.params.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[])
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id === 'alert_acknowledge')!;
    await acknowledgeNotification(alerts, { ref: parseNotificationRef(acknowledge.value!), by: hostile('by'), now: NOW, config: config.alerts, groupSlugs });
    await deliverOutbox({ outbox, notifier, now: () => NOW, sleep: async () => {}, log: () => {}, maxInlineWaitMs: 0 });

    // Step 4: status and the Home tab show alerts, silences and their reasons.
    await ask('status');
    await harness.event({
      token: 'deprecated',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      type: 'event_callback',
      event_id: 'Ev0MATRIX',
      event_time: 1,
      event: { type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home', event_ts: '1.1' },
    });
    await slack.waitFor(() => slack.callsOf('views.publish')[0]);

    const texts = sentPayloads(harness, acks).flatMap(({ where, payload }) => markupTexts(payload, where));
    const unescaped = texts.flatMap(({ where, text }) => PLANTED.filter((planted) => text.includes(planted)).map((planted) => `${where}: ${planted} in "${text.slice(0, 200)}"`));
    expect(unescaped).toEqual([]);

    // The fields did reach Slack (escaped), so the check above looked at them.
    const all = texts.map(({ text }) => text).join('\n');
    // A group's name reaches Slack only in alerts and the weekly summary, which name groups by slug and name.
    for (const field of ['group-slug', 'group-name', 'entity-type', 'event-type', 'connection-type', 'silence-reason', 'cli-reason', 'by', 'typed-group', 'typed-entity', 'typed-target']) {
      expect(all, field).toContain(escapeText(`${field} ${PLANTED[0]} ${PLANTED[1]}`));
    }
    // Entity names and property values never reach Slack at all.
    for (const field of ['entity-name', 'entity-property']) expect(all, field).not.toContain(field);
    store.close();
  });
});
