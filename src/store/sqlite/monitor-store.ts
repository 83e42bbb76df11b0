/**
 * The SQLite adapter of the monitor and alert ports: job runs, alert state, decisions, silences, the outbox and
 * `dataQualitySnapshots` documents, all in the store's database file so a restart or a second replica sees them.
 */
import type { JobName } from '../../config.ts';
import type { DecisionLogEntry, DecisionRecord, OutboxDraft, OutboxRow, SilenceDraft } from '../../alerts/ports.ts';
import type { AlertDetails, AlertState, MessageRef, Severity, Silence } from '../../alerts/types.ts';
import type { MonitorStateStore } from '../../../monitors/context.ts';
import type { JobRun, QualitySnapshot } from '../../../monitors/ports.ts';
import { newConvexId, type RandomBytes } from '../../ontology/ids.ts';
import { parseDocument, stringifyUniform, type ConvexValue } from '../../ontology/values.ts';
import { MONITOR_SCHEMA, SNAPSHOT_TABLE } from './monitor-schema.ts';
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
}

interface OutboxSqlRow {
  id: number;
  kind: OutboxRow['kind'];
  channel: string;
  alert_id: number | null;
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
    message: row.channel !== null && row.message_ts !== null ? { channel: row.channel, ts: row.message_ts } : null,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at,
  };
}

