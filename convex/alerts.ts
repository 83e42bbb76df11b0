/**
 * Alert state for the `AlertStore` port (`src/store/convex/alert-store.ts` calls these): alerts, notifications,
 * the decision log and silences. Internal functions; lookups read one index range and at most one document, and
 * listings are pages of one index range (`lib/monitorDocs.ts` has the bounds). Orders are by explicit times, ties
 * by `_creationTime` (the last field of every Convex index), never by id.
 *
 * `recordRun` writes all of one pipeline run (alert states, decision log lines, notifications and the run's outbox
 * rows) in ONE mutation, so it lands whole or not at all; it is bounded by the size of that run's record.
 */
import { ConvexError, getDocumentSize, v, type Value } from 'convex/values';
import { internalMutation, internalQuery } from './_generated/server.js';
import type { Id } from './_generated/dataModel.js';
import {
  alertState,
  alertStateValidator,
  cursorValidator,
  insertOutboxRows,
  nextCursor,
  notificationIdOf,
  notificationState,
  notificationStateValidator,
  outboxDraftValidator,
  pageOptions,
  pageSize,
  silenceState,
  silenceStateValidator,
} from './lib/monitorDocs.js';
import { alertFields, notificationFields, severityValidator, silenceFields } from './validators.js';

/**
 * Entries (notifications + alerts + reminded alerts + outbox rows) one `recordRun` takes at most. Each entry reads
 * at most one index range (≤ 1,000 ≤ 2,048) and 4 documents (the dropped waiting edits of an `update`: ≤ 4,000 ≤
 * 16,000), and writes at most 2 + 4 documents (alert + decision; outbox row + dropped edits: ≤ 6,000 ≤ 8,000).
 */
export const MAX_RUN_ENTRIES = 1_000;
/** Bytes of a run record at most: what it writes is about its own size, within 8 MiB. */
export const MAX_RUN_BYTES = 4 * 1024 * 1024;
/** Decisions per `decisionPage` at most: 500 log lines + 500 alert lookups = 501 index ranges, 1,000 documents. */
export const DECISION_PAGE_ROWS = 500;

const alertDraftValidator = v.object({ ...alertFields, id: v.optional(v.string()), notificationId: v.union(v.string(), v.null()) });
const notificationDraftValidator = v.object({
  id: v.optional(v.string()),
  key: v.string(),
  subject: v.string(),
  severity: severityValidator,
  channel: v.string(),
  status: notificationFields.status,
  openedAt: v.number(),
  resolvedAt: v.union(v.number(), v.null()),
  lastReminderAt: v.union(v.number(), v.null()),
  shown: v.union(v.string(), v.null()),
});
const runRecordValidator = v.object({
  source: v.string(),
  at: v.number(),
  notifications: v.array(
    v.object({
      notification: v.union(notificationDraftValidator, v.null()),
      alerts: v.array(v.object({ alert: alertDraftValidator, decision: v.object({ action: v.string(), reason: v.string() }), attach: v.boolean() })),
      remindedAlertIds: v.array(v.string()),
      outbox: v.array(outboxDraftValidator),
    }),
  ),
});
const alertPageValidator = v.object({ alerts: v.array(alertStateValidator), continueCursor: cursorValidator });
const statusValidator = alertFields.status;

function invalid(message: string): ConvexError<{ code: string; message: string }> {
  return new ConvexError({ code: 'InvalidArgument', message });
}

/** The key's latest alert (latest `firstFiringAt`, ties by creation), firing or resolved, or null. */
export const latest = internalQuery({
  args: { key: v.string() },
  returns: v.union(alertStateValidator, v.null()),
  handler: async (ctx, args) => {
    const doc = await ctx.db
      .query('monitorAlerts')
      .withIndex('by_key_time', (q) => q.eq('key', args.key))
      .order('desc')
      .first();
    return doc === null ? null : alertState(doc);
  },
});

/** The alert with this id, or null (also for a string that is no alert id). */
export const get = internalQuery({
  args: { id: v.string() },
  returns: v.union(alertStateValidator, v.null()),
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId('monitorAlerts', args.id);
    const doc = id === null ? null : await ctx.db.get(id);
    return doc === null ? null : alertState(doc);
  },
});

