/**
 * A Slack user has `/ontology` and buttons, not the CLI: every answer, alert, status message, error and Home tab
 * the real app sends over the suite's fixture store names `/ontology …` commands or buttons, never `ontology-ops …`;
 * the CLI's own remediation table and its guide keep their CLI commands.
 */
import { describe, expect, it } from 'vitest';
import { remediationFor } from '../../src/alerts/remediation.ts';
import { sqliteBackend } from '../../src/backend.ts';
import { REMEDIATION, METRIC_REMEDIATION } from '../../src/quality/remediation.ts';
import { THRESHOLD_METRICS } from '../../src/quality/thresholds.ts';
import { slackStep } from '../../src/slack/blocks/slack-steps.ts';
import { shownError } from '../../src/slack/handler-error.ts';
import { NotFoundError } from '../../src/errors.ts';
import { SlackNotifier } from '../../src/slack/notifier.ts';
import { importSnapshot } from '../../src/snapshot/import.ts';
import { MonitorRunner } from '../../monitors/runner.ts';
import { startSlackAppHarness } from '../helpers/slack/slack-app-harness.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { copyFixture, FIXTURES } from '../snapshot/helpers.ts';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const ADA = 'j975m000000000000000000000006f8n';
const CLI = 'ontology-ops ';

/** Every string in a payload (texts, button values, modal fields): none may name a CLI command. */
function strings(payload: unknown): string[] {
  if (typeof payload === 'string') return [payload];
  if (Array.isArray(payload)) return payload.flatMap(strings);
  if (payload && typeof payload === 'object') return Object.values(payload).flatMap(strings);
  return [];
}

describe('Slack names Slack commands, not CLI commands', () => {
  it('every remediation step an alert shows, and every store error Slack shows, is in /ontology terms', () => {
    const subjects = [...THRESHOLD_METRICS, 'invalidMetadataCount', 'trend.referentialIntegrityScore', 'monitor.daily'];
    const steps = subjects.flatMap((subject) => remediationFor(subject));
    expect(steps.some((step) => step.includes(CLI))).toBe(true);
    expect(steps.map(slackStep).filter((step) => step.includes(CLI))).toEqual([]);
    expect(slackStep('Re-run `ontology-ops check` and confirm the orphaned count is 0.')).toBe('Re-run `/ontology integrity` and confirm the orphaned count is 0.');
    expect(shownError(new NotFoundError('No alert "a1": list them with `ontology-ops monitor status`.'))).toBe('No alert "a1": list them with `/ontology status`.');
    // The CLI's table (and the guide that quotes it) is unchanged.
    expect(REMEDIATION.orphaned.steps[0]).toContain('`ontology-ops check --json`');
    expect(METRIC_REMEDIATION.schemaComplianceScore!.steps[0]).toContain('`ontology-ops versions`');
  });

  it('no answer, alert, status, error or Home tab the app sends names `ontology-ops …`', async () => {
    const { store } = tempStore();
    await importSnapshot(store, copyFixture(FIXTURES.uniformCurrent));
    const backend = sqliteBackend(store, { useWorker: false });
    const harness = await startSlackAppHarness({ backend, now: () => NOW, env: { ALERT_CHANNEL_WARNING: 'C0ALERTS', ALERT_CHANNEL_CRITICAL: 'C0ALERTS' } });
    const { slack, config } = harness;
    const acks: unknown[] = [];
    const ask = async (text: string) => {
      const ack = await harness.command(text);
      if (ack.body.startsWith('{')) acks.push(JSON.parse(ack.body));
      // A slow command's ack is its working note; the answer follows through the response_url.
      if (!ack.body.startsWith('{') || ack.body.includes('Working on it')) await harness.responseTo(ack.responseUrl);
    };

    // Trend first, while there is no snapshot (its empty answer used to point to the CLI).
    for (const command of ['help', 'trend 7', 'integrity', 'integrity --limit 3', 'metrics', 'versions', `audit ${ADA}`, 'migrate --dry-run', 'silence no-such-alert 1h maintenance']) {
      await ask(command);
    }
    const notifier = new SlackNotifier({ token: 'xoxb-test-token', apiUrl: slack.url, timeoutMs: 5_000 });
    const context = backend.monitorContext({ config, notifier, now: () => NOW, log: () => {} });
    expect((await new MonitorRunner(context, 'cli-free').runJob('daily', 'manual')).outcome).toBe('succeeded');
    await ask('status');
    await harness.event({
      token: 'deprecated',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      type: 'event_callback',
      event_id: 'Ev0CLIFREE',
      event_time: 1,
      event: { type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home', event_ts: '1.1' },
    });
    await slack.waitFor(() => slack.callsOf('views.publish')[0]);

    const methods = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'views.publish', 'views.open', 'views.update']);
    const sent = [
      ...slack.calls.filter((call) => methods.has(call.method)).map((call) => ({ where: call.method, payload: call.params })),
      ...slack.responses.map((response) => ({ where: 'response_url', payload: response.body })),
      ...acks.map((ack) => ({ where: 'ack', payload: ack })),
    ];
    const all = sent.map(({ payload }) => strings(payload).join('\n')).join('\n');
    // What was looked at: the answers, an alert with its next steps, the status and the Home tab.
    expect(all).toContain('What to do next');
    expect(all).toContain('/ontology');
    expect(all).toMatch(/`\/ontology integrity --limit \d+` lists more/);
    expect(slack.callsOf('views.publish').length).toBeGreaterThan(0);
    const offenders = sent.flatMap(({ where, payload }) => strings(payload).filter((text) => text.includes(CLI)).map((text) => `${where}: ${text.slice(0, 200)}`));
    expect(offenders).toEqual([]);
    store.close();
  });
});
