/**
 * Shared by the monitor-state functions (`alerts.ts`, `outbox.ts`, `jobRuns.ts`, `snapshots.ts`): page bounds,
 * the wire shapes of the ports' records (a stored document with `_id` as the port's `id`), and the outbox insert
 * that `alerts:recordRun` and `outbox:enqueue` both do.
 *
 * Every listing reads one index range through `paginate` with `maximumRowsRead` and `maximumBytesRead`, so a page
 * scans at most `MONITOR_PAGE_ROWS` documents (+ the one crossing the byte bound, ≤ 1 MiB) and at most
 * `MONITOR_PAGE_BYTES` + 1 MiB: within half of Convex's 32,000 documents and 16 MiB whatever the table holds.
 */
import { ConvexError, v, type Infer } from 'convex/values';
import type { GenericDatabaseWriter } from 'convex/server';
import type { DataModel, Doc, Id } from '../_generated/dataModel.js';
import { alertFields, jobRunFields, notificationFields, outboxFields, silenceFields } from '../validators.js';

/** Documents a monitor page returns at most (the adapter asks for fewer when it needs fewer). */
export const MONITOR_PAGE_ROWS = 1_000;
/** Bytes a monitor page reads before it stops early: 4 MiB + the crossing document (≤ 1 MiB) ≤ 8 MiB. */
export const MONITOR_PAGE_BYTES = 4 * 1024 * 1024;
/** Documents scanned per counting page (`outbox:countPage`): 8,000 ≤ 16,000; bytes bounded as above. */
export const COUNT_PAGE_ROWS = 8_000;

/** A continue cursor: Convex's, or null when the range is done. */
export const cursorValidator = v.union(v.string(), v.null());

/** The page size a caller asked for, checked: a whole number from 1 to `max`. */
export function pageSize(numItems: number, max: number = MONITOR_PAGE_ROWS): number {
  if (!Number.isSafeInteger(numItems) || numItems < 1 || numItems > max) {
    throw new ConvexError({ code: 'InvalidArgument', message: `numItems must be a whole number from 1 to ${max}, got ${numItems}` });
  }
  return numItems;
}

/** `paginate` options of one bounded monitor page. */
export function pageOptions(cursor: string | null, numItems: number, maximumRowsRead: number = numItems) {
  return { cursor, numItems, maximumRowsRead, maximumBytesRead: MONITOR_PAGE_BYTES };
}

/** A page's continue cursor, null once the range is done. */
export function nextCursor(page: { isDone: boolean; continueCursor: string }): string | null {
  return page.isDone ? null : page.continueCursor;
}

/** An `AlertState` as the port returns it. */
export const alertStateValidator = v.object({ id: v.id('monitorAlerts'), ...alertFields });
/** An alert state on the wire. */
export type AlertStateValue = Infer<typeof alertStateValidator>;

/** The port's alert state of a stored alert. */
export function alertState(doc: Doc<'monitorAlerts'>): AlertStateValue {
  const { _id, _creationTime: _, ...fields } = doc;
  return { id: _id, ...fields };
}

/** A `NotificationGroup` as the port returns it. */
export const notificationStateValidator = v.object({ id: v.id('monitorNotifications'), ...notificationFields });

/** The port's notification of a stored one. */
export function notificationState(doc: Doc<'monitorNotifications'>): Infer<typeof notificationStateValidator> {
  const { _id, _creationTime: _, ...fields } = doc;
  return { id: _id, ...fields };
}

/** A `Silence` as the port returns it (`endsWhenResolved` always present). */
export const silenceStateValidator = v.object({ id: v.id('monitorSilences'), ...silenceFields, endsWhenResolved: v.boolean() });

/** The port's silence of a stored one; a silence stored without `endsWhenResolved` does not end when resolved. */
export function silenceState(doc: Doc<'monitorSilences'>): Infer<typeof silenceStateValidator> {
  const { _id, _creationTime: _, ...fields } = doc;
  return { id: _id, ...fields, endsWhenResolved: fields.endsWhenResolved === true };
}

