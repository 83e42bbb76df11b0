/**
 * SQLite tables of the monitors and the alert pipeline: job runs, alerts (one row per firing episode),
 * notifications (one Slack message per subject, severity and channel, shared by the alerts it lists), the
 * decision log, silences and the outbox. Snapshots are not here: they are `dataQualitySnapshots` documents in
 * `other_documents` (so export and import carry them as the ONE table), indexed by the partial expression
 * indexes below — by time, by group and time, by group — as the ONE schema's indexes.
 *
 * Ids are INTEGER rowids here; the ports see them as opaque strings (`monitor-rows.ts`), and rowid order only
 * ever serves as the creation-order tiebreak behind an explicit time.
 */
import type Database from 'better-sqlite3';
import { adoptLegacyMessages } from './monitor-legacy.ts';

/** Table name of the snapshot documents in `other_documents`. */
export const SNAPSHOT_TABLE = 'dataQualitySnapshots';

/** DDL; idempotent. */
export const MONITOR_SCHEMA = `
CREATE TABLE IF NOT EXISTS monitor_job_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job TEXT NOT NULL,
  trigger TEXT NOT NULL,
  scheduled_for REAL,
  started_at REAL NOT NULL,
  finished_at REAL,
  outcome TEXT NOT NULL,
  counts TEXT NOT NULL DEFAULT '{}',
  error TEXT,
  instance_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS monitor_job_runs_by_job ON monitor_job_runs (job, outcome, started_at);
CREATE TABLE IF NOT EXISTS monitor_alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_key TEXT NOT NULL,
  subject TEXT NOT NULL,
  group_id TEXT,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  title TEXT NOT NULL,
  details TEXT NOT NULL,
  first_firing_at REAL NOT NULL,
  last_evaluated_at REAL NOT NULL,
  resolved_at REAL,
  last_value REAL,
  notified_at REAL,
  last_reminder_at REAL,
  channel TEXT,
  message_ts TEXT,
  acknowledged_by TEXT,
  acknowledged_at REAL,
  notification_id INTEGER REFERENCES monitor_notifications (id)
);
CREATE INDEX IF NOT EXISTS monitor_alerts_by_key ON monitor_alerts (alert_key, id);
CREATE INDEX IF NOT EXISTS monitor_alerts_by_status ON monitor_alerts (status);
CREATE TABLE IF NOT EXISTS monitor_notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  notification_key TEXT NOT NULL,
  subject TEXT NOT NULL,
  severity TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL,
  opened_at REAL NOT NULL,
  resolved_at REAL,
  last_reminder_at REAL,
  shown TEXT,
  message_channel TEXT,
  message_ts TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS monitor_notifications_open_by_key ON monitor_notifications (notification_key)
  WHERE status = 'open';
CREATE TABLE IF NOT EXISTS monitor_alert_decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id INTEGER NOT NULL REFERENCES monitor_alerts (id),
  at REAL NOT NULL,
  source TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  value REAL
);
CREATE INDEX IF NOT EXISTS monitor_alert_decisions_by_alert ON monitor_alert_decisions (alert_id);
CREATE TABLE IF NOT EXISTS monitor_silences (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subject TEXT NOT NULL,
  group_id TEXT,
  severity TEXT,
  until REAL NOT NULL,
  created_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at REAL NOT NULL,
  ends_when_resolved INTEGER NOT NULL DEFAULT 0,
  baseline TEXT
);
CREATE INDEX IF NOT EXISTS monitor_silences_by_until ON monitor_silences (until);
CREATE TABLE IF NOT EXISTS monitor_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  alert_id INTEGER REFERENCES monitor_alerts (id),
  notification_id INTEGER REFERENCES monitor_notifications (id),
  message TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at REAL NOT NULL,
  last_error TEXT,
  created_at REAL NOT NULL,
  sent_at REAL,
  result_channel TEXT,
  result_ts TEXT
);
CREATE INDEX IF NOT EXISTS monitor_outbox_due ON monitor_outbox (status, next_attempt_at, id);
CREATE INDEX IF NOT EXISTS data_quality_snapshots_by_time ON other_documents (json_extract(doc, '$.timestamp'))
  WHERE table_name = '${SNAPSHOT_TABLE}';
CREATE INDEX IF NOT EXISTS data_quality_snapshots_by_group_time
  ON other_documents (json_extract(doc, '$.groupId'), json_extract(doc, '$.timestamp'))
  WHERE table_name = '${SNAPSHOT_TABLE}';
CREATE INDEX IF NOT EXISTS data_quality_snapshots_by_group ON other_documents (json_extract(doc, '$.groupId'))
  WHERE table_name = '${SNAPSHOT_TABLE}';
`;

