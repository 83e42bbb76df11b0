/**
 * `app_uninstalled` and `tokens_revoked` through the real Bolt app (events signed as Slack signs them): logged, and
 * the outbox holds its messages instead of calling Slack with a dead token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEventLog } from '../../../src/alerts/event-log.ts';
import { runAlertPipeline } from '../../../src/alerts/pipeline.ts';
import { sqliteBackend } from '../../../src/backend.ts';
import { clearTokenRevocation } from '../../../src/slack/access.ts';
import { SlackNotifier } from '../../../src/slack/notifier.ts';
import { crossGroupSignal } from '../../helpers/alert-fixtures.ts';
import { startFakeSlackApi } from '../../helpers/slack/fake-slack-api.ts';
import { startSlackAppHarness } from '../../helpers/slack/slack-app-harness.ts';
import { tempStore } from '../../helpers/temp-store.ts';

const TOKEN = 'xoxb-test-token';

afterEach(() => clearTokenRevocation(TOKEN));

/** An Events API envelope of `event`, as Slack sends it. */
function envelope(event: Record<string, unknown>, id: string): unknown {
  return { token: 'deprecated', team_id: 'T0TEST', api_app_id: 'A0TEST', type: 'event_callback', event_id: id, event_time: 1, event };
}

async function setup() {
  const { store } = tempStore();
  const backend = sqliteBackend(store, { useWorker: false });
  const slack = await startFakeSlackApi();
  const harness = await startSlackAppHarness({ backend, slack });
  const { stores } = backend.monitorPorts;
  /** A daily run with one critical alert, delivered through a Slack notifier holding the app's bot token. */
  const alert = () =>
    runAlertPipeline(
      {
        alerts: stores.alerts,
        outbox: stores.outbox,
        notifier: new SlackNotifier({ token: TOKEN, apiUrl: slack.url, timeoutMs: 5_000 }),
        events: createEventLog(store, { groupSlug: 'ontology-ops' }),
        config: harness.config.alerts,
        now: Date.now,
        sleep: async () => {},
        log: () => {},
      },
      { source: 'daily', signals: [crossGroupSignal()], coverage: { subjects: ['crossGroupViolations'], groupIds: 'all', severities: ['critical'] } },
    );
  return { slack, harness, stores, alert };
}

describe('a dead bot token', () => {
  it.each([
    ['app_uninstalled', { type: 'app_uninstalled' }, 'the app was uninstalled'],
    ['tokens_revoked (the bot token among them)', { type: 'tokens_revoked', tokens: { bot: ['UBOT'] } }, 'the bot token was revoked'],
  ])('%s: logged, and alerts wait in the outbox without a call to Slack', async (_name, event, logged) => {
    const { slack, harness, stores, alert } = await setup();
    const answer = await harness.event(envelope(event, `Ev${_name.length}`));
    expect(answer.status).toBe(200);
    await slack.waitFor(() => harness.logs.some((line) => line.includes(logged)));
    expect(harness.logs.find((line) => line.includes(logged))).toContain('reinstall the app, set SLACK_BOT_TOKEN');

    const report = await alert();
    expect(report.delivery).toMatchObject({ sent: 0, held: 1 });
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
    const [row] = await stores.outbox.listOutbox({ limit: 10 });
    expect(row).toMatchObject({ status: 'pending', kind: 'post' });
    expect(row!.lastError).toMatch(/^held: chat.postMessage: not sent, Slack revoked the bot token \((?:app_uninstalled|tokens_revoked)\); to fix: set SLACK_BOT_TOKEN/);
  });

  it('ignores tokens_revoked for user tokens only: alerts go out', async () => {
    const { slack, harness, alert } = await setup();
    expect((await harness.event(envelope({ type: 'tokens_revoked', tokens: { oauth: ['U0SOMEONE'] } }, 'Ev0OAUTH'))).status).toBe(200);
    const report = await alert();
    expect(report.delivery).toMatchObject({ sent: 1, held: 0 });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });
});
