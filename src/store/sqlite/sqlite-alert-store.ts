/**
 * The SQLite adapter of `AlertStore`: alerts, notifications, the decision log and silences, in the store's
 * database file. `recordRun` also writes the run's outbox rows (with `insertOutboxRows`), in the same
 * transaction as the decisions that caused them.
 */
import {
  NotificationConflictError,
  type AlertStore,
  type DecisionLogEntry,
  type RecordedRun,
  type RunRecord,
  type SilenceDraft,
} from '../../alerts/ports.ts';
import type { AlertState, NotificationGroup, Silence, SilenceBaseline } from '../../alerts/types.ts';
import { NotFoundError } from '../../errors.ts';
import { idOf, rowidOf, toAlert, toNotification, type AlertRow, type NotificationRow } from './monitor-rows.ts';
import { ensureMonitorSchema } from './monitor-schema.ts';
import { insertOutboxRows } from './sqlite-outbox-store.ts';
import type { SqliteStore } from './sqlite-store.ts';

const ALERT_COLUMNS = `alert_key, subject, group_id, severity, status, title, details, first_firing_at, last_evaluated_at,
  resolved_at, last_value, notified_at, last_reminder_at, acknowledged_by, acknowledged_at, notification_id`;

/** The rowid of an id the pipeline got from this store; anything else is a caller's bug. */
function knownRowid(id: string, what: string): number {
  const rowid = rowidOf(id);
  if (rowid === null) throw new Error(`${what} "${id}" was never issued by this store`);
  return rowid;
}

/** Alert state in a `SqliteStore`'s database. Rowid order is only the tiebreak behind an explicit time. */
export class SqliteAlertStore implements AlertStore {
  private readonly database: SqliteStore['database'];

  constructor(store: SqliteStore) {
    this.database = store.database;
    ensureMonitorSchema(this.database);
  }

  async latestAlert(key: string): Promise<AlertState | null> {
    const row = this.database
      .prepare('SELECT * FROM monitor_alerts WHERE alert_key = ? ORDER BY first_firing_at DESC, id DESC LIMIT 1')
      .get(key) as AlertRow | undefined;
    return row ? toAlert(row) : null;
  }

  async getAlert(id: string): Promise<AlertState | null> {
    const row = this.database.prepare('SELECT * FROM monitor_alerts WHERE id = ?').get(rowidOf(id)) as AlertRow | undefined;
    return row ? toAlert(row) : null;
  }

  async firingAlerts(): Promise<AlertState[]> {
    const rows = this.database
      .prepare("SELECT * FROM monitor_alerts WHERE status = 'firing' ORDER BY first_firing_at, id")
      .all() as AlertRow[];
    return rows.map(toAlert);
  }

  async listAlerts(options: { status?: 'firing' | 'resolved'; limit: number }): Promise<AlertState[]> {
    const rows = (
      options.status
        ? this.database
            .prepare('SELECT * FROM monitor_alerts WHERE status = ? ORDER BY first_firing_at DESC, id DESC LIMIT ?')
            .all(options.status, options.limit)
        : this.database.prepare('SELECT * FROM monitor_alerts ORDER BY first_firing_at DESC, id DESC LIMIT ?').all(options.limit)
    ) as AlertRow[];
    return rows.map(toAlert);
  }

  async openNotification(key: string): Promise<NotificationGroup | null> {
    const row = this.database
      .prepare("SELECT * FROM monitor_notifications WHERE notification_key = ? AND status = 'open'")
      .get(key) as NotificationRow | undefined;
    return row ? toNotification(row) : null;
  }

  async getNotification(id: string): Promise<NotificationGroup | null> {
    const row = this.database.prepare('SELECT * FROM monitor_notifications WHERE id = ?').get(rowidOf(id)) as NotificationRow | undefined;
    return row ? toNotification(row) : null;
  }

