import { describe, expect, it } from 'vitest';
import { createEventLog } from '../../../src/alerts/event-log.ts';
import { runAlertPipeline } from '../../../src/alerts/pipeline.ts';
import { SNAPSHOT_TABLE } from '../../../src/store/sqlite/monitor-schema.ts';
import { sqliteMonitorStores } from '../../../src/store/sqlite/monitor-stores.ts';
import { SNAPSHOT_QUERIES } from '../../../src/store/sqlite/sqlite-snapshot-store.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { crossGroupSignal, testAlertsConfig } from '../../helpers/alert-fixtures.ts';
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

describe('the SQLite monitor stores on a database of the first release', () => {
  it('adopts per-alert messages into notifications, so the message already in Slack keeps being edited', async () => {
    const { store, path } = tempStore();
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

    const state = sqliteMonitorStores(store);
    const [platform, group] = [await state.alerts.getAlert('1'), await state.alerts.getAlert('2')];
    expect(platform!.notificationId).not.toBeNull();
    expect(group!.notificationId).toBe(platform!.notificationId);
    const notification = await state.alerts.getNotification(platform!.notificationId!);
    expect(notification).toMatchObject({
      key: 'crossGroupViolations|critical|C_CRIT',
      status: 'open',
      message: { channel: 'C0CRIT', ts: '1700000000.000001' },
    });
    const rows = await state.outbox.listOutbox({ limit: 10 });
    expect(rows.map((row) => [row.kind, row.status, row.notificationId])).toEqual([
      ['post', 'sent', null],
      ['post', 'failed', notification!.id],
      ['reply', 'pending', notification!.id],
    ]);
    // Opening it again (another connection: the schema is set up once per connection) changes nothing.
    const again = SqliteStore.open(path);
    try {
      expect((await sqliteMonitorStores(again).outbox.listOutbox({ limit: 10 })).map((row) => row.status)).toEqual(['sent', 'failed', 'pending']);
    } finally {
      again.close();
    }
    expect(await state.alerts.getAlert('1')).toEqual(platform);

    const notifier = new RecordingNotifier();
    const signal = (groupId: string | null) => crossGroupSignal({ groupId });
    await runAlertPipeline(
      {
        alerts: state.alerts,
        outbox: state.outbox,
        notifier,
        events: createEventLog(store, { groupSlug: 'ontology-ops' }),
        config: testAlertsConfig({ channels: { critical: 'C_CRIT', warning: null, report: null } }),
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

describe('dataQualitySnapshots indexes', () => {
  const plan = (sql: string, ...params: unknown[]) => {
    const { store } = tempStore();
    sqliteMonitorStores(store);
    const steps = store.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    return steps.map((step) => step.detail).join(' | ');
  };

  it.each<[string, string, string, unknown[], string]>([
    ['between', 'data_quality_snapshots_by_time', SNAPSHOT_QUERIES.between, [1, 2], 'the weekly window reads only its 7 days, not every snapshot ever taken'],
    ['latestOfGroupBefore', 'data_quality_snapshots_by_group_time', SNAPSHOT_QUERIES.latestOfGroupBefore, ['g', 1], "a group's previous snapshot, for what changed"],
    ['latestPlatformBefore', 'data_quality_snapshots_by_group_time', SNAPSHOT_QUERIES.latestPlatformBefore, [1], 'the platform-wide one (groupId absent)'],
    [
      'a group lookup',
      'data_quality_snapshots_by_group',
      `SELECT doc FROM other_documents WHERE table_name = '${SNAPSHOT_TABLE}' AND json_extract(doc, '$.groupId') = ?`,
      ['g'],
      "every snapshot of a group (the ONE schema's by_group)",
    ],
  ])('%s uses %s', (_name, index, sql, params, _reason) => {
    expect(plan(sql, ...params)).toContain(`USING INDEX ${index} `);
  });

  it('keeps the fields of the ONE table: timestamp, groupId only when scoped, the four counts, the rest in metadata', async () => {
    const { store } = tempStore();
    const state = sqliteMonitorStores(store);
    const metadata = {
      orphanedEntityCount: 3,
      missingGroupIds: 0,
      malformedPropertiesPercent: 0,
      schemaComplianceScore: 100,
      eventArchivalProgress: 100,
      invalidMetadataCount: 0,
      status: 'critical' as const,
    };
    const base = { timestamp: 1000, referentialIntegrityScore: 99.5, orphanedConnections: 3, crossGroupViolations: 1, malformedProperties: 0, metadata };
    await state.snapshots.saveSnapshots([base, { ...base, groupId: 'g1' }], 1000);
    const docs = (store.database.prepare('SELECT doc FROM other_documents WHERE table_name = ? ORDER BY creation_time').all(SNAPSHOT_TABLE) as {
      doc: string;
    }[]).map((row) => JSON.parse(row.doc) as Record<string, unknown>);
    expect(docs.map((doc) => Object.keys(doc).sort())).toEqual([
      ['_creationTime', '_id', 'crossGroupViolations', 'malformedProperties', 'metadata', 'orphanedConnections', 'referentialIntegrityScore', 'timestamp'],
      ['_creationTime', '_id', 'crossGroupViolations', 'groupId', 'malformedProperties', 'metadata', 'orphanedConnections', 'referentialIntegrityScore', 'timestamp'],
    ]);
    expect((await state.snapshots.snapshotsBetween(1000, 1000)).map((snapshot) => snapshot.groupId ?? null)).toEqual([null, 'g1']);
    expect((await state.snapshots.latestSnapshotBefore('g1', 1001))?.groupId).toBe('g1');
    expect((await state.snapshots.latestSnapshotBefore(null, 1000))).toBeNull();
  });
});