function toOutbox(row: OutboxSqlRow): OutboxRow {
  return {
    id: row.id,
    kind: row.kind,
    channel: row.channel,
    alertId: row.alert_id,
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

const ALERT_COLUMNS = `alert_key, subject, group_id, severity, status, title, details, first_firing_at, last_evaluated_at,
  resolved_at, last_value, notified_at, last_reminder_at, channel, message_ts, acknowledged_by, acknowledged_at`;

/** Monitor and alert state in a `SqliteStore`'s database. */
export class SqliteMonitorStore implements MonitorStateStore {
  private readonly database: SqliteStore['database'];

  constructor(
    private readonly store: SqliteStore,
    private readonly random?: RandomBytes,
  ) {
    this.database = store.database;
    this.database.exec(MONITOR_SCHEMA);
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

  async recordDecision(record: DecisionRecord): Promise<AlertState> {
    return this.database.transaction((): AlertState => {
      const alert = record.alert;
      const values = [
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
        alert.message?.channel ?? null,
        alert.message?.ts ?? null,
        alert.acknowledgedBy,
        alert.acknowledgedAt,
      ];
      let id = alert.id;
      if (id === undefined) {
        const placeholders = values.map(() => '?').join(', ');
        id = Number(this.database.prepare(`INSERT INTO monitor_alerts (${ALERT_COLUMNS}) VALUES (${placeholders})`).run(...values).lastInsertRowid);
      } else {
        // The message ts is owned by the outbox (set when the post is delivered), so it is not overwritten here.
        this.database
          .prepare(
            `UPDATE monitor_alerts SET status = ?, title = ?, details = ?, last_evaluated_at = ?, resolved_at = ?, last_value = ?,
               notified_at = ?, last_reminder_at = ? WHERE id = ?`,
          )
          .run(
            alert.status,
            alert.title,
            JSON.stringify(alert.details),
            alert.lastEvaluatedAt,
            alert.resolvedAt,
            alert.lastValue,
            alert.notifiedAt,
            alert.lastReminderAt,
            id,
          );
      }
      this.database
        .prepare('INSERT INTO monitor_alert_decisions (alert_id, at, source, action, reason, value) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, record.at, record.source, record.decision.action, record.decision.reason, alert.lastValue);
      const alertId = id;
      this.enqueueSync(
        record.outbox.map((draft) => ({ ...draft, alertId: draft.alertId ?? alertId })),
        record.at,
      );
      return toAlert(this.database.prepare('SELECT * FROM monitor_alerts WHERE id = ?').get(id) as AlertRow);
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
      `INSERT INTO monitor_outbox (kind, channel, alert_id, message, status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
    );
    const rows: OutboxRow[] = [];
    for (const draft of drafts) {
      if (draft.kind === 'update' && draft.alertId !== null) {
        // Only the latest edit of a message matters: drop edits still waiting, so a backlog never replays them all.
        this.database
          .prepare("DELETE FROM monitor_outbox WHERE alert_id = ? AND kind = 'update' AND status = 'pending'")
          .run(draft.alertId);
      }
      const id = Number(insert.run(draft.kind, draft.channel, draft.alertId, JSON.stringify(draft.message), at, at).lastInsertRowid);
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
      const row = this.database.prepare('SELECT kind, alert_id FROM monitor_outbox WHERE id = ?').get(id) as
        | { kind: string; alert_id: number | null }
        | undefined;
      if (row && row.kind === 'post' && row.alert_id !== null && result) {
        this.database.prepare('UPDATE monitor_alerts SET channel = ?, message_ts = ? WHERE id = ?').run(result.channel, result.ts, row.alert_id);
      }
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

  async alertMessage(
    alertId: number,
  ): Promise<{ state: 'delivered'; message: MessageRef } | { state: 'pending'; pendingUntil: number } | { state: 'lost' }> {
    const alert = this.database.prepare('SELECT channel, message_ts FROM monitor_alerts WHERE id = ?').get(alertId) as
      | { channel: string | null; message_ts: string | null }
      | undefined;
    if (alert?.channel && alert.message_ts) return { state: 'delivered', message: { channel: alert.channel, ts: alert.message_ts } };
    const post = this.database
      .prepare("SELECT status, next_attempt_at FROM monitor_outbox WHERE alert_id = ? AND kind = 'post' ORDER BY id DESC LIMIT 1")
      .get(alertId) as { status: OutboxRow['status']; next_attempt_at: number } | undefined;
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

  async recordSkippedRun(run: Pick<JobRun, 'job' | 'trigger' | 'scheduledFor' | 'startedAt' | 'instanceId'>): Promise<void> {
    this.database
      .prepare(
        `INSERT INTO monitor_job_runs (job, trigger, scheduled_for, started_at, finished_at, outcome, error, instance_id)
         VALUES (?, ?, ?, ?, ?, 'skipped_overlap', 'the previous run was still going', ?)`,
      )
      .run(run.job, run.trigger, run.scheduledFor, run.startedAt, run.startedAt, run.instanceId);
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
    const rows = this.database
      .prepare(
        `SELECT doc FROM other_documents WHERE table_name = '${SNAPSHOT_TABLE}'
           AND json_extract(doc, '$.timestamp') >= ? AND json_extract(doc, '$.timestamp') <= ?
         ORDER BY json_extract(doc, '$.timestamp'), creation_time`,
      )
      .all(from, to) as { doc: string }[];
    return rows.map((row) => parseDocument(row.doc, 'uniform') as unknown as QualitySnapshot);
  }

  async latestSnapshotBefore(groupId: string | null, before: number): Promise<QualitySnapshot | null> {
    const row = (
      groupId === null
        ? this.database
            .prepare(
              `SELECT doc FROM other_documents WHERE table_name = '${SNAPSHOT_TABLE}' AND json_extract(doc, '$.groupId') IS NULL
                 AND json_extract(doc, '$.timestamp') < ? ORDER BY json_extract(doc, '$.timestamp') DESC LIMIT 1`,
            )
            .get(before)
        : this.database
            .prepare(
              `SELECT doc FROM other_documents WHERE table_name = '${SNAPSHOT_TABLE}' AND json_extract(doc, '$.groupId') = ?
                 AND json_extract(doc, '$.timestamp') < ? ORDER BY json_extract(doc, '$.timestamp') DESC LIMIT 1`,
            )
            .get(groupId, before)
    ) as { doc: string } | undefined;
    return row ? (parseDocument(row.doc, 'uniform') as unknown as QualitySnapshot) : null;
  }
}