  async notificationMembers(notificationId: string): Promise<AlertState[]> {
    const rows = this.database
      .prepare('SELECT * FROM monitor_alerts WHERE notification_id = ? ORDER BY first_firing_at, id')
      .all(rowidOf(notificationId)) as AlertRow[];
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
      const selectAlert = this.database.prepare('SELECT * FROM monitor_alerts WHERE id = ?');
      const logDecision = this.database.prepare(
        'INSERT INTO monitor_alert_decisions (alert_id, at, source, action, reason, value) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const remind = this.database.prepare("UPDATE monitor_alerts SET last_reminder_at = ? WHERE id = ? AND status = 'firing'");
      const result: RecordedRun = { notifications: [] };
      for (const entry of record.notifications) {
        // Step 1: the notification, so its members and messages can point at it.
        let notificationRowid: number | null = null;
        if (entry.notification) {
          const n = entry.notification;
          if (n.id === undefined) {
            const open = this.database
              .prepare("SELECT id FROM monitor_notifications WHERE notification_key = ? AND status = 'open'")
              .get(n.key) as { id: number } | undefined;
            if (open) throw new NotificationConflictError(n.key);
            try {
              notificationRowid = Number(
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
            notificationRowid = knownRowid(n.id, 'notification');
            this.database
              .prepare('UPDATE monitor_notifications SET status = ?, resolved_at = ?, last_reminder_at = ?, shown = ? WHERE id = ?')
              .run(n.status, n.resolvedAt, n.lastReminderAt, n.shown, notificationRowid);
          }
        }
        // Step 2: each alert's state and its decision log line.
        const alerts: AlertState[] = [];
        for (const { alert, decision, attach } of entry.alerts) {
          const joined =
            attach && notificationRowid !== null
              ? notificationRowid
              : alert.notificationId === null
                ? null
                : knownRowid(alert.notificationId, 'notification');
          let rowid: number;
          if (alert.id === undefined) {
            rowid = Number(
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
            rowid = knownRowid(alert.id, 'alert');
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
              rowid,
            );
          }
          logDecision.run(rowid, record.at, record.source, decision.action, decision.reason, alert.lastValue);
          alerts.push(toAlert(selectAlert.get(rowid) as AlertRow));
        }
        for (const alertId of entry.remindedAlertIds) remind.run(record.at, knownRowid(alertId, 'alert'));
        // Step 3: the messages, in the same transaction as the decisions that caused them.
        const notificationId = notificationRowid === null ? null : idOf(notificationRowid);
        insertOutboxRows(
          this.database,
          entry.outbox.map((draft) => ({ ...draft, notificationId: draft.notificationId ?? notificationId })),
          record.at,
        );
        const stored =
          notificationRowid === null
            ? null
            : toNotification(this.database.prepare('SELECT * FROM monitor_notifications WHERE id = ?').get(notificationRowid) as NotificationRow);
        result.notifications.push({ notification: stored, alerts });
      }
      return result;
    })();
  }

  async recentDecisions(limit: number): Promise<DecisionLogEntry[]> {
    const rows = this.database
      .prepare(
        `SELECT d.alert_id AS alertId, a.alert_key AS key, d.at, d.source, d.action, d.reason, d.value
         FROM monitor_alert_decisions d JOIN monitor_alerts a ON a.id = d.alert_id ORDER BY d.at DESC, d.id DESC LIMIT ?`,
      )
      .all(limit) as (Omit<DecisionLogEntry, 'alertId'> & { alertId: number })[];
    return rows.map((row) => ({ ...row, alertId: idOf(row.alertId) }));
  }

  async activeSilences(now: number): Promise<Silence[]> {
    const rows = this.database
      .prepare(
        `SELECT id, subject, group_id AS groupId, severity, until, created_by AS createdBy, reason, created_at AS createdAt,
                ends_when_resolved AS endsWhenResolved, baseline
         FROM monitor_silences WHERE until > ? ORDER BY created_at, id`,
      )
      .all(now) as (Omit<Silence, 'id' | 'endsWhenResolved' | 'baseline'> & { id: number; endsWhenResolved: number; baseline: string | null })[];
    return rows.map(({ baseline, ...row }) => ({
      ...row,
      id: idOf(row.id),
      endsWhenResolved: row.endsWhenResolved === 1,
      ...(baseline !== null ? { baseline: JSON.parse(baseline) as SilenceBaseline[] } : {}),
    }));
  }

  async addSilence(draft: SilenceDraft): Promise<Silence> {
    const rowid = Number(
      this.database
        .prepare(
          `INSERT INTO monitor_silences (subject, group_id, severity, until, created_by, reason, created_at, ends_when_resolved, baseline)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          draft.subject,
          draft.groupId,
          draft.severity,
          draft.until,
          draft.createdBy,
          draft.reason,
          draft.createdAt,
          draft.endsWhenResolved ? 1 : 0,
          draft.baseline ? JSON.stringify(draft.baseline) : null,
        )
        .lastInsertRowid,
    );
    return { id: idOf(rowid), ...draft, endsWhenResolved: draft.endsWhenResolved === true };
  }

  async endSilence(id: string, now: number): Promise<boolean> {
    const rowid = rowidOf(id);
    if (rowid === null) return false;
    return this.database.prepare('UPDATE monitor_silences SET until = ? WHERE id = ? AND until > ?').run(now, rowid, now).changes === 1;
  }

  async acknowledge(alertId: string, by: string, at: number): Promise<AlertState> {
    const rowid = rowidOf(alertId);
    this.database
      // The first acknowledgement stands: a second click or a racing process changes nothing.
      .prepare("UPDATE monitor_alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND status = 'firing' AND acknowledged_at IS NULL")
      .run(by, at, rowid);
    const row = this.database.prepare('SELECT * FROM monitor_alerts WHERE id = ?').get(rowid) as AlertRow | undefined;
    if (!row) throw new NotFoundError(`No alert "${alertId}": list them with \`ontology-ops monitor status\`.`);
    return toAlert(row);
  }

  async unacknowledge(alertId: string, at: number): Promise<AlertState> {
    const rowid = rowidOf(alertId);
    this.database
      .prepare(
        "UPDATE monitor_alerts SET acknowledged_by = NULL, acknowledged_at = NULL, last_reminder_at = ? WHERE id = ? AND status = 'firing' AND acknowledged_at IS NOT NULL",
      )
      .run(at, rowid);
    const row = this.database.prepare('SELECT * FROM monitor_alerts WHERE id = ?').get(rowid) as AlertRow | undefined;
    if (!row) throw new NotFoundError(`No alert "${alertId}": list them with \`ontology-ops monitor status\`.`);
    return toAlert(row);
  }
}
