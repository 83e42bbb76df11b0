/**
 * A silence covers the scopes and values it was set on: the real pipeline over a real SQLite store breaks it when
 * a value doubles, a severity rises or a new scope fires, and says so in the alert's thread.
 */
import { describe, expect, it } from 'vitest';
import { silenceNotification } from '../../src/alerts/alert-actions.ts';
import { createEventLog } from '../../src/alerts/event-log.ts';
import { runAlertPipeline, type PipelineDeps } from '../../src/alerts/pipeline.ts';
import { silenceAlerts } from '../../src/alerts/silences.ts';
import type { Evaluation, Signal } from '../../src/alerts/types.ts';
import { sqliteMonitorStores } from '../../src/store/sqlite/monitor-stores.ts';
import { crossGroupSignal, testAlertsConfig } from '../helpers/alert-fixtures.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { tempStore } from '../helpers/temp-store.ts';

const HOUR = 3_600_000;
const CONFIG = testAlertsConfig();
const KEY = 'crossGroupViolations|critical|C_CRIT';

function evaluation(signals: Signal[]): Evaluation {
  return { source: 'daily', signals, coverage: { subjects: ['crossGroupViolations'], groupIds: 'all', severities: ['critical', 'warning'] } };
}

const scopes = (values: Record<string, number>) =>
  Object.entries(values).map(([scope, value]) => crossGroupSignal({ groupId: scope === 'platform' ? null : scope, value }));

/** A message for 8 cross-group links platform-wide and three groups, silenced from its Silence menu. */
async function silencedMessage() {
  const { store } = tempStore();
  const stores = sqliteMonitorStores(store);
  const clock = new FakeClock('2026-11-27T10:00:00Z');
  const notifier = new RecordingNotifier();
  const lines: string[] = [];
  const deps: PipelineDeps = {
    alerts: stores.alerts,
    outbox: stores.outbox,
    notifier,
    events: createEventLog(store, { groupSlug: 'ontology-ops' }),
    config: CONFIG,
    now: clock.now,
    sleep: clock.sleep,
    log: (line) => lines.push(line),
  };
  const setOn = { platform: 8, g1: 3, g2: 3, g3: 2 };
  await runAlertPipeline(deps, evaluation(scopes(setOn)));
  const notification = (await stores.alerts.openNotification(KEY))!;
  clock.advance(10 * 60_000);
  const outcome = await silenceNotification(stores.alerts, {
    ref: { key: KEY, openedAt: notification.openedAt },
    choice: '24h',
    reason: 'known links, fixed by the migration',
    by: 'U0ONCALL1',
    now: clock.now(),
    config: CONFIG,
  });
  if (outcome.kind !== 'silenced') throw new Error('expected a new silence');
  await runAlertPipeline(deps, evaluation(scopes(setOn)));
  return { store, stores, clock, notifier, deps, lines, silence: outcome.silence };
}

describe('a silence set on an alert', () => {
  it('remembers the scopes and values it was set on', async () => {
    const { silence } = await silencedMessage();
    expect(silence.baseline).toEqual([
      { groupId: null, severity: 'critical', value: 8 },
      { groupId: 'g1', severity: 'critical', value: 3 },
      { groupId: 'g2', severity: 'critical', value: 3 },
      { groupId: 'g3', severity: 'critical', value: 2 },
    ]);
  });

  it('keeps covering the same scopes at values not materially worse: nothing is posted', async () => {
    const { clock, notifier, deps, stores } = await silencedMessage();
    const sent = notifier.sent.length;
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation(scopes({ platform: 12, g1: 5, g2: 3 })));
    expect(notifier.sent).toHaveLength(sent + 1);
    expect(notifier.sent.at(-1)!.kind).toBe('update');
    expect(await stores.alerts.activeSilences(clock.now())).toHaveLength(1);
  });

  it('breaks when the value is far worse and new scopes fire (8 → 1,797 in four new groups), with a note naming both values', async () => {
    const { clock, notifier, deps, stores, lines, silence, store } = await silencedMessage();
    const replies = notifier.replies.length;
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation(scopes({ platform: 1_797, g1: 3, g2: 3, g3: 2, g4: 900, g5: 500, g6: 300, g7: 94 })));
    expect(await stores.alerts.activeSilences(clock.now())).toEqual([]);
    const note = notifier.replies.slice(replies);
    expect(note).toHaveLength(1);
    expect(note[0]!.text).toBe(
      `:loud_sound: Silence \`#${silence.id}\` (set by <@U0ONCALL1>) is broken: platform-wide went from 8 to 1,797 since it was set, at least twice as bad.\n` +
        'Cross-group violations posts and reminds here as usual again.',
    );
    // The message shows every scope firing again, and offers the Silence menu again.
    const edit = JSON.stringify(notifier.updates.at(-1)!.blocks);
    expect(edit).toContain('*Firing (platform-wide + 7 groups)*');
    expect(edit).toContain('"action_id":"alert_silence"');
    expect(edit).not.toContain('Silenced (');
    expect(lines.some((line) => line.includes(`silence #${silence.id} (crossGroupViolations) broken (value_doubled): platform critical 8 → critical 1797`))).toBe(true);
    const events = store.database.prepare("SELECT json_extract(doc, '$.metadata') AS metadata FROM events WHERE type = 'monitoring_silence_broken'").all() as { metadata: string }[];
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.metadata)).toMatchObject({ silenceId: silence.id, scope: 'platform', reason: 'value_doubled', before: 8, value: 1_797 });
    // Reminders resume on their clock once the silence is gone.
    clock.advance(4 * HOUR);
    await runAlertPipeline(deps, evaluation(scopes({ platform: 1_797, g4: 900 })));
    expect(notifier.replies.slice(replies).some((reply) => reply.text.includes('Still firing'))).toBe(true);
  });

  it('breaks when a scope that was not firing starts firing, naming it', async () => {
    const { clock, notifier, deps, stores, silence } = await silencedMessage();
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation(scopes({ platform: 8, g1: 3, g9: 4 })));
    expect(await stores.alerts.activeSilences(clock.now())).toEqual([]);
    expect(notifier.replies.at(-1)!.text).toContain(
      `Silence \`#${silence.id}\` (set by <@U0ONCALL1>) is broken: group \`g9\` was not firing when it was set and now is at 4 (critical).`,
    );
  });
});

describe('a silence set ahead of time (nothing firing)', () => {
  it('has no baseline and covers whatever fires until it ends', async () => {
    const { store } = tempStore();
    const stores = sqliteMonitorStores(store);
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const notifier = new RecordingNotifier();
    const silence = await silenceAlerts(stores.alerts, {
      subject: 'crossGroupViolations',
      groupId: '*',
      until: clock.now() + 6 * HOUR,
      by: 'ops',
      reason: 'migration window',
      now: clock.now(),
    });
    expect(silence.baseline).toBeUndefined();
    const deps: PipelineDeps = {
      alerts: stores.alerts,
      outbox: stores.outbox,
      notifier,
      events: createEventLog(store, { groupSlug: 'ontology-ops' }),
      config: CONFIG,
      now: clock.now,
      sleep: clock.sleep,
      log: () => {},
    };
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation(scopes({ platform: 1_797, g4: 900 })));
    expect(notifier.sent).toEqual([]);
    expect(await stores.alerts.activeSilences(clock.now())).toHaveLength(1);
  });
});
