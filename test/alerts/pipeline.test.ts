import { describe, expect, it } from 'vitest';
import { createEventLog } from '../../src/alerts/event-log.ts';
import { runAlertPipeline, type PipelineDeps } from '../../src/alerts/pipeline.ts';
import { acknowledgeAlert, silenceAlerts } from '../../src/alerts/silences.ts';
import type { Evaluation, Signal } from '../../src/alerts/types.ts';
import type { AlertsConfig } from '../../src/config.ts';
import { SqliteMonitorStore } from '../../src/store/sqlite/monitor-store.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { tempStore } from '../helpers/temp-store.ts';

const HOUR = 3_600_000;
const CONFIG: AlertsConfig = {
  channels: { critical: 'C_CRIT', warning: 'C_WARN', report: 'C_REPORT' },
  oncallUsergroup: 'S0ONCALL',
  repeatIntervalMs: 4 * HOUR,
};

function signal(overrides: Partial<Signal> = {}): Signal {
  return {
    subject: 'crossGroupViolations',
    groupId: null,
    severity: 'critical',
    title: 'Cross-group violations',
    value: 3,
    unit: 'count',
    threshold: 'critical when > 0',
    breakdown: {},
    topIssueIds: ['conn1', 'conn2'],
    remediation: ['Notify security.'],
    ...overrides,
  };
}

function evaluation(signals: Signal[], subjects = ['crossGroupViolations', 'referentialIntegrityScore']): Evaluation {
  return { source: 'test', signals, coverage: { subjects, groupIds: 'all', severities: ['critical', 'warning', 'info'] } };
}

function setup() {
  const { store } = tempStore();
  const state = new SqliteMonitorStore(store);
  const clock = new FakeClock('2026-11-27T10:00:00Z');
  const notifier = new RecordingNotifier();
  const lines: string[] = [];
  const deps: PipelineDeps = {
    alerts: state,
    outbox: state,
    notifier,
    events: createEventLog(store, { groupSlug: 'ontology-ops' }),
    config: CONFIG,
    now: clock.now,
    sleep: clock.sleep,
    log: (line) => lines.push(line),
  };
  return { store, state, clock, notifier, deps, lines };
}

