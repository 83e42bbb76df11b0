/**
 * The `AlertStore` port over a Convex deployment (`convex/alerts.ts`): lookups are one query each, listings page
 * through the server's bounded pages, and `recordRun` is ONE mutation, so a run's alert states, decision log,
 * notifications and outbox rows land together or not at all. Ids are the deployment's document ids.
 */
import {
  NotificationConflictError,
  type AlertDraft,
  type AlertStore,
  type DecisionLogEntry,
  type NotificationDraft,
  type OutboxDraft,
  type RecordedRun,
  type RunRecord,
  type SilenceDraft,
} from '../../alerts/ports.ts';
import type { AlertState, NotificationGroup, Silence } from '../../alerts/types.ts';
import { InvalidArgumentError, NotFoundError } from '../../errors.ts';
import type { Value } from 'convex/values';
import { convexErrorData, type ConvexCaller } from './client.ts';
import { checkedLimit, readPages } from './pages.ts';

/** Decisions per page (the server's `DECISION_PAGE_ROWS`). */
const DECISION_PAGE_ROWS = 500;

/** The alert fields the server stores, picked from a draft (whatever else the caller's object carries). */
function alertWire(alert: AlertDraft): Record<string, Value> {
  return {
    ...(alert.id === undefined ? {} : { id: alert.id }),
    key: alert.key,
    subject: alert.subject,
    groupId: alert.groupId,
    severity: alert.severity,
    status: alert.status,
    title: alert.title,
    details: alert.details as unknown as Value,
    firstFiringAt: alert.firstFiringAt,
    lastEvaluatedAt: alert.lastEvaluatedAt,
    resolvedAt: alert.resolvedAt,
    lastValue: alert.lastValue,
    notifiedAt: alert.notifiedAt,
    lastReminderAt: alert.lastReminderAt,
    notificationId: alert.notificationId,
    acknowledgedBy: alert.acknowledgedBy,
    acknowledgedAt: alert.acknowledgedAt,
  };
}

function notificationWire(notification: NotificationDraft): Record<string, Value> {
  return {
    ...(notification.id === undefined ? {} : { id: notification.id }),
    key: notification.key,
    subject: notification.subject,
    severity: notification.severity,
    channel: notification.channel,
    status: notification.status,
    openedAt: notification.openedAt,
    resolvedAt: notification.resolvedAt,
    lastReminderAt: notification.lastReminderAt,
    shown: notification.shown,
  };
}

/** An outbox draft as the server takes it. */
export function outboxDraftWire(draft: OutboxDraft): Record<string, Value> {
  return {
    kind: draft.kind,
    channel: draft.channel,
    notificationId: draft.notificationId,
    message: draft.message as unknown as Value,
    ...(draft.target ? { target: { channel: draft.target.channel, ts: draft.target.ts } } : {}),
    ...(draft.replaceKey ? { replaceKey: draft.replaceKey } : {}),
  };
}

/** Alert state in a Convex deployment (constructed by the composition root). */
export class ConvexAlertStore implements AlertStore {
  constructor(private readonly caller: ConvexCaller) {}

  latestAlert(key: string): Promise<AlertState | null> {
    return this.caller.query<AlertState | null>('alerts:latest', { key });
  }

  getAlert(id: string): Promise<AlertState | null> {
    return this.caller.query<AlertState | null>('alerts:get', { id });
  }

  firingAlerts(): Promise<AlertState[]> {
    return readPages<AlertState>(this.caller, 'alerts:page', { status: 'firing', order: 'asc' }, 'alerts', Infinity);
  }

  listAlerts(options: { status?: 'firing' | 'resolved'; limit: number }): Promise<AlertState[]> {
    return readPages<AlertState>(this.caller, 'alerts:page', { status: options.status ?? null, order: 'desc' }, 'alerts', checkedLimit(options.limit));
  }

  openNotification(key: string): Promise<NotificationGroup | null> {
    return this.caller.query<NotificationGroup | null>('alerts:openNotification', { key });
  }

  getNotification(id: string): Promise<NotificationGroup | null> {
    return this.caller.query<NotificationGroup | null>('alerts:getNotification', { id });
  }

  notificationMembers(notificationId: string): Promise<AlertState[]> {
    return readPages<AlertState>(this.caller, 'alerts:memberPage', { notificationId }, 'alerts', Infinity);
  }

  async recordRun(record: RunRecord): Promise<RecordedRun> {
    const wire = {
      source: record.source,
      at: record.at,
      notifications: record.notifications.map((entry) => ({
        notification: entry.notification === null ? null : notificationWire(entry.notification),
        alerts: entry.alerts.map(({ alert, decision, attach }) => ({ alert: alertWire(alert), decision: { action: decision.action, reason: decision.reason }, attach })),
        remindedAlertIds: [...entry.remindedAlertIds],
        outbox: entry.outbox.map(outboxDraftWire),
      })),
    };
    try {
      return await this.caller.mutation<RecordedRun>('alerts:recordRun', { record: wire });
    } catch (error) {
      if (convexErrorData(error)?.code === 'NotificationConflict') {
        const key = (error as { data: { key?: unknown } }).data.key;
        throw new NotificationConflictError(typeof key === 'string' ? key : '');
      }
      const data = convexErrorData(error);
      if (data?.code === 'InvalidArgument') throw new InvalidArgumentError(`The run record cannot be written: ${data.message}.`);
      if (data?.code === 'NotFound') throw new NotFoundError(`The run record cannot be written: ${data.message}.`);
      throw error;
    }
  }

  async recentDecisions(limit: number): Promise<DecisionLogEntry[]> {
    return readPages<DecisionLogEntry>(this.caller, 'alerts:decisionPage', {}, 'decisions', checkedLimit(limit), DECISION_PAGE_ROWS);
  }

  async activeSilences(now: number): Promise<Silence[]> {
    const entries = await readPages<{ silence: Silence; creationTime: number }>(this.caller, 'alerts:activeSilencePage', { now }, 'silences', Infinity);
    return entries.sort((a, b) => a.silence.createdAt - b.silence.createdAt || a.creationTime - b.creationTime).map((entry) => entry.silence);
  }

  addSilence(draft: SilenceDraft): Promise<Silence> {
    const { subject, groupId, severity, until, createdBy, reason, createdAt } = draft;
    const endsWhenResolved = draft.endsWhenResolved === true;
    const args: Record<string, Value> = { subject, groupId, severity, until, createdBy, reason, createdAt, endsWhenResolved };
    if (draft.baseline) args.baseline = draft.baseline.map(({ groupId, severity, value }) => ({ groupId, severity, value }));
    return this.caller.mutation<Silence>('alerts:addSilence', args);
  }

  endSilence(id: string, now: number): Promise<boolean> {
    return this.caller.mutation<boolean>('alerts:endSilence', { id, now });
  }

  async acknowledge(alertId: string, by: string, at: number): Promise<AlertState> {
    try {
      return await this.caller.mutation<AlertState>('alerts:acknowledge', { alertId, by, at });
    } catch (error) {
      if (convexErrorData(error)?.code === 'NotFound') throw new NotFoundError(`No alert "${alertId}": list them with \`ontology-ops monitor status\`.`);
      throw error;
    }
  }

  async unacknowledge(alertId: string, at: number): Promise<AlertState> {
    try {
      return await this.caller.mutation<AlertState>('alerts:unacknowledge', { alertId, at });
    } catch (error) {
      if (convexErrorData(error)?.code === 'NotFound') throw new NotFoundError(`No alert "${alertId}": list them with \`ontology-ops monitor status\`.`);
      throw error;
    }
  }
}