/**
 * Columns added since the first release (`table`, `column`, type), for databases created before them; the
 * indexes on them come after (`MONITOR_INDEXES`). The `channel`/`message_ts` of alerts and `alert_id` of
 * outbox rows are what that release wrote: the store adopts them into notifications once.
 */
export const MONITOR_ADDED_COLUMNS: readonly [table: string, column: string, type: string][] = [
  ['monitor_alerts', 'notification_id', 'INTEGER REFERENCES monitor_notifications (id)'],
  ['monitor_outbox', 'notification_id', 'INTEGER REFERENCES monitor_notifications (id)'],
  ['monitor_silences', 'ends_when_resolved', 'INTEGER NOT NULL DEFAULT 0'],
  ['monitor_silences', 'baseline', 'TEXT'],
];

/** Columns of outbox rows that edit a message named by channel and ts (`edit` rows), replacing by key. */
export const MONITOR_EDIT_COLUMNS: readonly [table: string, column: string, type: string][] = [
  ['monitor_outbox', 'target_channel', 'TEXT'],
  ['monitor_outbox', 'target_ts', 'TEXT'],
  ['monitor_outbox', 'replace_key', 'TEXT'],
];

/** Indexes on added columns and for the time orders of later releases; idempotent, so existing stores get them. */
export const MONITOR_INDEXES = `
CREATE INDEX IF NOT EXISTS monitor_alerts_by_notification ON monitor_alerts (notification_id);
CREATE INDEX IF NOT EXISTS monitor_outbox_by_notification ON monitor_outbox (notification_id, kind, status);
CREATE INDEX IF NOT EXISTS monitor_alerts_by_key_time ON monitor_alerts (alert_key, first_firing_at, id);
CREATE INDEX IF NOT EXISTS monitor_alert_decisions_by_time ON monitor_alert_decisions (at, id);
CREATE INDEX IF NOT EXISTS monitor_job_runs_by_start ON monitor_job_runs (started_at, id);
CREATE INDEX IF NOT EXISTS monitor_outbox_by_replace_key ON monitor_outbox (replace_key, status);
`;

/** Databases whose monitor tables are known to be current (per connection: the schema is set up once). */
const prepared = new WeakSet<Database.Database>();

/**
 * Creates the monitor tables, adds the columns a database of an earlier release lacks (adopting its per-alert
 * messages into notifications once) and the indexes; once per connection, whichever port adapter comes first.
 */
export function ensureMonitorSchema(database: Database.Database): void {
  if (prepared.has(database)) return;
  database.exec(MONITOR_SCHEMA);
  let added = false;
  for (const [table, column, type] of MONITOR_ADDED_COLUMNS) {
    const columns = database.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (columns.some((existing) => existing.name === column)) continue;
    database.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    added = true;
  }
  // Not legacy message columns: adding them adopts nothing.
  for (const [table, column, type] of MONITOR_EDIT_COLUMNS) {
    const columns = database.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!columns.some((existing) => existing.name === column)) database.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
  database.exec(MONITOR_INDEXES);
  if (added) adoptLegacyMessages(database);
  prepared.add(database);
}