describe('alert pipeline', () => {
  it('posts a new critical alert once, with mention, emoji, threshold, top ids and next steps', async () => {
    const { notifier, deps, lines } = setup();
    const report = await runAlertPipeline(deps, evaluation([signal()]));
    expect(report.decisions).toMatchObject([{ action: 'post', reason: 'new', key: 'crossGroupViolations|platform|critical' }]);
    expect(notifier.sent).toHaveLength(1);
    const post = notifier.sent[0]!;
    expect(post).toMatchObject({ kind: 'post', channel: 'C_CRIT' });
    expect(post.text).toContain('<!subteam^S0ONCALL>');
    expect(post.text).toContain(':red_circle: CRITICAL: Cross-group violations');
    const blocks = JSON.stringify(post.blocks);
    expect(blocks).toContain('critical when > 0');
    expect(blocks).toContain('`conn1`');
    expect(blocks).toContain('Notify security.');
    expect(blocks).toContain('First seen in this run.');
    expect(lines).toContain('alert crossGroupViolations|platform|critical: post (new)');
  });

  it('edits the original in place while it keeps firing, saying what changed and since when', async () => {
    const { notifier, deps, clock } = setup();
    await runAlertPipeline(deps, evaluation([signal({ value: 3 })]));
    clock.advance(HOUR);
    const report = await runAlertPipeline(deps, evaluation([signal({ value: 5 })]));
    expect(report.decisions[0]).toMatchObject({ action: 'update', reason: 'still_firing' });
    expect(notifier.topLevelPosts).toHaveLength(1);
    const update = notifier.updates[0]!;
    expect(update.ts).toBe(notifier.sent[0]!.ts);
    expect(update.text).toContain('Firing since 2026-11-27 10:00 UTC (1 h)');
    expect(JSON.stringify(update.blocks)).toContain('3 → 5 (+2) since 2026-11-27 10:00 UTC');
  });

  it('reminds in the thread after the repeat interval, once per interval', async () => {
    const { notifier, deps, clock } = setup();
    await runAlertPipeline(deps, evaluation([signal({ value: 3 })]));
    const decisions: string[] = [];
    for (let hour = 1; hour <= 9; hour++) {
      clock.advance(HOUR);
      const report = await runAlertPipeline(deps, evaluation([signal({ value: 3 })]));
      decisions.push(report.decisions[0]!.reason);
    }
    expect(decisions.filter((reason) => reason === 'repeat_interval_elapsed')).toHaveLength(2);
    expect(decisions[3]).toBe('repeat_interval_elapsed');
    expect(decisions[7]).toBe('repeat_interval_elapsed');
    expect(notifier.topLevelPosts).toHaveLength(1);
    expect(notifier.replies).toHaveLength(2);
    expect(notifier.replies[0]!.threadTs ?? '').toBe(notifier.sent[0]!.ts);
    expect(notifier.replies[0]!.text).toContain('Still firing after 4 h');
  });

  it('resolves in the thread and edits the original when it stops firing; a re-fire is a new post', async () => {
    const { notifier, deps, clock, state } = setup();
    await runAlertPipeline(deps, evaluation([signal()]));
    clock.advance(HOUR);
    const report = await runAlertPipeline(deps, { ...evaluation([]), observations: [{ subject: 'crossGroupViolations', groupId: null, value: 0 }] });
    expect(report.decisions[0]).toMatchObject({ action: 'resolve', reason: 'resolved' });
    const [update] = notifier.updates;
    expect(update!.text).toContain(':white_check_mark: Resolved: Cross-group violations');
    expect(notifier.replies[0]!.text).toContain('Resolved at 2026-11-27 11:00 UTC after 1 h');
    expect((await state.firingAlerts()).length).toBe(0);

    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([signal()]));
    expect(notifier.topLevelPosts).toHaveLength(2);
  });

  it('leaves alerts outside the evaluation coverage alone (hourly never resolves a daily warning)', async () => {
    const { deps } = setup();
    await runAlertPipeline(deps, evaluation([signal({ subject: 'schemaComplianceScore', severity: 'warning', unit: 'percent', value: 92 })], ['schemaComplianceScore']));
    const report = await runAlertPipeline(deps, {
      source: 'hourly',
      signals: [],
      coverage: { subjects: ['crossGroupViolations'], groupIds: [null], severities: ['critical'] },
    });
    expect(report.decisions).toEqual([]);
  });

  it('treats a severity change as a new alert and resolves the old one', async () => {
    const { notifier, deps, clock } = setup();
    const warning = signal({ subject: 'referentialIntegrityScore', severity: 'warning', unit: 'percent', value: 97, title: 'Referential integrity score' });
    await runAlertPipeline(deps, evaluation([warning]));
    clock.advance(24 * HOUR);
    const report = await runAlertPipeline(deps, evaluation([{ ...warning, severity: 'critical', value: 93 }]));
    expect(report.decisions.map((decision) => [decision.key, decision.action, decision.reason])).toEqual([
      ['referentialIntegrityScore|platform|critical', 'post', 'new'],
      ['referentialIntegrityScore|platform|warning', 'resolve', 'severity_changed'],
    ]);
    expect(notifier.topLevelPosts.map((post) => post.channel)).toEqual(['C_WARN', 'C_CRIT']);
    expect(notifier.replies[0]!.text).toContain('now critical');
  });

  it('records silenced alerts without posting, and posts once the silence is over', async () => {
    const { notifier, deps, clock, state } = setup();
    await silenceAlerts(state, {
      subject: 'crossGroupViolations',
      groupId: 'platform',
      until: clock.now() + 2 * HOUR,
      by: 'U123',
      reason: 'planned import',
      now: clock.now(),
    });
    const first = await runAlertPipeline(deps, evaluation([signal()]));
    expect(first.decisions[0]).toMatchObject({ action: 'record', reason: 'silenced' });
    expect(notifier.sent).toHaveLength(0);
    clock.advance(3 * HOUR);
    const after = await runAlertPipeline(deps, evaluation([signal()]));
    expect(after.decisions[0]).toMatchObject({ action: 'post', reason: 'silence_expired' });
    expect(notifier.topLevelPosts).toHaveLength(1);
    expect(notifier.topLevelPosts[0]!.text).toContain('Firing since 2026-11-27 10:00 UTC');
  });

  it('sends no reminders for an acknowledged alert', async () => {
    const { notifier, deps, clock, state } = setup();
    await runAlertPipeline(deps, evaluation([signal()]));
    await acknowledgeAlert(state, { alert: 'crossGroupViolations|platform|critical', by: 'U42', now: clock.now() });
    for (let hour = 0; hour < 6; hour++) {
      clock.advance(HOUR);
      await runAlertPipeline(deps, evaluation([signal()]));
    }
    expect(notifier.replies).toHaveLength(0);
    // The acknowledgement itself edits the message (delivered with the next run's outbox round).
    expect(notifier.updates).toHaveLength(1);
    expect(JSON.stringify(notifier.updates[0]!.blocks)).toContain('acknowledged by U42');
  });

  it('logs info alerts as monitoring_* events only', async () => {
    const { notifier, deps, clock, store } = setup();
    const info = signal({ subject: 'missingGroupIds', severity: 'info', value: 40, title: 'Records missing a groupId' });
    await runAlertPipeline(deps, evaluation([info], ['missingGroupIds']));
    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([], ['missingGroupIds']));
    expect(notifier.sent).toHaveLength(0);
    const rows = store.database.prepare("SELECT type, group_id FROM events WHERE type LIKE 'monitoring_%' ORDER BY rowid").all() as {
      type: string;
      group_id: string | null;
    }[];
    expect(rows.map((row) => row.type)).toEqual(['monitoring_alert_raised', 'monitoring_alert_resolved']);
    const group = await store.findGroupBySlug('ontology-ops');
    expect(rows.every((row) => row.group_id === group!._id)).toBe(true);
  });
});
