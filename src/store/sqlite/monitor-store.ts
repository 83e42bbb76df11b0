/**
 * The SQLite adapter of the monitor and alert ports: job runs, alert state, decisions, silences, the outbox and
 * `dataQualitySnapshots` documents, all in the store's database file so a restart or a second replica sees them.
 */
import type { JobName } from '../../config.ts';
import {
  NotificationConflictError,
  type DecisionLogEntry,
  type OutboxDraft,
  type OutboxRow,
  type RecordedRun,
  type RunRecord,
  type SilenceDraft,
} from '../../alerts/ports.ts';
import { notificationKey, type AlertDetails, type AlertState, type MessageRef, type NotificationGroup, type Severity, type Silence } from '../../alerts/types.ts';
import type { MonitorStateStore } from '../../../monitors/context.ts';
import type { JobRun, QualitySnapshot } from '../../../monitors/ports.ts';
import { newConvexId, type RandomBytes } from '../../ontology/ids.ts';
import { parseDocument, stringifyUniform, type ConvexValue } from '../../ontology/values.ts';
import { MONITOR_ADDED_COLUMNS, MONITOR_INDEXES, MONITOR_SCHEMA, SNAPSHOT_TABLE } from './monitor-schema.ts';
import type { SqliteStore } from './sqlite-store.ts';

interface AlertRow {
  id: number;
  alert_key: string;
  subject: string;
  group_id: string | null;
  severity: Severity;
  status: 'firing' | 'resolved';
  title: string;
  details: string;
  first_firing_at: number;
  last_evaluated_at: number;
  resolved_at: number | null;
  last_value: number | null;
  notified_at: number | null;
  last_reminder_at: number | null;
  channel: string | null;
  message_ts: string | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  notification_id: number | null;
}

interface NotificationRow {
  id: number;
  notification_key: string;
  subject: string;
  severity: Severity;
  channel: string;
  status: NotificationGroup['status'];
  opened_at: number;
  resolved_at: number | null;
  last_reminder_at: number | null;
  shown: string | null;
  message_channel: string | null;
  message_ts: string | null;
}

interface OutboxSqlRow {
  id: number;
  kind: OutboxRow['kind'];
  channel: string;
  notification_id: number | null;
  message: string;
  status: OutboxRow['status'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  result_channel: string | null;
  result_ts: string | null;
}

interface RunRow {
  id: number;
  job: JobName;
  trigger: JobRun['trigger'];
  scheduled_for: number | null;
  started_at: number;
  finished_at: number | null;
  outcome: JobRun['outcome'];
  counts: string;
  error: string | null;
  instance_id: string;
}

function toAlert(row: AlertRow): AlertState {
  return {
    id: row.id,
    key: row.alert_key,
    subject: row.subject,
    groupId: row.group_id,
    severity: row.severity,
    status: row.status,
    title: row.title,
    details: JSON.parse(row.details) as AlertDetails,
    firstFiringAt: row.first_firing_at,
    lastEvaluatedAt: row.last_evaluated_at,
    resolvedAt: row.resolved_at,
    lastValue: row.last_value,
    notifiedAt: row.notified_at,
    lastReminderAt: row.last_reminder_at,
    notificationId: row.notification_id,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at,
  };
}

function toNotification(row: NotificationRow): NotificationGroup {
  return {
    id: row.id,
    key: row.notification_key,
    subject: row.subject,
    severity: row.severity,
    channel: row.channel,
    status: row.status,
    openedAt: row.opened_at,
    resolvedAt: row.resolved_at,
    lastReminderAt: row.last_reminder_at,
    shown: row.shown,
    message: row.message_channel !== null && row.message_ts !== null ? { channel: row.message_channel, ts: row.message_ts } : null,
  };
}

function toOutbox(row: OutboxSqlRow): OutboxRow {
  return {
    id: row.id,
    kind: row.kind,
    channel: row.channel,
    notificationId: row.notification_id,
    message: JSON.parse(row.message) as OutboxRow['message'],
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    result: row.result_channel !== null && row.result_ts !== null ? { channel: row.result_channel, ts: row.result_ts } : null,
  };
}

function toRun(row: RunRow): JobRun {
  return {
    id: row.id,
    job: row.job,
    trigger: row.trigger,
    scheduledFor: row.scheduled_for,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    counts: JSON.parse(row.counts) as Record<string, number>,
    error: row.error,
    instanceId: row.instance_id,
  };
}

/** The snapshot queries, each on its index (exported so tests can check the plans). */
export const SNAPSHOT_QUERIES = {
  /** Without INDEXED BY, SQLite prefers the (table_name, id) key and reads every snapshot ever taken. */
  between: `SELECT doc FROM other_documents INDEXED BY data_quality_snapshots_by_time WHERE table_name = '${SNAPSHOT_TABLE}'
      AND json_extract(doc, '$.timestamp') >= ? AND json_extract(doc, '$.timestamp') <= ?
    ORDER BY json_extract(doc, '$.timestamp'), creation_time`,
  latestPlatformBefore: `SELECT doc FROM other_documents INDEXED BY data_quality_snapshots_by_group_time
    WHERE table_name = '${SNAPSHOT_TABLE}' AND json_extract(doc, '$.groupId') IS NULL
      AND json_extract(doc, '$.timestamp') < ? ORDER BY json_extract(doc, '$.timestamp') DESC LIMIT 1`,
  latestOfGroupBefore: `SELECT doc FROM other_documents INDEXED BY data_quality_snapshots_by_group_time
    WHERE table_name = '${SNAPSHOT_TABLE}' AND json_extract(doc, '$.groupId') = ?
      AND json_extract(doc, '$.timestamp') < ? ORDER BY json_extract(doc, '$.timestamp') DESC LIMIT 1`,
} as const;

const ALERT_COLUMNS = `alert_key, subject, group_id, severity, status, title, details, first_firing_at, last_evaluated_at,
  resolved_at, last_value, notified_at, last_reminder_at, acknowledged_by, acknowledged_at, notification_id`;

/** Monitor and alert state in a `SqliteStore`'s database. */
export class SqliteMonitorStore implements MonitorStateStore {
  private readonly database: SqliteStore['database'];

