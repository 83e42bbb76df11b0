// @vitest-environment edge-runtime
/**
 * The alert pipeline on Convex monitor state: the same evaluations give the same Slack traffic and the same
 * decisions as on SQLite (post, edit in place, group join, resolve), with the message of each notification kept
 * in the deployment between runs.
 */
import { describe, expect, it } from 'vitest';
import { silenceNotification } from '../../../src/alerts/alert-actions.ts';
import { createEventLog } from '../../../src/alerts/event-log.ts';
import { runAlertPipeline, type PipelineDeps } from '../../../src/alerts/pipeline.ts';
import type { Evaluation, Signal } from '../../../src/alerts/types.ts';
import type { DocumentStore } from '../../../src/store/port.ts';
import type { MonitorStores } from '../../../monitors/ports.ts';
import { convexMonitorStateStores } from '../../../src/store/convex/monitor-stores.ts';
import { sqliteMonitorStores } from '../../../src/store/sqlite/monitor-stores.ts';
import { crossGroupSignal, testAlertsConfig } from '../../helpers/alert-fixtures.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { RecordingNotifier } from '../../helpers/recording-notifier.ts';
import { tempStore } from '../../helpers/temp-store.ts';
import { convexParts } from '../../convex/parts.ts';

const HOUR = 3_600_000;

function evaluation(signals: Signal[]): Evaluation {
  return { source: 'test', signals, coverage: { subjects: ['crossGroupViolations'], groupIds: 'all', severities: ['critical', 'warning', 'info'] } };
}

/** Runs the same four evaluations an hour apart; returns what was sent, decided and stored. */
async function scenario(documents: DocumentStore, stores: Pick<MonitorStores, 'alerts' | 'outbox'>) {
  const clock = new FakeClock('2026-11-27T10:00:00Z');
  const notifier = new RecordingNotifier();
  const deps: PipelineDeps = {
    alerts: stores.alerts,
    outbox: stores.outbox,
    notifier,
    events: createEventLog(documents, { groupSlug: 'ontology-ops' }),
    config: testAlertsConfig(),
    now: clock.now,
    sleep: clock.sleep,
    log: () => undefined,
  };
  const runs = [
    [crossGroupSignal({ value: 3 })],
    [crossGroupSignal({ value: 5 }), crossGroupSignal({ groupId: 'g1', value: 2 })],
    [crossGroupSignal({ groupId: 'g1', value: 2 })],
    [],
  ];
  const decisions = [];
  for (const signals of runs) {
    const report = await runAlertPipeline(deps, evaluation(signals));
    decisions.push(report.decisions.map((decision) => [decision.key, decision.action, decision.reason]));
    clock.advance(HOUR);
  }
  const alerts = await stores.alerts.listAlerts({ limit: 10 });
  return {
    // Blocks compared as values: Convex hands objects back with their fields sorted, which Slack does not mind.
    sent: notifier.sent.map((message) => ({ kind: message.kind, channel: message.channel, text: message.text, blocks: message.blocks ?? [], threadTs: message.threadTs ?? null })),
    decisions,
    alerts: alerts.map((alert) => [alert.key, alert.status, alert.lastValue, alert.resolvedAt]),
    outbox: await stores.outbox.outboxCounts(),
  };
}

/** A message silenced from its menu, then the value doubles and a new scope fires: the silence breaks. */
async function brokenSilence(documents: DocumentStore, stores: Pick<MonitorStores, 'alerts' | 'outbox'>) {
  const clock = new FakeClock('2026-11-27T10:00:00Z');
  const notifier = new RecordingNotifier();
  const config = testAlertsConfig();
  const deps: PipelineDeps = {
    alerts: stores.alerts,
    outbox: stores.outbox,
    notifier,
    events: createEventLog(documents, { groupSlug: 'ontology-ops' }),
    config,
    now: clock.now,
    sleep: clock.sleep,
    log: () => undefined,
  };
  await runAlertPipeline(deps, evaluation([crossGroupSignal({ value: 8 }), crossGroupSignal({ groupId: 'g1', value: 3 })]));
  const notification = (await stores.alerts.openNotification('crossGroupViolations|critical|C_CRIT'))!;
  const silenced = await silenceNotification(stores.alerts, {
    ref: { key: notification.key, openedAt: notification.openedAt },
    choice: '24h',
    reason: 'known',
    by: 'U1',
    now: clock.now(),
    config,
  });
  clock.advance(HOUR);
  const report = await runAlertPipeline(deps, evaluation([crossGroupSignal({ value: 1_797 }), crossGroupSignal({ groupId: 'g1', value: 3 })]));
  return {
    baseline: silenced.silence.baseline,
    decisions: report.decisions.map((decision) => [decision.key, decision.action, decision.reason]),
    replies: notifier.replies.map((reply) => reply.text.replace(/#\S+`/, '#<id>`')),
    active: (await stores.alerts.activeSilences(clock.now())).length,
  };
}

describe('alert pipeline on Convex', () => {
  it('breaks a silence whose value doubled, exactly as on SQLite', async () => {
    const { store } = tempStore();
    const onSqlite = await brokenSilence(store, sqliteMonitorStores(store));
    const parts = convexParts();
    const onConvex = await brokenSilence(parts.documents, convexMonitorStateStores(parts.caller));
    expect(onSqlite.baseline).toEqual([
      { groupId: null, severity: 'critical', value: 8 },
      { groupId: 'g1', severity: 'critical', value: 3 },
    ]);
    expect(onSqlite.active).toBe(0);
    expect(onSqlite.replies.at(-1)).toContain('platform-wide went from 8 to 1,797');
    expect(onConvex).toEqual(onSqlite);
  }, 60_000);

  it('sends and decides exactly what it does on SQLite', async () => {
    const { store } = tempStore();
    const onSqlite = await scenario(store, sqliteMonitorStores(store));
    const parts = convexParts();
    const onConvex = await scenario(parts.documents, convexMonitorStateStores(parts.caller));
    expect(onSqlite.sent.length).toBeGreaterThanOrEqual(4);
    expect(onSqlite.decisions.flat().map(([, action]) => action)).toEqual(expect.arrayContaining(['post', 'update', 'resolve']));
    expect(onConvex).toEqual(onSqlite);
  }, 60_000);
});
