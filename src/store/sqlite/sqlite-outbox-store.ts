/** The SQLite adapter of `OutboxStore`: messages waiting for delivery, in the store's database file. */
import type { OutboxDraft, OutboxRow, OutboxStore } from '../../alerts/ports.ts';
import type { MessageRef } from '../../alerts/types.ts';
import { ensureMonitorSchema } from './monitor-schema.ts';
import { rowidOf, toOutbox, type OutboxSqlRow } from './monitor-rows.ts';
import type { SqliteStore } from './sqlite-store.ts';

type Database = SqliteStore['database'];

/**
 * Inserts outbox rows; call inside a transaction (the alert store's `recordRun` writes a run's rows with its
 * decisions). A waiting edit of the same notification, or a pending row of the same replace key, is dropped first:
 * only the latest edit matters, so a backlog never replays them all.
 */
export function insertOutboxRows(database: Database, drafts: readonly OutboxDraft[], at: number): OutboxRow[] {
  const insert = database.prepare(
    `INSERT INTO monitor_outbox (kind, channel, notification_id, message, target_channel, target_ts, replace_key, status, attempts, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
  );
  const dropReplaced = database.prepare("DELETE FROM monitor_outbox WHERE replace_key = ? AND status = 'pending'");
  const dropWaitingEdits = database.prepare("DELETE FROM monitor_outbox WHERE notification_id = ? AND kind = 'update' AND status = 'pending'");
  const select = database.prepare('SELECT * FROM monitor_outbox WHERE id = ?');
  const rows: OutboxRow[] = [];
  for (const draft of drafts) {
    const notificationRowid = draft.notificationId === null ? null : rowidOf(draft.notificationId);
    if (draft.notificationId !== null && notificationRowid === null) {
      throw new Error(`outbox row refers to notification "${draft.notificationId}", which this store never issued`);
    }
    const target = draft.target ?? null;
    if (draft.kind === 'edit' && target === null) throw new Error('an edit outbox row needs its target message (channel and ts)');
    if (draft.kind === 'update' && notificationRowid !== null) dropWaitingEdits.run(notificationRowid);
    if (draft.replaceKey) dropReplaced.run(draft.replaceKey);
    const id = Number(
      insert.run(draft.kind, draft.channel, notificationRowid, JSON.stringify(draft.message), target?.channel ?? null, target?.ts ?? null, draft.replaceKey ?? null, at, at)
        .lastInsertRowid,
    );
    rows.push(toOutbox(select.get(id) as OutboxSqlRow));
  }
  return rows;
}

/** The outbox in a `SqliteStore`'s database. Rowid order is only the tiebreak behind `created_at`. */
export class SqliteOutboxStore implements OutboxStore {
  private readonly database: Database;

  constructor(store: SqliteStore) {
    this.database = store.database;
    ensureMonitorSchema(this.database);
  }

  async enqueue(drafts: OutboxDraft[], at: number): Promise<OutboxRow[]> {
    return this.database.transaction(() => insertOutboxRows(this.database, drafts, at))();
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxRow[]> {
    const rows = this.database
      .prepare("SELECT * FROM monitor_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY created_at, id LIMIT ?")
      .all(now, limit) as OutboxSqlRow[];
    return rows.map(toOutbox);
  }

  async nextOutboxAttemptAt(): Promise<number | null> {
    const row = this.database.prepare("SELECT MIN(next_attempt_at) AS next FROM monitor_outbox WHERE status = 'pending'").get() as {
      next: number | null;
    };
    return row.next;
  }

  async markOutboxSent(id: string, at: number, result: MessageRef | null): Promise<void> {
    const rowid = rowidOf(id);
    if (rowid === null) return;
    this.database.transaction(() => {
      this.database
        .prepare("UPDATE monitor_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, result_channel = ?, result_ts = ?, last_error = NULL WHERE id = ?")
        .run(at, result?.channel ?? null, result?.ts ?? null, rowid);
      const row = this.database.prepare('SELECT kind, notification_id FROM monitor_outbox WHERE id = ?').get(rowid) as
        | { kind: string; notification_id: number | null }
        | undefined;
      if (row && row.kind === 'post' && row.notification_id !== null && result) {
        this.database
          .prepare('UPDATE monitor_notifications SET message_channel = ?, message_ts = ? WHERE id = ?')
          .run(result.channel, result.ts, row.notification_id);
      }
    })();
  }

  async markOutboxReposted(id: string, at: number, message: MessageRef): Promise<void> {
    const rowid = rowidOf(id);
    if (rowid === null) return;
    this.database.transaction(() => {
      this.database
        .prepare("UPDATE monitor_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, result_channel = ?, result_ts = ?, last_error = NULL WHERE id = ?")
        .run(at, message.channel, message.ts, rowid);
      this.database
        .prepare('UPDATE monitor_notifications SET message_channel = ?, message_ts = ? WHERE id = (SELECT notification_id FROM monitor_outbox WHERE id = ?)')
        .run(message.channel, message.ts, rowid);
    })();
  }

  async markOutboxRetry(id: string, nextAttemptAt: number, error: string): Promise<void> {
    this.database
      .prepare('UPDATE monitor_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(nextAttemptAt, error, rowidOf(id));
  }

  async markOutboxFailed(id: string, at: number, error: string): Promise<void> {
    this.database
      .prepare("UPDATE monitor_outbox SET status = 'failed', attempts = attempts + 1, sent_at = ?, last_error = ? WHERE id = ?")
      .run(at, error, rowidOf(id));
  }

  async claimOutbox(id: string, expectedNextAttemptAt: number, until: number): Promise<boolean> {
    return (
      this.database
        .prepare("UPDATE monitor_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at = ?")
        .run(until, rowidOf(id), expectedNextAttemptAt).changes === 1
    );
  }

  async deferOutbox(id: string, until: number): Promise<void> {
    this.database.prepare('UPDATE monitor_outbox SET next_attempt_at = ? WHERE id = ?').run(until, rowidOf(id));
  }

  async notificationMessage(
    notificationId: string,
  ): Promise<{ state: 'delivered'; message: MessageRef } | { state: 'pending'; pendingUntil: number } | { state: 'lost' }> {
    const rowid = rowidOf(notificationId);
    const notification = this.database
      .prepare('SELECT message_channel, message_ts FROM monitor_notifications WHERE id = ?')
      .get(rowid) as { message_channel: string | null; message_ts: string | null } | undefined;
    if (notification?.message_channel && notification.message_ts) {
      return { state: 'delivered', message: { channel: notification.message_channel, ts: notification.message_ts } };
    }
    const post = this.database
      .prepare(
        "SELECT status, next_attempt_at FROM monitor_outbox WHERE notification_id = ? AND kind = 'post' ORDER BY created_at DESC, id DESC LIMIT 1",
      )
      .get(rowid) as { status: OutboxRow['status']; next_attempt_at: number } | undefined;
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
        ? this.database.prepare('SELECT * FROM monitor_outbox WHERE status = ? ORDER BY created_at, id LIMIT ?').all(options.status, options.limit)
        : this.database.prepare('SELECT * FROM monitor_outbox ORDER BY created_at, id LIMIT ?').all(options.limit)
    ) as OutboxSqlRow[];
    return rows.map(toOutbox);
  }
}