/**
 * A page of alerts: with `status`, oldest `firstFiringAt` first (`order: 'asc'`, the firing list) or newest
 * first; without, all alerts by `firstFiringAt`. Ties by creation in the same direction.
 */
export const page = internalQuery({
  args: { status: v.union(statusValidator, v.null()), order: v.union(v.literal('asc'), v.literal('desc')), cursor: cursorValidator, numItems: v.number() },
  returns: alertPageValidator,
  handler: async (ctx, args) => {
    const numItems = pageSize(args.numItems);
    const status = args.status;
    const query =
      status === null
        ? ctx.db.query('monitorAlerts').withIndex('by_time')
        : ctx.db.query('monitorAlerts').withIndex('by_status_time', (q) => q.eq('status', status));
    const result = await query.order(args.order).paginate(pageOptions(args.cursor, numItems));
    return { alerts: result.page.map(alertState), continueCursor: nextCursor(result) };
  },
});

/** The open notification of a key, or null. */
export const openNotification = internalQuery({
  args: { key: v.string() },
  returns: v.union(notificationStateValidator, v.null()),
  handler: async (ctx, args) => {
    const doc = await ctx.db
      .query('monitorNotifications')
      .withIndex('by_key_status', (q) => q.eq('key', args.key).eq('status', 'open'))
      .first();
    return doc === null ? null : notificationState(doc);
  },
});

/** The notification with this id, or null. */
export const getNotification = internalQuery({
  args: { id: v.string() },
  returns: v.union(notificationStateValidator, v.null()),
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId('monitorNotifications', args.id);
    const doc = id === null ? null : await ctx.db.get(id);
    return doc === null ? null : notificationState(doc);
  },
});

/** A page of a notification's members, oldest `firstFiringAt` first (ties by creation); none for an unknown id. */
export const memberPage = internalQuery({
  args: { notificationId: v.string(), cursor: cursorValidator, numItems: v.number() },
  returns: alertPageValidator,
  handler: async (ctx, args) => {
    const numItems = pageSize(args.numItems);
    const id = ctx.db.normalizeId('monitorNotifications', args.notificationId);
    if (id === null) return { alerts: [], continueCursor: null };
    const result = await ctx.db
      .query('monitorAlerts')
      .withIndex('by_notification', (q) => q.eq('notificationId', id))
      .paginate(pageOptions(args.cursor, numItems));
    return { alerts: result.page.map(alertState), continueCursor: nextCursor(result) };
  },
});

/**
 * Writes one pipeline run in one mutation (see `MAX_RUN_ENTRIES` for its bounds): per notification record, the
 * notification (opened, or updated), each alert's state and decision log line, the reminder clock of reminded
 * members, then the outbox rows (rows without a notification get this one's). Opening a key that is already open
 * throws `ConvexError({ code: 'NotificationConflict', key })`; the mutation then writes nothing.
 */