/** An `OutboxRow` as the port returns it. */
export const outboxRowValidator = v.object({ id: v.id('monitorOutbox'), ...outboxFields });
/** An outbox row on the wire. */
export type OutboxRowValue = Infer<typeof outboxRowValidator>;

/** The port's outbox row of a stored one. */
export function outboxRow(doc: Doc<'monitorOutbox'>): OutboxRowValue {
  const { _id, _creationTime: _, ...fields } = doc;
  return { id: _id, ...fields, target: fields.target ?? null, replaceKey: fields.replaceKey ?? null };
}

/** A `JobRun` as the port returns it. */
export const jobRunStateValidator = v.object({ id: v.id('monitorJobRuns'), ...jobRunFields });

/** The port's job run of a stored one. */
export function jobRunState(doc: Doc<'monitorJobRuns'>): Infer<typeof jobRunStateValidator> {
  const { _id, _creationTime: _, ...fields } = doc;
  return { id: _id, ...fields };
}

/** An `OutboxDraft` as sent: the notification is the port's id string (checked by `notificationIdOf`). */
export const outboxDraftValidator = v.object({
  kind: outboxFields.kind,
  channel: v.string(),
  notificationId: v.union(v.string(), v.null()),
  message: v.any(),
  target: outboxFields.target,
  replaceKey: outboxFields.replaceKey,
});
/** An outbox draft on the wire. */
export type OutboxDraftValue = Infer<typeof outboxDraftValidator>;

/** The notification id behind a port id; an id this deployment never issued is the caller's bug. */
export function notificationIdOf(db: GenericDatabaseWriter<DataModel>, id: string, what: string): Id<'monitorNotifications'> {
  const normalized = db.normalizeId('monitorNotifications', id);
  if (normalized === null) throw new ConvexError({ code: 'InvalidArgument', message: `${what} refers to notification "${id}", which this store never issued` });
  return normalized;
}

/**
 * Waiting edits of one notification deleted per insert at most. Each insert of an edit deletes the one before,
 * so at most one waits; the bound only keeps the read finite should that ever not hold.
 */
const WAITING_EDITS_READ = 4;

/**
 * Inserts outbox rows, dropping a notification's waiting edit, or the pending row of the same replace key, first
 * (only the latest edit matters, so a backlog never replays them all). Reads one index range per `update` draft; writes one document per draft (+ the
 * dropped edit).
 */
export async function insertOutboxRows(db: GenericDatabaseWriter<DataModel>, drafts: readonly OutboxDraftValue[], at: number): Promise<OutboxRowValue[]> {
  const rows: OutboxRowValue[] = [];
  for (const draft of drafts) {
    const notificationId = draft.notificationId === null ? null : notificationIdOf(db, draft.notificationId, 'outbox row');
    if (draft.kind === 'update' && notificationId !== null) {
      const waiting = await db
        .query('monitorOutbox')
        .withIndex('by_notification', (q) => q.eq('notificationId', notificationId).eq('kind', 'update').eq('status', 'pending'))
        .take(WAITING_EDITS_READ);
      for (const row of waiting) await db.delete(row._id);
    }
    const target = draft.target ?? null;
    if (draft.kind === 'edit' && target === null) {
      throw new ConvexError({ code: 'InvalidArgument', message: 'an edit outbox row needs its target message (channel and ts)' });
    }
    if (draft.replaceKey) {
      const replaced = await db
        .query('monitorOutbox')
        .withIndex('by_replace_key', (q) => q.eq('replaceKey', draft.replaceKey).eq('status', 'pending'))
        .take(WAITING_EDITS_READ);
      for (const row of replaced) await db.delete(row._id);
    }
    const fields = {
      kind: draft.kind,
      channel: draft.channel,
      notificationId,
      message: draft.message,
      target,
      replaceKey: draft.replaceKey ?? null,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: at,
      lastError: null,
      createdAt: at,
      sentAt: null,
      result: null,
    };
    rows.push({ id: await db.insert('monitorOutbox', fields), ...fields });
  }
  return rows;
}
