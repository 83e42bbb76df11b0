import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEventLog } from '../../src/alerts/event-log.ts';
import { decisionSummary, runAlertPipeline, type PipelineDeps } from '../../src/alerts/pipeline.ts';
import type { Decision } from '../../src/alerts/types.ts';
import { acknowledgeAlert, silenceAlerts } from '../../src/alerts/silences.ts';
import type { Evaluation, Signal } from '../../src/alerts/types.ts';
import { sqliteMonitorStores } from '../../src/store/sqlite/monitor-stores.ts';
import type { AlertStore } from '../../src/alerts/ports.ts';
import type { MonitorStores } from '../../monitors/ports.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { crossGroupSignal, testAlertsConfig } from '../helpers/alert-fixtures.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

const HOUR = 3_600_000;
const CONFIG = testAlertsConfig({ oncallUsergroup: 'S0ONCALL' });

function signal(overrides: Partial<Signal> = {}): Signal {
  return crossGroupSignal({ topIssueIds: ['conn1', 'conn2'], remediation: ['Notify security.'], ...overrides });
}

function evaluation(signals: Signal[], subjects = ['crossGroupViolations', 'referentialIntegrityScore']): Evaluation {
  return { source: 'test', signals, coverage: { subjects, groupIds: 'all', severities: ['critical', 'warning', 'info'] } };
}

/** The pipeline's dependencies on a real store, with the fake clock and a recording notifier. */
function depsFor(
  store: SqliteStore,
  stores: Pick<MonitorStores, 'alerts' | 'outbox'>,
  clock: FakeClock,
  notifier: RecordingNotifier,
  log: (line: string) => void = () => {},
): PipelineDeps {
  return {
    alerts: stores.alerts,
    outbox: stores.outbox,
    notifier,
    events: createEventLog(store, { groupSlug: 'ontology-ops' }),
    config: CONFIG,
    now: clock.now,
    sleep: clock.sleep,
    log,
  };
}

