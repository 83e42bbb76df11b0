/**
 * One-time adoption of a database written before notifications existed, when its monitor tables are first
 * opened by this release (`ensureMonitorSchema` calls it after adding the notification columns).
 */
import type Database from 'better-sqlite3';
import { notificationKey } from '../../alerts/types.ts';
import type { AlertRow, NotificationRow } from './monitor-rows.ts';

/**
 * A database written before notifications existed kept each alert's message on the alert. Its firing alerts
 * join one notification per subject, severity and channel (whose message is the first one delivered, so
 * that message is edited from now on), their waiting edits and replies follow them, and a second waiting
 * post of the same notification is dropped. Rowid order is creation order here: that release wrote no other.
 */
export function adoptLegacyMessages(database: Database.Database): void {
  database.transaction(() => {
    const legacy = database
      .prepare(
        `SELECT id, subject, severity, channel, message_ts, first_firing_at, last_reminder_at FROM monitor_alerts
         WHERE status = 'firing' AND notified_at IS NOT NULL AND notification_id IS NULL AND severity != 'info' ORDER BY id`,
      )
      .all() as Pick<AlertRow, 'id' | 'subject' | 'severity' | 'channel' | 'message_ts' | 'first_firing_at' | 'last_reminder_at'>[];
    for (const alert of legacy) {
      // The channel as configured when it was posted (the key's channel), not the id Slack answered with.
      const post = database
        .prepare("SELECT channel FROM monitor_outbox WHERE alert_id = ? AND kind = 'post' ORDER BY id LIMIT 1")
        .get(alert.id) as { channel: string } | undefined;
      const channel = post?.channel ?? alert.channel;
      if (channel === null) continue;
      const key = notificationKey(alert.subject, alert.severity, channel);
      const open = database
        .prepare("SELECT * FROM monitor_notifications WHERE notification_key = ? AND status = 'open'")
        .get(key) as NotificationRow | undefined;
      let notificationId = open?.id;
      if (notificationId === undefined) {
        notificationId = Number(
          database
            .prepare(
              `INSERT INTO monitor_notifications (notification_key, subject, severity, channel, status, opened_at, last_reminder_at,
                 message_channel, message_ts) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
            )
            .run(key, alert.subject, alert.severity, channel, alert.first_firing_at, alert.last_reminder_at, alert.channel, alert.message_ts)
            .lastInsertRowid,
        );
      } else if (open!.message_ts === null && alert.message_ts !== null) {
        database
          .prepare('UPDATE monitor_notifications SET message_channel = ?, message_ts = ? WHERE id = ?')
          .run(alert.channel, alert.message_ts, notificationId);
      }
      database.prepare('UPDATE monitor_alerts SET notification_id = ? WHERE id = ?').run(notificationId, alert.id);
    }
    database
      .prepare(
        `UPDATE monitor_outbox SET notification_id = (SELECT a.notification_id FROM monitor_alerts a WHERE a.id = monitor_outbox.alert_id)
         WHERE status = 'pending' AND notification_id IS NULL AND alert_id IS NOT NULL`,
      )
      .run();
    database
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
