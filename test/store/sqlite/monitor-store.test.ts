import { DEFAULT_THRESHOLDS } from '../../../src/quality/thresholds.ts';
import { describe, expect, it } from 'vitest';
import { createEventLog } from '../../../src/alerts/event-log.ts';
import { runAlertPipeline } from '../../../src/alerts/pipeline.ts';
import type { Signal } from '../../../src/alerts/types.ts';
import { SqliteMonitorStore } from '../../../src/store/sqlite/monitor-store.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { RecordingNotifier } from '../../helpers/recording-notifier.ts';
import { tempStore } from '../../helpers/temp-store.ts';

const HOUR = 3_600_000;

/** The alert and outbox tables as the first release created them: one message per alert, kept on the alert. */
const FIRST_RELEASE_TABLES = `
CREATE TABLE monitor_alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, alert_key TEXT NOT NULL, subject TEXT NOT NULL, group_id TEXT, severity TEXT NOT NULL,
  status TEXT NOT NULL, title TEXT NOT NULL, details TEXT NOT NULL, first_firing_at REAL NOT NULL, last_evaluated_at REAL NOT NULL,
  resolved_at REAL, last_value REAL, notified_at REAL, last_reminder_at REAL, channel TEXT, message_ts TEXT,
  acknowledged_by TEXT, acknowledged_at REAL);
CREATE TABLE monitor_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, channel TEXT NOT NULL, alert_id INTEGER REFERENCES monitor_alerts (id),
  message TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
  last_error TEXT, created_at REAL NOT NULL, sent_at REAL, result_channel TEXT, result_ts TEXT);
`;

describe('SqliteMonitorStore on a database of the first release', () => {
  it('adopts per-alert messages into notifications, so the message already in Slack keeps being edited', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const t = clock.now();
    store.database.exec(FIRST_RELEASE_TABLES);
    const details = JSON.stringify({ unit: 'count', threshold: 'critical when > 0', breakdown: {}, topIssueIds: [], remediation: [] });
    const insertAlert = store.database.prepare(
      `INSERT INTO monitor_alerts (alert_key, subject, group_id, severity, status, title, details, first_firing_at, last_evaluated_at,
         last_value, notified_at, channel, message_ts) VALUES (?, 'crossGroupViolations', ?, 'critical', 'firing', 'Cross-group violations', ?, ?, ?, 3, ?, ?, ?)`,
    );
    insertAlert.run('crossGroupViolations|platform|critical', null, details, t - HOUR, t - HOUR, t - HOUR, 'C0CRIT', '1700000000.000001');
    insertAlert.run('crossGroupViolations|grp_a|critical', 'grp_a', details, t - HOUR, t - HOUR, t - HOUR, null, null);
    const insertRow = store.database.prepare(
      `INSERT INTO monitor_outbox (kind, channel, alert_id, message, status, next_attempt_at, created_at, result_channel, result_ts)
       VALUES (?, 'C_CRIT', ?, '{"text":"old"}', ?, ?, ?, ?, ?)`,
    );
    insertRow.run('post', 1, 'sent', t - HOUR, t - HOUR, 'C0CRIT', '1700000000.000001');
    // The second alert's own post never went out; its reply waits for it.
    insertRow.run('post', 2, 'pending', t, t - HOUR, null, null);
    insertRow.run('reply', 2, 'pending', t, t - HOUR, null, null);

    const state = new SqliteMonitorStore(store);
    const [platform, group] = [await state.getAlert(1), await state.getAlert(2)];
    expect(platform!.notificationId).not.toBeNull();
    expect(group!.notificationId).toBe(platform!.notificationId);
    const notification = await state.getNotification(platform!.notificationId!);
    expect(notification).toMatchObject({
      key: 'crossGroupViolations|critical|C_CRIT',
      status: 'open',
      message: { channel: 'C0CRIT', ts: '1700000000.000001' },
    });
    const rows = await state.listOutbox({ limit: 10 });
    expect(rows.map((row) => [row.kind, row.status, row.notificationId])).toEqual([
      ['post', 'sent', null],
      ['post', 'failed', notification!.id],
      ['reply', 'pending', notification!.id],
    ]);
    // Opening it again changes nothing.
    new SqliteMonitorStore(store);
    expect((await state.listOutbox({ limit: 10 })).map((row) => row.status)).toEqual(['sent', 'failed', 'pending']);

    const notifier = new RecordingNotifier();
    const signal = (groupId: string | null): Signal => ({
      subject: 'crossGroupViolations',
      groupId,
      severity: 'critical',
      title: 'Cross-group violations',
      value: 3,
      unit: 'count',
      threshold: 'critical when > 0',
      breakdown: {},
      topIssueIds: [],
      remediation: [],
    });
    await runAlertPipeline(
      {
        alerts: state,
        outbox: state,
        notifier,
        events: createEventLog(store, { groupSlug: 'ontology-ops' }),
        config: { channels: { critical: 'C_CRIT', warning: null, report: null }, oncallUsergroup: null, repeatIntervalMs: 4 * HOUR, thresholds: DEFAULT_THRESHOLDS },
        now: clock.now,
        sleep: clock.sleep,
        log: () => {},
      },
      { source: 'test', signals: [signal(null), signal('grp_a'), signal('grp_b')], coverage: { subjects: ['crossGroupViolations'], groupIds: 'all', severities: ['critical'] } },
    );
    expect(notifier.topLevelPosts).toEqual([]);
    expect(notifier.sent.map((message) => [message.kind, message.ts, message.threadTs ?? null])).toEqual([
      ['post', '1700000000.000001', '1700000000.000001'],
      ['update', '1700000000.000001', null],
    ]);
    expect(notifier.updates[0]!.text).toContain('(platform-wide + 2 groups)');
  });
});
