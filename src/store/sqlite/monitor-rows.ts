/**
 * Rows of the monitor tables as SQLite returns them, their conversion to the ports' records, and the mapping
 * between the tables' INTEGER rowids and the ports' opaque string ids. Shared by the monitor port adapters.
 */
import type { OutboxRow } from '../../alerts/ports.ts';
import type { AlertDetails, AlertState, NotificationGroup, Severity } from '../../alerts/types.ts';
import type { JobName } from '../../config.ts';
import type { JobRun } from '../../../monitors/ports.ts';

/** The port's id of a rowid. */
export function idOf(rowid: number): string {
  return String(rowid);
}

/** The port's id of a nullable rowid column. */
export function optionalIdOf(rowid: number | null): string | null {
  return rowid === null ? null : String(rowid);
}

/**
 * The rowid behind a port id, or null for a string this adapter never issued (callers treat it as not found);
 * leading zeros, signs and other spellings of a number are not ids.
 */
export function rowidOf(id: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(id)) return null;
  const rowid = Number(id);
  return Number.isSafeInteger(rowid) ? rowid : null;
}

/** A `monitor_alerts` row. */
export interface AlertRow {
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

/** A `monitor_notifications` row. */
export interface NotificationRow {
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

/** A `monitor_outbox` row. */
export interface OutboxSqlRow {
  id: number;
  kind: OutboxRow['kind'];
  channel: string;
  notification_id: number | null;
  message: string;
  target_channel: string | null;
  target_ts: string | null;
  replace_key: string | null;
  status: OutboxRow['status'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  result_channel: string | null;
  result_ts: string | null;
}

/** A `monitor_job_runs` row. */
export interface RunRow {
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

/** An alert as the ports see it. */
export function toAlert(row: AlertRow): AlertState {
  return {
    id: idOf(row.id),
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
    notificationId: optionalIdOf(row.notification_id),
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at,
  };
}

/** A notification as the ports see it. */
export function toNotification(row: NotificationRow): NotificationGroup {
  return {
    id: idOf(row.id),
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

/** An outbox row as the ports see it. */
export function toOutbox(row: OutboxSqlRow): OutboxRow {
  return {
    id: idOf(row.id),
    kind: row.kind,
    channel: row.channel,
    notificationId: optionalIdOf(row.notification_id),
    message: JSON.parse(row.message) as OutboxRow['message'],
    target: row.target_channel !== null && row.target_ts !== null ? { channel: row.target_channel, ts: row.target_ts } : null,
    replaceKey: row.replace_key,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    result: row.result_channel !== null && row.result_ts !== null ? { channel: row.result_channel, ts: row.result_ts } : null,
  };
}

/** A job run as the ports see it. */
export function toRun(row: RunRow): JobRun {
  return {
    id: idOf(row.id),
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