function setup() {
  const { store } = tempStore();
  const stores = sqliteMonitorStores(store);
  const clock = new FakeClock('2026-11-27T10:00:00Z');
  const notifier = new RecordingNotifier();
  const lines: string[] = [];
  const deps = depsFor(store, stores, clock, notifier, (line) => lines.push(line));
  return { store, alerts: stores.alerts, clock, notifier, deps, lines };
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
    expect(blocks).toContain('*Firing (platform-wide)*\\n*Platform-wide*: 3');
    expect(lines).toContain('alerts (test): post 1 (new)');
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
    expect(update.text).toContain('Firing since <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC>.');
    expect(JSON.stringify(update.blocks)).toContain('3 → 5 (+2) since <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC>');
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
    const { notifier, deps, clock, alerts } = setup();
    await runAlertPipeline(deps, evaluation([signal()]));
    clock.advance(HOUR);
    const report = await runAlertPipeline(deps, { ...evaluation([]), observations: [{ subject: 'crossGroupViolations', groupId: null, value: 0 }] });
    expect(report.decisions[0]).toMatchObject({ action: 'resolve', reason: 'resolved' });
    const [update] = notifier.updates;
    expect(update!.text).toContain(':white_check_mark: Resolved: Cross-group violations');
    expect(notifier.replies[0]!.text).toContain('Resolved at <!date^1795777200^{date_short_pretty} {time}|2026-11-27 11:00 UTC>: platform-wide after 1 h');
    expect(notifier.replies[0]!.threadTs).toBe(notifier.sent[0]!.ts);
    expect((await alerts.firingAlerts()).length).toBe(0);

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
    const { notifier, deps, clock, alerts } = setup();
    await silenceAlerts(alerts, {
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
    expect(notifier.topLevelPosts[0]!.text).toContain('Firing since <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC>');
  });

  it('sends no reminders for an acknowledged alert', async () => {
    const { notifier, deps, clock, alerts } = setup();
    await runAlertPipeline(deps, evaluation([signal()]));
    await acknowledgeAlert(alerts, { alert: 'crossGroupViolations|platform|critical', by: 'U42', now: clock.now() });
    for (let hour = 0; hour < 6; hour++) {
      clock.advance(HOUR);
      await runAlertPipeline(deps, evaluation([signal()]));
    }
    expect(notifier.replies).toHaveLength(0);
    // The acknowledgement itself edits the message (delivered with the next run's outbox round).
    expect(notifier.updates).toHaveLength(1);
    expect(JSON.stringify(notifier.updates[0]!.blocks)).toContain('Acknowledged by <@U42> at <!date^1795773600^{date_short_pretty} {time}|2026-11-27 10:00 UTC>');
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

/** Signals of one subject and severity in several scopes (null = platform-wide), `value` each. */
function scoped(scopes: (string | null)[], overrides: Partial<Signal> = {}): Signal[] {
  return scopes.map((groupId) => signal({ groupId, topIssueIds: [`conn_${groupId ?? 'platform'}`], ...overrides }));
}

const schema = { subject: 'schemaComplianceScore', severity: 'warning' as const, unit: 'percent' as const, value: 92, title: 'Schema compliance score', threshold: 'warning when < 95%' };

describe('alert pipeline: one notification per subject, severity and channel', () => {
  it('posts exactly one message per (subject, severity) for many firing scopes, listing platform first', async () => {
    const { notifier, deps, alerts } = setup();
    const report = await runAlertPipeline(
      deps,
      evaluation([...scoped(['grp_b', null, 'grp_a']), ...scoped([null, 'grp_a'], schema)], ['crossGroupViolations', 'schemaComplianceScore']),
    );
    expect(report.decisions.every((decision) => decision.action === 'post' && decision.reason === 'new')).toBe(true);
    expect(report.messages).toEqual({ posts: 2, updates: 0, replies: 0 });
    expect(notifier.topLevelPosts.map((post) => [post.channel, /^(<[^>]+> )?(:[a-z_]+: [A-Z]+)/.exec(post.text)![2]])).toEqual([
      ['C_CRIT', ':red_circle: CRITICAL'],
      ['C_WARN', ':large_yellow_circle: WARNING'],
    ]);
    const critical = notifier.topLevelPosts[0]!;
    expect(critical.text).toContain('CRITICAL: Cross-group violations (platform-wide + 2 groups): platform-wide 3 (critical when > 0)');
    const firing = JSON.stringify(critical.blocks);
    expect(firing).toContain('*Firing (platform-wide + 2 groups)*\\n*Platform-wide*: 3\\n`grp_a`: 3\\n`grp_b`: 3');
    expect(firing).toContain('`conn_platform`, `conn_grp_a`, `conn_grp_b`');
    expect(firing.match(/Notify security\./g)).toHaveLength(1);
    // Per-identity state is kept as before; the three critical identities share one notification.
    const ids = new Set(report.decisions.filter((decision) => decision.key.endsWith('|critical')).map((decision) => decision.notificationId));
    expect(ids.size).toBe(1);
    expect((await alerts.firingAlerts()).map((alert) => alert.key).sort()).toEqual([
      'crossGroupViolations|grp_a|critical',
      'crossGroupViolations|grp_b|critical',
      'crossGroupViolations|platform|critical',
      'schemaComplianceScore|grp_a|warning',
      'schemaComplianceScore|platform|warning',
    ]);
  });

  it('edits the message when a new scope joins, instead of posting again; unchanged runs send nothing', async () => {
    const { notifier, deps, clock } = setup();
    await runAlertPipeline(deps, evaluation(scoped([null])));
    clock.advance(HOUR);
    const joined = await runAlertPipeline(deps, evaluation(scoped([null, 'grp_new'])));
    expect(joined.decisions.map((decision) => [decision.key, decision.action, decision.reason])).toEqual([
      ['crossGroupViolations|platform|critical', 'record', 'value_unchanged'],
      ['crossGroupViolations|grp_new|critical', 'post', 'new'],
    ]);
    expect(joined.messages).toEqual({ posts: 0, updates: 1, replies: 0 });
    expect(notifier.topLevelPosts).toHaveLength(1);
    expect(notifier.updates).toHaveLength(1);
    expect(notifier.updates[0]!.ts).toBe(notifier.topLevelPosts[0]!.ts);
    expect(notifier.updates[0]!.text).toContain('(platform-wide + group `grp_new`)');
    expect(JSON.stringify(notifier.updates[0]!.blocks)).toContain('`grp_new`: 3');

    clock.advance(HOUR);
    const quiet = await runAlertPipeline(deps, evaluation(scoped([null, 'grp_new'])));
    expect(quiet.messages).toEqual({ posts: 0, updates: 0, replies: 0 });
    expect(notifier.sent).toHaveLength(2);
  });

  it('replies "resolved: <scope>" in the thread as members resolve, and shows the message resolved after the last', async () => {
    const { notifier, deps, clock, alerts } = setup();
    await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a', 'grp_b'])));
    const thread = notifier.topLevelPosts[0]!.ts;
    clock.advance(HOUR);
    const partly = await runAlertPipeline(deps, evaluation(scoped([null])));
    expect(partly.decisions.filter((decision) => decision.action === 'resolve').map((decision) => decision.key)).toEqual([
      'crossGroupViolations|grp_a|critical',
      'crossGroupViolations|grp_b|critical',
    ]);
    expect(partly.messages).toEqual({ posts: 0, updates: 1, replies: 1 });
    expect(notifier.replies[0]).toMatchObject({ threadTs: thread });
    expect(notifier.replies[0]!.text).toContain('Resolved at <!date^1795777200^{date_short_pretty} {time}|2026-11-27 11:00 UTC>: group `grp_a` after 1 h, group `grp_b` after 1 h.');
    expect(notifier.replies[0]!.text).toContain('Still firing here: 1 scope.');
    const edited = notifier.updates[0]!;
    expect(edited).toMatchObject({ ts: thread });
    expect(edited.text).toContain('CRITICAL: Cross-group violations (platform-wide)');
    expect(JSON.stringify(edited.blocks)).toContain('*No longer critical (2)*');

    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation([]));
    expect(notifier.replies[1]).toMatchObject({ threadTs: thread });
    expect(notifier.replies[1]!.text).toContain('Resolved at <!date^1795780800^{date_short_pretty} {time}|2026-11-27 12:00 UTC>: platform-wide after 2 h.');
    expect(notifier.replies[1]!.text).toContain('Nothing in this message is firing any more.');
    expect(notifier.updates[1]!.text).toContain(':white_check_mark: Resolved: Cross-group violations (platform-wide + 2 groups)');
    const alert = await alerts.latestAlert('crossGroupViolations|platform|critical');
    expect(await alerts.getNotification(alert!.notificationId!)).toMatchObject({ status: 'resolved', resolvedAt: clock.now() });

    clock.advance(HOUR);
    await runAlertPipeline(deps, evaluation(scoped(['grp_a'])));
    expect(notifier.topLevelPosts).toHaveLength(2);
  });

  it('reminds once per message, naming the members still firing; acknowledged members are left out', async () => {
    const { notifier, deps, clock, alerts } = setup();
    await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a', 'grp_acked'])));
    await acknowledgeAlert(alerts, { alert: 'crossGroupViolations|grp_acked|critical', by: 'U42', now: clock.now(), config: CONFIG });
    clock.advance(2 * HOUR);
    // A scope joining later follows the message's reminder clock, so it does not bring a reminder of its own.
    await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a', 'grp_acked', 'grp_late'])));
    const reasons: string[][] = [];
    for (let hour = 3; hour <= 9; hour++) {
      clock.advance(HOUR);
      const report = await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a', 'grp_acked', 'grp_late'])));
      reasons.push(report.decisions.map((decision) => decision.reason));
    }
    expect(notifier.topLevelPosts).toHaveLength(1);
    const thread = notifier.topLevelPosts[0]!.ts;
    expect(notifier.replies.map((reply) => reply.threadTs)).toEqual([thread, thread]);
    const [first] = notifier.replies;
    expect(first!.text).toContain('<!subteam^S0ONCALL> :red_circle: Still firing after 4 h');
    expect(first!.text).toContain('platform-wide 3, `grp_a` 3, `grp_late` 3');
    expect(first!.text).not.toContain('grp_acked');
    const due = ['repeat_interval_elapsed', 'repeat_interval_elapsed', 'acknowledged', 'repeat_interval_elapsed'];
    const notDue = ['value_unchanged', 'value_unchanged', 'acknowledged', 'value_unchanged'];
    expect(reasons).toEqual([notDue, due, notDue, notDue, notDue, due, notDue]);
  });

  it('moves a scope whose severity changed: it leaves the old message (reply in its thread) and joins the new one', async () => {
    const { notifier, deps, clock } = setup();
    const warning = { ...schema, subject: 'referentialIntegrityScore', title: 'Referential integrity score', value: 97 };
    const critical = { ...warning, severity: 'critical' as const, value: 93 };
    await runAlertPipeline(deps, evaluation([...scoped(['grp_a', 'grp_b'], warning), ...scoped(['grp_c'], critical)]));
    const [warningPost, criticalPost] = notifier.topLevelPosts;
    expect([warningPost!.channel, criticalPost!.channel]).toEqual(['C_WARN', 'C_CRIT']);
    clock.advance(HOUR);
    const report = await runAlertPipeline(deps, evaluation([...scoped(['grp_b'], warning), ...scoped(['grp_a', 'grp_c'], critical)]));
    expect(report.decisions.map((decision) => [decision.key, decision.action, decision.reason])).toEqual([
      ['referentialIntegrityScore|grp_b|warning', 'record', 'value_unchanged'],
      ['referentialIntegrityScore|grp_a|critical', 'post', 'new'],
      ['referentialIntegrityScore|grp_c|critical', 'record', 'value_unchanged'],
      ['referentialIntegrityScore|grp_a|warning', 'resolve', 'severity_changed'],
    ]);
    expect(notifier.topLevelPosts).toHaveLength(2);
    expect(notifier.replies).toHaveLength(1);
    expect(notifier.replies[0]).toMatchObject({ threadTs: warningPost!.ts });
    expect(notifier.replies[0]!.text).toContain('No longer warning: Referential integrity score is now critical in group `grp_a` (97.00%)');
    const edits = Object.fromEntries(notifier.updates.map((update) => [update.ts, update.text]));
    expect(edits[warningPost!.ts]).toContain('WARNING: Referential integrity score (group `grp_b`)');
    expect(edits[criticalPost!.ts]).toContain('CRITICAL: Referential integrity score (2 groups)');
  });

  it('keeps silenced scopes out of the message: recorded, shown as silenced, never posted', async () => {
    const { notifier, deps, clock, alerts } = setup();
    await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a'])));
    // A window without a baseline (as one set ahead of time) covers scopes that start firing later; one set on
    // firing scopes would break on grp_new (test/alerts/silence-breaks.test.ts).
    await alerts.addSilence({ subject: 'crossGroupViolations', groupId: '*', severity: null, until: clock.now() + 2 * HOUR, createdBy: 'U1', reason: 'import', createdAt: clock.now() });
    clock.advance(HOUR);
    const silenced = await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a', 'grp_new'])));
    expect(silenced.decisions.map((decision) => [decision.key, decision.action, decision.reason, decision.notificationId !== null])).toEqual([
      ['crossGroupViolations|platform|critical', 'record', 'silenced', true],
      ['crossGroupViolations|grp_a|critical', 'record', 'silenced', true],
      ['crossGroupViolations|grp_new|critical', 'record', 'silenced', false],
    ]);
    expect(notifier.topLevelPosts).toHaveLength(1);
    expect(notifier.replies).toHaveLength(0);
    const edit = notifier.updates[0]!;
    expect(edit.text).toContain('CRITICAL: Cross-group violations (all silenced)');
    const blocks = JSON.stringify(edit.blocks);
    expect(blocks).toContain('*Silenced (2)*, not posted until the silence ends\\nplatform-wide by U1 until <!date^1795780800^{date_short_pretty} {time}|2026-11-27 12:00 UTC>: import\\n`grp_a` by U1 until <!date^1795780800^{date_short_pretty} {time}|2026-11-27 12:00 UTC>: import');
    expect(blocks).not.toContain('grp_new');
    expect(blocks).not.toContain('*Firing (');

    clock.advance(2 * HOUR);
    const after = await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a', 'grp_new'])));
    expect(after.decisions.map((decision) => decision.reason)).toEqual(['value_unchanged', 'value_unchanged', 'silence_expired']);
    expect(after.messages).toEqual({ posts: 0, updates: 1, replies: 0 });
    expect(notifier.updates[1]!.text).toContain('(platform-wide + 2 groups)');
  });

  it('keeps editing the same message after a restart, and a join while the post waits edits it once it is out', async () => {
    const path = join(tempDir(), 'ontology.db');
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const notifier = new RecordingNotifier();
    const run = async (signals: Signal[]) => {
      const store = SqliteStore.open(path);
      try {
        return await runAlertPipeline(depsFor(store, sqliteMonitorStores(store), clock, notifier), evaluation(signals));
      } finally {
        store.close();
      }
    };
    notifier.failNext(RecordingNotifier.rateLimited(30 * 60_000));
    const first = await run(scoped([null]));
    expect(first.delivery).toMatchObject({ sent: 0, pending: 1 });
    clock.advance(HOUR);
    const second = await run(scoped([null, 'grp_a']));
    expect(second.messages).toEqual({ posts: 0, updates: 1, replies: 0 });
    expect(notifier.sent.map((message) => [message.kind, message.ts])).toEqual([
      ['post', '1700000000.000001'],
      ['update', '1700000000.000001'],
    ]);
    expect(notifier.updates[0]!.text).toContain('(platform-wide + group `grp_a`)');
    clock.advance(HOUR);
    await run(scoped(['grp_a']));
    expect(notifier.replies.map((reply) => reply.threadTs)).toEqual(['1700000000.000001']);
    expect(notifier.updates.map((update) => update.ts)).toEqual(['1700000000.000001', '1700000000.000001']);
  });

  it('joins the notification another process opened at the same moment instead of posting a second message', async () => {
    const path = join(tempDir(), 'ontology.db');
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const notifier = new RecordingNotifier();
    const [storeA, storeB] = [SqliteStore.open(path), SqliteStore.open(path)];
    try {
      const lines: string[] = [];
      const deps = (store: SqliteStore, stores: Pick<MonitorStores, 'alerts' | 'outbox'>) =>
        depsFor(store, stores, clock, notifier, (line) => lines.push(line));
      const stateA = sqliteMonitorStores(storeA);
      const stateB = sqliteMonitorStores(storeB);
      let interleaved = false;
      // Process B opens the notification after A has read that none is open, just before A writes.
      const racingA: AlertStore = Object.assign(Object.create(stateA.alerts) as AlertStore, {
        recordRun: async (record: Parameters<AlertStore['recordRun']>[0]) => {
          if (!interleaved) {
            interleaved = true;
            await runAlertPipeline(deps(storeB, stateB), evaluation(scoped(['grp_b'])));
          }
          return stateA.alerts.recordRun(record);
        },
      });
      const report = await runAlertPipeline(deps(storeA, { alerts: racingA, outbox: stateA.outbox }), evaluation(scoped([null, 'grp_b'])));
      expect(lines).toContain('alerts: notification crossGroupViolations|critical|C_CRIT was opened by another process at the same time; deciding again');
      expect(report.messages).toEqual({ posts: 0, updates: 1, replies: 0 });
      expect(notifier.topLevelPosts).toHaveLength(1);
      expect(notifier.updates.map((update) => update.ts)).toEqual([notifier.topLevelPosts[0]!.ts]);
      expect(notifier.updates[0]!.text).toContain('(platform-wide + group `grp_b`)');
    } finally {
      storeA.close();
      storeB.close();
    }
  });

  it('lets the hourly platform check remind for the whole message, restarting the clock of groups only the daily job sees', async () => {
    const { notifier, deps, clock, alerts } = setup();
    const hourly = (signals: Signal[]): Evaluation => ({
      source: 'hourly',
      signals,
      coverage: { subjects: ['crossGroupViolations'], groupIds: [null], severities: ['critical'] },
    });
    await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a'])));
    clock.advance(2 * HOUR);
    // A new scope two hours in is announced by the edit, and not reminded about with the others.
    await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a', 'grp_late'])));
    clock.advance(2 * HOUR);
    const reminder = await runAlertPipeline(deps, hourly(scoped([null])));
    expect(reminder.decisions.map((decision) => [decision.key, decision.reason])).toEqual([['crossGroupViolations|platform|critical', 'repeat_interval_elapsed']]);
    expect(notifier.replies).toHaveLength(1);
    expect(notifier.replies[0]!.text).toContain('Still firing after 4 h: Cross-group violations (critical when > 0) in platform-wide 3, `grp_a` 3, `grp_late` 3.');
    expect((await alerts.latestAlert('crossGroupViolations|grp_a|critical'))!.lastReminderAt).toBe(clock.now());

    clock.advance(HOUR);
    const daily = await runAlertPipeline(deps, evaluation(scoped([null, 'grp_a', 'grp_late'])));
    expect(daily.decisions.map((decision) => decision.reason)).toEqual(['value_unchanged', 'value_unchanged', 'value_unchanged']);
    expect(notifier.replies).toHaveLength(1);
  });

  it('leaves a scope joining in the reminder run out of the reminder: the edit has just announced it', async () => {
    const { notifier, deps, clock } = setup();
    await runAlertPipeline(deps, evaluation(scoped([null])));
    clock.advance(4 * HOUR);
    const report = await runAlertPipeline(deps, evaluation(scoped([null, 'grp_new'])));
    expect(report.decisions.map((decision) => decision.action)).toEqual(['remind', 'post']);
    expect(report.messages).toEqual({ posts: 0, updates: 1, replies: 1 });
    expect(notifier.replies[0]!.text).toContain('Still firing after 4 h: Cross-group violations (critical when > 0) in platform-wide 3.');
    expect(JSON.stringify(notifier.updates[0]!.blocks)).toContain('`grp_new`: 3');
  });
});

describe('decisionSummary', () => {
  const d = (action: Decision['action'], reason: Decision['reason']): Decision => ({ action, reason });
  it.each<[Decision[], string | null, string]>([
    [[], null, 'a run that decided nothing logs nothing'],
    [[d('none', 'not_firing')], null, 'nothing to do is not worth a line'],
    [[d('post', 'new'), d('post', 'new')], 'alerts (daily): post 2 (new)', 'one reason: named once'],
    [
      [d('post', 'new'), d('record', 'value_unchanged'), d('post', 'silence_expired')],
      'alerts (daily): post 2 (new 1, silence_expired 1) · record 1 (value_unchanged)',
      'several reasons of one action are counted each',
    ],
  ])('%j → %s (%s)', (decisions, expected, _reason) => {
    expect(decisionSummary('daily', decisions)).toBe(expected);
  });
});