export const recordRun = internalMutation({
  args: { record: runRecordValidator },
  returns: v.object({ notifications: v.array(v.object({ notification: v.union(notificationStateValidator, v.null()), alerts: v.array(alertStateValidator) })) }),
  handler: async (ctx, { record }) => {
    const entries = record.notifications.reduce(
      (sum, entry) => sum + (entry.notification === null ? 0 : 1) + entry.alerts.length + entry.remindedAlertIds.length + entry.outbox.length,
      0,
    );
    if (entries > MAX_RUN_ENTRIES) {
      throw invalid(`record has ${entries} entries (notifications, alerts, reminders, outbox rows); at most ${MAX_RUN_ENTRIES} fit one transaction`);
    }
    const bytes = getDocumentSize(record as unknown as Record<string, Value>);
    if (bytes > MAX_RUN_BYTES) throw invalid(`record is ${bytes} bytes; at most ${MAX_RUN_BYTES} fit one transaction`);

    const alertIdOf = (id: string): Id<'monitorAlerts'> => {
      const normalized = ctx.db.normalizeId('monitorAlerts', id);
      if (normalized === null) throw invalid(`alert "${id}" was never issued by this store`);
      return normalized;
    };
    const notifications = [];
    for (const entry of record.notifications) {
      // Step 1: the notification, so its members and messages can point at it.
      let notification = null;
      if (entry.notification !== null) {
        const { id, ...fields } = entry.notification;
        if (id === undefined) {
          const open = await ctx.db
            .query('monitorNotifications')
            .withIndex('by_key_status', (q) => q.eq('key', fields.key).eq('status', 'open'))
            .first();
          if (open !== null) throw new ConvexError({ code: 'NotificationConflict', key: fields.key, message: `notification ${fields.key} is already open` });
          const stored = { ...fields, message: null };
          notification = { id: await ctx.db.insert('monitorNotifications', stored), ...stored };
        } else {
          const existingId = notificationIdOf(ctx.db, id, 'record');
          const existing = await ctx.db.get(existingId);
          if (existing === null) throw new ConvexError({ code: 'NotFound', message: `No notification "${id}"` });
          const changes = { status: fields.status, resolvedAt: fields.resolvedAt, lastReminderAt: fields.lastReminderAt, shown: fields.shown };
          await ctx.db.patch(existingId, changes);
          notification = notificationState({ ...existing, ...changes });
        }
      }
      // Step 2: each alert's state and its decision log line.
      const alerts = [];
      for (const { alert, decision, attach } of entry.alerts) {
        const { id, ...fields } = alert;
        const joined = attach && notification !== null ? notification.id : fields.notificationId === null ? null : notificationIdOf(ctx.db, fields.notificationId, 'alert');
        let state;
        if (id === undefined) {
          const stored = { ...fields, notificationId: joined };
          state = { id: await ctx.db.insert('monitorAlerts', stored), ...stored };
        } else {
          const alertId = alertIdOf(id);
          const existing = await ctx.db.get(alertId);
          if (existing === null) throw new ConvexError({ code: 'NotFound', message: `No alert "${id}"` });
          // The key, scope and first firing of an alert never change, nor does its acknowledgement here.
          const changes = {
            status: fields.status,
            title: fields.title,
            details: fields.details,
            lastEvaluatedAt: fields.lastEvaluatedAt,
            resolvedAt: fields.resolvedAt,
            lastValue: fields.lastValue,
            notifiedAt: fields.notifiedAt,
            lastReminderAt: fields.lastReminderAt,
            notificationId: joined,
          };
          await ctx.db.patch(alertId, changes);
          state = alertState({ ...existing, ...changes });
        }
        await ctx.db.insert('monitorDecisions', {
          alertId: state.id,
          at: record.at,
          source: record.source,
          action: decision.action,
          reason: decision.reason,
          value: fields.lastValue,
        });
        alerts.push(state);
      }
      for (const reminded of entry.remindedAlertIds) {
        const alertId = alertIdOf(reminded);
        const existing = await ctx.db.get(alertId);
        if (existing !== null && existing.status === 'firing') await ctx.db.patch(alertId, { lastReminderAt: record.at });
      }
      // Step 3: the messages, in the same transaction as the decisions that caused them.
      await insertOutboxRows(
        ctx.db,
        entry.outbox.map((draft) => ({ ...draft, notificationId: draft.notificationId ?? notification?.id ?? null })),
        record.at,
      );
      notifications.push({ notification, alerts });
    }
    return { notifications };
  },
});

/** A page of the decision log, newest `at` first (ties: the later written first), each with its alert's key. */
export const decisionPage = internalQuery({
  args: { cursor: cursorValidator, numItems: v.number() },
  returns: v.object({
    decisions: v.array(
      v.object({ alertId: v.id('monitorAlerts'), key: v.string(), at: v.number(), source: v.string(), action: v.string(), reason: v.string(), value: v.union(v.number(), v.null()) }),
    ),
    continueCursor: cursorValidator,
  }),
  handler: async (ctx, args) => {
    const numItems = pageSize(args.numItems, DECISION_PAGE_ROWS);
    const result = await ctx.db.query('monitorDecisions').withIndex('by_time').order('desc').paginate(pageOptions(args.cursor, numItems));
    const keys = new Map<string, string | null>();
    const decisions = [];
    for (const decision of result.page) {
      if (!keys.has(decision.alertId)) keys.set(decision.alertId, (await ctx.db.get(decision.alertId))?.key ?? null);
      const key = keys.get(decision.alertId);
      // The bot never deletes alerts; a line whose alert was deleted by hand is left out rather than failing the page.
      if (key === null || key === undefined) continue;
      decisions.push({ alertId: decision.alertId, key, at: decision.at, source: decision.source, action: decision.action, reason: decision.reason, value: decision.value });
    }
    return { decisions, continueCursor: nextCursor(result) };
  },
});