  constructor(
    private readonly store: SqliteStore,
    private readonly random?: RandomBytes,
  ) {
    this.database = store.database;
    this.database.exec(MONITOR_SCHEMA);
    const added = this.addMissingColumns();
    this.database.exec(MONITOR_INDEXES);
    if (added) this.adoptLegacyMessages();
  }

  /** Adds the columns a database created by an earlier release lacks; true when it added any. */
  private addMissingColumns(): boolean {
    let added = false;
    for (const [table, column, type] of MONITOR_ADDED_COLUMNS) {
      const columns = this.database.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
      if (columns.some((existing) => existing.name === column)) continue;
      this.database.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      added = true;
    }
    return added;
  }

  /**
   * A database written before notifications existed kept each alert's message on the alert. Its firing alerts
   * join one notification per subject, severity and channel (whose message is the first one delivered, so
   * that message is edited from now on), their waiting edits and replies follow them, and a second waiting
   * post of the same notification is dropped.
   */
  private adoptLegacyMessages(): void {
    this.database.transaction(() => {
      const legacy = this.database
        .prepare(
          `SELECT id, subject, severity, channel, message_ts, first_firing_at, last_reminder_at FROM monitor_alerts
           WHERE status = 'firing' AND notified_at IS NOT NULL AND notification_id IS NULL AND severity != 'info' ORDER BY id`,
        )
        .all() as Pick<AlertRow, 'id' | 'subject' | 'severity' | 'channel' | 'message_ts' | 'first_firing_at' | 'last_reminder_at'>[];
      for (const alert of legacy) {
        // The channel as configured when it was posted (the key's channel), not the id Slack answered with.
        const post = this.database
          .prepare("SELECT channel FROM monitor_outbox WHERE alert_id = ? AND kind = 'post' ORDER BY id LIMIT 1")
          .get(alert.id) as { channel: string } | undefined;
        const channel = post?.channel ?? alert.channel;
        if (channel === null) continue;
        const key = notificationKey(alert.subject, alert.severity, channel);
        const open = this.database
          .prepare("SELECT * FROM monitor_notifications WHERE notification_key = ? AND status = 'open'")
          .get(key) as NotificationRow | undefined;
        let notificationId = open?.id;
        if (notificationId === undefined) {
          notificationId = Number(
            this.database
              .prepare(
                `INSERT INTO monitor_notifications (notification_key, subject, severity, channel, status, opened_at, last_reminder_at,
                   message_channel, message_ts) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
              )
              .run(key, alert.subject, alert.severity, channel, alert.first_firing_at, alert.last_reminder_at, alert.channel, alert.message_ts)
              .lastInsertRowid,
          );
        } else if (open!.message_ts === null && alert.message_ts !== null) {
          this.database
            .prepare('UPDATE monitor_notifications SET message_channel = ?, message_ts = ? WHERE id = ?')
            .run(alert.channel, alert.message_ts, notificationId);
        }
        this.database.prepare('UPDATE monitor_alerts SET notification_id = ? WHERE id = ?').run(notificationId, alert.id);
      }
      this.database
        .prepare(
          `UPDATE monitor_outbox SET notification_id = (SELECT a.notification_id FROM monitor_alerts a WHERE a.id = monitor_outbox.alert_id)
           WHERE status = 'pending' AND notification_id IS NULL AND alert_id IS NOT NULL`,
        )
        .run();
      this.database
        .prepare(
          `UPDATE monitor_outbox SET status = 'failed', last_error = 'superseded by its notification''s message'
           WHERE status = 'pending' AND kind = 'post' AND notification_id IS NOT NULL AND (
             EXISTS (SELECT 1 FROM monitor_notifications n WHERE n.id = monitor_outbox.notification_id AND n.message_ts IS NOT NULL)
             OR id > (SELECT MIN(o.id) FROM monitor_outbox o WHERE o.notification_id = monitor_outbox.notification_id
                        AND o.kind = 'post' AND o.status = 'pending'))`,
        )
        .run();
    })();
  }

  // ---- alerts ---------------------------------------------------------------------------------------------

  async latestAlert(key: string): Promise<AlertState | null> {
    const row = this.database
      .prepare('SELECT * FROM monitor_alerts WHERE alert_key = ? ORDER BY id DESC LIMIT 1')
      .get(key) as AlertRow | undefined;
    return row ? toAlert(row) : null;
  }

  async getAlert(id: number): Promise<AlertState | null> {
    const row = this.database.prepare('SELECT * FROM monitor_alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row ? toAlert(row) : null;
  }

  async firingAlerts(): Promise<AlertState[]> {
    const rows = this.database.prepare("SELECT * FROM monitor_alerts WHERE status = 'firing' ORDER BY id").all() as AlertRow[];
    return rows.map(toAlert);
  }

  async listAlerts(options: { status?: 'firing' | 'resolved'; limit: number }): Promise<AlertState[]> {
    const rows = (
      options.status
        ? this.database.prepare('SELECT * FROM monitor_alerts WHERE status = ? ORDER BY id DESC LIMIT ?').all(options.status, options.limit)
        : this.database.prepare('SELECT * FROM monitor_alerts ORDER BY id DESC LIMIT ?').all(options.limit)
    ) as AlertRow[];
    return rows.map(toAlert);
  }

  async openNotification(key: string): Promise<NotificationGroup | null> {
    const row = this.database
      .prepare("SELECT * FROM monitor_notifications WHERE notification_key = ? AND status = 'open'")
      .get(key) as NotificationRow | undefined;
    return row ? toNotification(row) : null;
  }

  async getNotification(id: number): Promise<NotificationGroup | null> {
    const row = this.database.prepare('SELECT * FROM monitor_notifications WHERE id = ?').get(id) as NotificationRow | undefined;
    return row ? toNotification(row) : null;
  }

  async notificationMembers(notificationId: number): Promise<AlertState[]> {
    const rows = this.database.prepare('SELECT * FROM monitor_alerts WHERE notification_id = ? ORDER BY id').all(notificationId) as AlertRow[];
    return rows.map(toAlert);
  }

  async recordRun(record: RunRecord): Promise<RecordedRun> {
    return this.database.transaction((): RecordedRun => {
      const insertAlert = this.database.prepare(
        `INSERT INTO monitor_alerts (${ALERT_COLUMNS}) VALUES (${ALERT_COLUMNS.split(',').map(() => '?').join(', ')})`,
      );
      // The key, scope and first firing of an alert never change; the message belongs to its notification.
      const updateAlert = this.database.prepare(
        `UPDATE monitor_alerts SET status = ?, title = ?, details = ?, last_evaluated_at = ?, resolved_at = ?, last_value = ?,
           notified_at = ?, last_reminder_at = ?, notification_id = ? WHERE id = ?`,
      );
      const logDecision = this.database.prepare(
        'INSERT INTO monitor_alert_decisions (alert_id, at, source, action, reason, value) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const remind = this.database.prepare("UPDATE monitor_alerts SET last_reminder_at = ? WHERE id = ? AND status = 'firing'");
      const result: RecordedRun = { notifications: [] };
      for (const entry of record.notifications) {
        // Step 1: the notification, so its members and messages can point at it.
        let notificationId: number | null = null;
        if (entry.notification) {
          const n = entry.notification;
          if (n.id === undefined) {
            const open = this.database
              .prepare("SELECT id FROM monitor_notifications WHERE notification_key = ? AND status = 'open'")
              .get(n.key) as { id: number } | undefined;
            if (open) throw new NotificationConflictError(n.key);
            try {
              notificationId = Number(
                this.database
                  .prepare(
                    `INSERT INTO monitor_notifications (notification_key, subject, severity, channel, status, opened_at, resolved_at,
                       last_reminder_at, shown) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
                  )
                  .run(n.key, n.subject, n.severity, n.channel, n.status, n.openedAt, n.resolvedAt, n.lastReminderAt, n.shown).lastInsertRowid,
              );
            } catch (error) {
              // The partial unique index: another process opened it between our read and this write.
              if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new NotificationConflictError(n.key);
              throw error;
            }
          } else {
            notificationId = n.id;
            this.database
              .prepare('UPDATE monitor_notifications SET status = ?, resolved_at = ?, last_reminder_at = ?, shown = ? WHERE id = ?')
              .run(n.status, n.resolvedAt, n.lastReminderAt, n.shown, n.id);
          }
        }
        // Step 2: each alert's state and its decision log line.
        const alerts: AlertState[] = [];
        for (const { alert, decision, attach } of entry.alerts) {
          const joined = attach && notificationId !== null ? notificationId : alert.notificationId;
          let id = alert.id;
          if (id === undefined) {
            id = Number(
              insertAlert.run(
                alert.key,
                alert.subject,
                alert.groupId,
                alert.severity,
                alert.status,
                alert.title,
                JSON.stringify(alert.details),
                alert.firstFiringAt,
                alert.lastEvaluatedAt,
                alert.resolvedAt,
                alert.lastValue,
                alert.notifiedAt,
                alert.lastReminderAt,
                alert.acknowledgedBy,
                alert.acknowledgedAt,
                joined,
              ).lastInsertRowid,
            );
          } else {
            updateAlert.run(
              alert.status,
              alert.title,
              JSON.stringify(alert.details),
              alert.lastEvaluatedAt,
              alert.resolvedAt,
              alert.lastValue,
              alert.notifiedAt,
              alert.lastReminderAt,
              joined,
              id,
            );
          }
          logDecision.run(id, record.at, record.source, decision.action, decision.reason, alert.lastValue);
          alerts.push(toAlert(this.database.prepare('SELECT * FROM monitor_alerts WHERE id = ?').get(id) as AlertRow));
        }
        for (const alertId of entry.remindedAlertIds) remind.run(record.at, alertId);
        // Step 3: the messages, in the same transaction as the decisions that caused them.
        this.enqueueSync(
          entry.outbox.map((draft) => ({ ...draft, notificationId: draft.notificationId ?? notificationId })),
          record.at,
        );
        const stored =
          notificationId === null
            ? null
            : toNotification(this.database.prepare('SELECT * FROM monitor_notifications WHERE id = ?').get(notificationId) as NotificationRow);
        result.notifications.push({ notification: stored, alerts });
      }
      return result;
    })();
  }

  async recentDecisions(limit: number): Promise<DecisionLogEntry[]> {
    return this.database
      .prepare(
        `SELECT d.alert_id AS alertId, a.alert_key AS key, d.at, d.source, d.action, d.reason, d.value
         FROM monitor_alert_decisions d JOIN monitor_alerts a ON a.id = d.alert_id ORDER BY d.id DESC LIMIT ?`,
      )
      .all(limit) as DecisionLogEntry[];
  }

  async activeSilences(now: number): Promise<Silence[]> {
    const rows = this.database
      .prepare(
        `SELECT id, subject, group_id AS groupId, severity, until, created_by AS createdBy, reason, created_at AS createdAt
         FROM monitor_silences WHERE until > ? ORDER BY id`,
      )
      .all(now) as Silence[];
    return rows;
  }

  async addSilence(draft: SilenceDraft): Promise<Silence> {
    const id = Number(
      this.database
        .prepare('INSERT INTO monitor_silences (subject, group_id, severity, until, created_by, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(draft.subject, draft.groupId, draft.severity, draft.until, draft.createdBy, draft.reason, draft.createdAt).lastInsertRowid,
    );
    return { id, ...draft };
  }

  async endSilence(id: number, now: number): Promise<boolean> {
    return this.database.prepare('UPDATE monitor_silences SET until = ? WHERE id = ? AND until > ?').run(now, id, now).changes === 1;
  }

  async acknowledge(alertId: number, by: string, at: number): Promise<AlertState> {
    this.database
      .prepare("UPDATE monitor_alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND status = 'firing'")
      .run(by, at, alertId);
    return toAlert(this.database.prepare('SELECT * FROM monitor_alerts WHERE id = ?').get(alertId) as AlertRow);
  }

  // ---- outbox ---------------------------------------------------------------------------------------------

  async enqueue(drafts: OutboxDraft[], at: number): Promise<OutboxRow[]> {
    return this.database.transaction(() => this.enqueueSync(drafts, at))();
  }

  private enqueueSync(drafts: OutboxDraft[], at: number): OutboxRow[] {
    const insert = this.database.prepare(
      `INSERT INTO monitor_outbox (kind, channel, notification_id, message, status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
    );
    const rows: OutboxRow[] = [];
    for (const draft of drafts) {
      if (draft.kind === 'update' && draft.notificationId !== null) {
        // Only the latest edit of a message matters: drop edits still waiting, so a backlog never replays them all.
        this.database
          .prepare("DELETE FROM monitor_outbox WHERE notification_id = ? AND kind = 'update' AND status = 'pending'")
          .run(draft.notificationId);
      }
      const id = Number(insert.run(draft.kind, draft.channel, draft.notificationId, JSON.stringify(draft.message), at, at).lastInsertRowid);
      rows.push(toOutbox(this.database.prepare('SELECT * FROM monitor_outbox WHERE id = ?').get(id) as OutboxSqlRow));
    }
    return rows;
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxRow[]> {
    const rows = this.database
      .prepare("SELECT * FROM monitor_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?")
      .all(now, limit) as OutboxSqlRow[];
    return rows.map(toOutbox);
  }

  async nextOutboxAttemptAt(): Promise<number | null> {
    const row = this.database.prepare("SELECT MIN(next_attempt_at) AS next FROM monitor_outbox WHERE status = 'pending'").get() as {
      next: number | null;
    };
    return row.next;
  }

  async markOutboxSent(id: number, at: number, result: MessageRef | null): Promise<void> {
    this.database.transaction(() => {
      this.database
        .prepare("UPDATE monitor_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, result_channel = ?, result_ts = ?, last_error = NULL WHERE id = ?")
        .run(at, result?.channel ?? null, result?.ts ?? null, id);
      const row = this.database.prepare('SELECT kind, notification_id FROM monitor_outbox WHERE id = ?').get(id) as
        | { kind: string; notification_id: number | null }
        | undefined;
      if (row && row.kind === 'post' && row.notification_id !== null && result) {
        this.database
          .prepare('UPDATE monitor_notifications SET message_channel = ?, message_ts = ? WHERE id = ?')
          .run(result.channel, result.ts, row.notification_id);
      }
    })();
  }

  async markOutboxReposted(id: number, at: number, message: MessageRef): Promise<void> {
    this.database.transaction(() => {
      this.database
        .prepare("UPDATE monitor_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, result_channel = ?, result_ts = ?, last_error = NULL WHERE id = ?")
        .run(at, message.channel, message.ts, id);
      this.database
        .prepare('UPDATE monitor_notifications SET message_channel = ?, message_ts = ? WHERE id = (SELECT notification_id FROM monitor_outbox WHERE id = ?)')
        .run(message.channel, message.ts, id);
    })();
  }

  async markOutboxRetry(id: number, nextAttemptAt: number, error: string): Promise<void> {
    this.database
      .prepare('UPDATE monitor_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(nextAttemptAt, error, id);
  }

  async markOutboxFailed(id: number, at: number, error: string): Promise<void> {
    this.database
      .prepare("UPDATE monitor_outbox SET status = 'failed', attempts = attempts + 1, sent_at = ?, last_error = ? WHERE id = ?")
      .run(at, error, id);
  }

  async claimOutbox(id: number, expectedNextAttemptAt: number, until: number): Promise<boolean> {
    return (
      this.database
        .prepare("UPDATE monitor_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ?")
        .run(until, id, expectedNextAttemptAt).changes === 1
    );
  }

  async deferOutbox(id: number, until: number): Promise<void> {
    this.database.prepare('UPDATE monitor_outbox SET next_attempt_at = ? WHERE id = ?').run(until, id);
  }

  async notificationMessage(
    notificationId: number,
  ): Promise<{ state: 'delivered'; message: MessageRef } | { state: 'pending'; pendingUntil: number } | { state: 'lost' }> {
    const notification = this.database
      .prepare('SELECT message_channel, message_ts FROM monitor_notifications WHERE id = ?')
      .get(notificationId) as { message_channel: string | null; message_ts: string | null } | undefined;
    if (notification?.message_channel && notification.message_ts) {
      return { state: 'delivered', message: { channel: notification.message_channel, ts: notification.message_ts } };
    }
    const post = this.database
      .prepare("SELECT status, next_attempt_at FROM monitor_outbox WHERE notification_id = ? AND kind = 'post' ORDER BY id DESC LIMIT 1")
      .get(notificationId) as { status: OutboxRow['status']; next_attempt_at: number } | undefined;
    if (post?.status === 'pending') return { state: 'pending', pendingUntil: post.next_attempt_at };
    return { state: 'lost' };
  }

  async outboxCounts(): Promise<{ pending: number; sent: number; failed: number }> {
    const counts = { pending: 0, sent: 0, failed: 0 };
    const rows = this.database.prepare('SELECT status, COUNT(*) AS n FROM monitor_outbox GROUP BY status').all() as {
      status: OutboxRow['status'];
      n: number;
    }[];
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  async listOutbox(options: { status?: OutboxRow['status']; limit: number }): Promise<OutboxRow[]> {
    const rows = (
      options.status
        ? this.database.prepare('SELECT * FROM monitor_outbox WHERE status = ? ORDER BY id LIMIT ?').all(options.status, options.limit)
        : this.database.prepare('SELECT * FROM monitor_outbox ORDER BY id LIMIT ?').all(options.limit)
    ) as OutboxSqlRow[];
    return rows.map(toOutbox);
  }

  // ---- job runs -------------------------------------------------------------------------------------------

  async startJobRun(run: Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>): Promise<number> {
    return Number(
      this.database
        .prepare("INSERT INTO monitor_job_runs (job, trigger, scheduled_for, started_at, outcome, instance_id) VALUES (?, ?, ?, ?, 'running', ?)")
        .run(run.job, run.trigger, run.scheduledFor, run.startedAt, run.instanceId).lastInsertRowid,
    );
  }

  async finishJobRun(id: number, result: Pick<JobRun, 'finishedAt' | 'outcome' | 'counts' | 'error'>): Promise<void> {
    this.database
      .prepare('UPDATE monitor_job_runs SET finished_at = ?, outcome = ?, counts = ?, error = ? WHERE id = ?')
      .run(result.finishedAt, result.outcome, JSON.stringify(result.counts), result.error, id);
  }

  async recordSkippedRun(
    run: Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>,
    reason = 'the previous run was still going',
  ): Promise<void> {
    this.database
      .prepare(
        `INSERT INTO monitor_job_runs (job, trigger, scheduled_for, started_at, finished_at, outcome, error, instance_id)
         VALUES (?, ?, ?, ?, ?, 'skipped_overlap', ?, ?)`,
      )
      .run(run.job, run.trigger, run.scheduledFor, run.startedAt, run.startedAt, reason, run.instanceId);
  }

  async abandonRunsOfOthers(instanceId: string, at: number): Promise<number> {
    return this.database
      .prepare(
        `UPDATE monitor_job_runs SET outcome = 'failed', finished_at = ?,
           error = 'abandoned: instance ' || instance_id || ' stopped before the run finished'
         WHERE outcome = 'running' AND instance_id != ? AND trigger IN ('scheduled', 'catch_up')`,
      )
      .run(at, instanceId).changes;
  }

  async lastSucceededRun(job: JobName): Promise<JobRun | null> {
    const row = this.database
      .prepare("SELECT * FROM monitor_job_runs WHERE job = ? AND outcome = 'succeeded' ORDER BY started_at DESC, id DESC LIMIT 1")
      .get(job) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  async recentJobRuns(options: { limit: number; job?: JobName }): Promise<JobRun[]> {
    const rows = (
      options.job
        ? this.database.prepare('SELECT * FROM monitor_job_runs WHERE job = ? ORDER BY id DESC LIMIT ?').all(options.job, options.limit)
        : this.database.prepare('SELECT * FROM monitor_job_runs ORDER BY id DESC LIMIT ?').all(options.limit)
    ) as RunRow[];
    return rows.map(toRun);
  }

  // ---- archival -------------------------------------------------------------------------------------------

  async archiveEventsBefore(cutoff: number, limit: number): Promise<number> {
    return this.database.transaction((): number => {
      const ids = this.database
        .prepare('SELECT id FROM events WHERE archived = 0 AND timestamp < ? ORDER BY timestamp LIMIT ?')
        .all(cutoff, limit) as { id: string }[];
      // patchSync rewrites the indexed columns too, so `archived` stays right for the checks and this query.
      for (const { id } of ids) this.store.patchSync('events', id, { archived: true });
      return ids.length;
    })();
  }

  // ---- snapshots ------------------------------------------------------------------------------------------

  async saveSnapshots(snapshots: Omit<QualitySnapshot, '_id' | '_creationTime'>[], at: number): Promise<QualitySnapshot[]> {
    return this.database.transaction((): QualitySnapshot[] => {
      const tableNumber = this.store.tableNumber(SNAPSHOT_TABLE);
      const insert = this.database.prepare('INSERT INTO other_documents (table_name, id, creation_time, doc) VALUES (?, ?, ?, ?)');
      const last = this.database
        .prepare('SELECT MAX(creation_time) AS t FROM other_documents WHERE table_name = ?')
        .get(SNAPSHOT_TABLE) as { t: number | null };
      let creationTime = Math.max(at, (last.t ?? 0) + 0.001);
      return snapshots.map((snapshot) => {
        const document = { _id: newConvexId(tableNumber, this.random), _creationTime: creationTime, ...snapshot } as QualitySnapshot;
        // Convex's _creationTime is unique per table; keep them increasing.
        creationTime += 0.001;
        insert.run(SNAPSHOT_TABLE, document._id, document._creationTime, stringifyUniform(document as unknown as ConvexValue));
        return document;
      });
    })();
  }

  async snapshotsBetween(from: number, to: number): Promise<QualitySnapshot[]> {
    const rows = this.database.prepare(SNAPSHOT_QUERIES.between).all(from, to) as { doc: string }[];
    return rows.map((row) => parseDocument(row.doc, 'uniform') as unknown as QualitySnapshot);
  }

  async latestSnapshotBefore(groupId: string | null, before: number): Promise<QualitySnapshot | null> {
    const row = (
      groupId === null
        ? this.database.prepare(SNAPSHOT_QUERIES.latestPlatformBefore).get(before)
        : this.database.prepare(SNAPSHOT_QUERIES.latestOfGroupBefore).get(groupId, before)
    ) as { doc: string } | undefined;
    return row ? (parseDocument(row.doc, 'uniform') as unknown as QualitySnapshot) : null;
  }
}