/** A page of the silences in force at `now` (`until > now`), each with its `_creationTime` for the caller's order. */
export const activeSilencePage = internalQuery({
  args: { now: v.number(), cursor: cursorValidator, numItems: v.number() },
  returns: v.object({ silences: v.array(v.object({ silence: silenceStateValidator, creationTime: v.number() })), continueCursor: cursorValidator }),
  handler: async (ctx, args) => {
    const numItems = pageSize(args.numItems);
    const result = await ctx.db
      .query('monitorSilences')
      .withIndex('by_until', (q) => q.gt('until', args.now))
      .paginate(pageOptions(args.cursor, numItems));
    return {
      silences: result.page.map((doc) => ({ silence: silenceState(doc), creationTime: doc._creationTime })),
      continueCursor: nextCursor(result),
    };
  },
});

/** Adds a silence and returns it with its id. */
export const addSilence = internalMutation({
  args: {
    subject: v.string(),
    groupId: v.union(v.string(), v.null()),
    severity: v.union(severityValidator, v.null()),
    until: v.number(),
    createdBy: v.string(),
    reason: v.string(),
    createdAt: v.number(),
    endsWhenResolved: v.optional(v.boolean()),
    baseline: silenceFields.baseline,
  },
  returns: silenceStateValidator,
  handler: async (ctx, args) => {
    const fields = { ...args, endsWhenResolved: args.endsWhenResolved === true };
    return { id: await ctx.db.insert('monitorSilences', fields), ...fields };
  },
});

/** Ends a silence now (`until` = `now`); false when no silence in force has this id. */
export const endSilence = internalMutation({
  args: { id: v.string(), now: v.number() },
  returns: v.boolean(),
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId('monitorSilences', args.id);
    const silence = id === null ? null : await ctx.db.get(id);
    if (id === null || silence === null || silence.until <= args.now) return false;
    await ctx.db.patch(id, { until: args.now });
    return true;
  },
});

/**
 * Marks a firing alert acknowledged and returns it; a resolved one, or one already acknowledged (the first
 * acknowledgement stands: a second click or a racing process changes nothing), is returned unchanged. An unknown id throws
 * `ConvexError({ code: 'NotFound' })`.
 */
export const acknowledge = internalMutation({
  args: { alertId: v.string(), by: v.string(), at: v.number() },
  returns: alertStateValidator,
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId('monitorAlerts', args.alertId);
    const alert = id === null ? null : await ctx.db.get(id);
    if (id === null || alert === null) throw new ConvexError({ code: 'NotFound', message: `No alert "${args.alertId}"` });
    if (alert.status !== 'firing' || alert.acknowledgedAt !== null) return alertState(alert);
    const changes = { acknowledgedBy: args.by, acknowledgedAt: args.at };
    await ctx.db.patch(id, changes);
    return alertState({ ...alert, ...changes });
  },
});

/**
 * Takes back the acknowledgement of a firing alert and returns it; its reminder clock moves to `at`, so reminders
 * resume a repeat interval later. A resolved or unacknowledged one is returned unchanged. An unknown id throws
 * `ConvexError({ code: 'NotFound' })`.
 */
export const unacknowledge = internalMutation({
  args: { alertId: v.string(), at: v.number() },
  returns: alertStateValidator,
  handler: async (ctx, args) => {
    const id = ctx.db.normalizeId('monitorAlerts', args.alertId);
    const alert = id === null ? null : await ctx.db.get(id);
    if (id === null || alert === null) throw new ConvexError({ code: 'NotFound', message: `No alert "${args.alertId}"` });
    if (alert.status !== 'firing' || alert.acknowledgedAt === null) return alertState(alert);
    const changes = { acknowledgedBy: null, acknowledgedAt: null, lastReminderAt: args.at };
    await ctx.db.patch(id, changes);
    return alertState({ ...alert, ...changes });
  },
});
