/**
 * The contract of `AlertStore` (src/alerts/ports.ts), for every adapter: alerts, notifications, the decision
 * log, silences, and `recordRun` writing all of a run (with its outbox rows) or nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  NotificationConflictError,
  type AlertDraft,
  type AlertStore,
  type NotificationDraft,
  type NotificationRecord,
  type OutboxStore,
} from '../../src/alerts/ports.ts';
import { UNTIL_RESOLVED, type Decision } from '../../src/alerts/types.ts';
import { NotFoundError } from '../../src/errors.ts';

/** What a run of the suite needs: the port, the outbox it writes into (to read it back), and a way to close. */
export interface AlertStoreHandles {
  port: AlertStore;
  outbox: OutboxStore;
  close: () => Promise<void>;
}

const T = Date.parse('2026-11-27T10:00:00Z');
const POST: Decision = { action: 'post', reason: 'new' };

/** A firing alert of `groupId` for `crossGroupViolations|<scope>|critical`; override any field. */
export function alertDraft(groupId: string | null, overrides: Partial<AlertDraft> = {}): AlertDraft {
  return {
    key: `crossGroupViolations|${groupId ?? 'platform'}|critical`,
    subject: 'crossGroupViolations',
    groupId,
    severity: 'critical',
    status: 'firing',
    title: 'Cross-group violations',
    details: { unit: 'count', threshold: 'critical when > 0', breakdown: {}, topIssueIds: [], remediation: [] },
    firstFiringAt: T,
    lastEvaluatedAt: T,
    resolvedAt: null,
    lastValue: 3,
    notifiedAt: T,
    lastReminderAt: null,
    notificationId: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    ...overrides,
  };
}

/** A new open notification of `key`. */
export function notificationDraft(key = 'crossGroupViolations|critical|C_CRIT', at = T): NotificationDraft {
  return {
    key,
    subject: 'crossGroupViolations',
    severity: 'critical',
    channel: 'C_CRIT',
    status: 'open',
    openedAt: at,
    resolvedAt: null,
    lastReminderAt: null,
    shown: null,
  };
}

/** One notification record: the notification, its alerts (attached), and a post. */
function opening(key: string, alerts: AlertDraft[], at = T): NotificationRecord {
  return {
    notification: notificationDraft(key, at),
    alerts: alerts.map((alert) => ({ alert, decision: POST, attach: true })),
    remindedAlertIds: [],
    outbox: [{ kind: 'post', channel: 'C_CRIT', notificationId: null, message: { text: key } }],
  };
}

/** Declares the suite for one adapter. */
export function alertStoreContract(name: string, open: () => Promise<AlertStoreHandles>): void {
  const withPort = async <T>(body: (handles: AlertStoreHandles) => Promise<T>): Promise<T> => {
    const handles = await open();
    try {
      return await body(handles);
    } finally {
      await handles.close();
    }
  };

  describe(`AlertStore contract: ${name}`, () => {
    it('records a run: alerts join the notification it opens, decisions are logged, outbox rows point at it', () =>
      withPort(async ({ port, outbox }) => {
        const recorded = await port.recordRun({ source: 'test', at: T, notifications: [opening('k1|critical|C', [alertDraft(null), alertDraft('g1')])] });
        const [entry] = recorded.notifications;
        const notification = entry!.notification!;
        expect(typeof notification.id).toBe('string');
        expect(notification).toMatchObject({ key: 'k1|critical|C', status: 'open', message: null });
        expect(entry!.alerts.map((alert) => [alert.key, alert.notificationId])).toEqual([
          ['crossGroupViolations|platform|critical', notification.id],
          ['crossGroupViolations|g1|critical', notification.id],
        ]);
        expect(new Set(entry!.alerts.map((alert) => alert.id)).size).toBe(2);
        expect(await port.openNotification('k1|critical|C')).toEqual(notification);
        expect(await port.getNotification(notification.id)).toEqual(notification);
        expect((await port.notificationMembers(notification.id)).map((alert) => alert.id)).toEqual(entry!.alerts.map((alert) => alert.id));
        expect(await port.getAlert(entry!.alerts[1]!.id)).toEqual(entry!.alerts[1]);
        const rows = await outbox.listOutbox({ limit: 10 });
        expect(rows.map((row) => [row.kind, row.notificationId, row.status])).toEqual([['post', notification.id, 'pending']]);
        const decisions = await port.recentDecisions(10);
        expect(decisions.map((decision) => [decision.key, decision.action, decision.reason, decision.source])).toEqual(
          expect.arrayContaining([
            ['crossGroupViolations|platform|critical', 'post', 'new', 'test'],
            ['crossGroupViolations|g1|critical', 'post', 'new', 'test'],
          ]),
        );
      }));

    it('writes nothing of a run when a notification it opens is already open (NotificationConflictError)', () =>
      withPort(async ({ port, outbox }) => {
        await port.recordRun({ source: 'first', at: T, notifications: [opening('k1|critical|C', [alertDraft(null)])] });
        const before = { firing: await port.firingAlerts(), decisions: await port.recentDecisions(100), rows: await outbox.listOutbox({ limit: 100 }) };
        // The first record of the run is fine on its own; the second opens the key that is already open.
        const run = port.recordRun({
          source: 'second',
          at: T + 1,
          notifications: [opening('k2|critical|C', [alertDraft('g2')], T + 1), opening('k1|critical|C', [alertDraft('g1')], T + 1)],
        });
        await expect(run).rejects.toBeInstanceOf(NotificationConflictError);
        await expect(run).rejects.toMatchObject({ key: 'k1|critical|C' });
        expect(await port.openNotification('k2|critical|C')).toBeNull();
        expect(await port.firingAlerts()).toEqual(before.firing);
        expect(await port.recentDecisions(100)).toEqual(before.decisions);
        expect(await outbox.listOutbox({ limit: 100 })).toEqual(before.rows);
      }));

    it('updates an existing notification and alert in place, and moves the reminder clock of reminded members', () =>
      withPort(async ({ port }) => {
        const first = await port.recordRun({ source: 'test', at: T, notifications: [opening('k|critical|C', [alertDraft(null), alertDraft('g1')])] });
        const notification = first.notifications[0]!.notification!;
        const [platform, group] = first.notifications[0]!.alerts;
        const { message: _message, ...draft } = notification;
        const later = T + 3_600_000;
        const second = await port.recordRun({
          source: 'test',
          at: later,
          notifications: [
            {
              notification: { ...draft, lastReminderAt: later, shown: 'v2' },
              alerts: [{ alert: { ...platform!, lastValue: 5, lastEvaluatedAt: later, lastReminderAt: later }, decision: { action: 'remind', reason: 'repeat_interval_elapsed' }, attach: false }],
              remindedAlertIds: [group!.id],
              outbox: [],
            },
          ],
        });
        expect(second.notifications[0]!.notification).toMatchObject({ id: notification.id, lastReminderAt: later, shown: 'v2' });
        expect(second.notifications[0]!.alerts[0]).toMatchObject({ id: platform!.id, lastValue: 5, notificationId: notification.id });
        expect((await port.getAlert(group!.id))!.lastReminderAt).toBe(later);
        expect(await port.firingAlerts()).toHaveLength(2);
      }));

    it('orders by explicit times, never by id: latest, firing, members, listing and decisions', () =>
      withPort(async ({ port }) => {
        const key = 'crossGroupViolations|platform|critical';
        // Written first but fired later: it is the latest of its key.
        const later = await port.recordRun({
          source: 'test',
          at: T,
          notifications: [{ notification: null, alerts: [{ alert: alertDraft(null, { firstFiringAt: T + 2_000, status: 'resolved', resolvedAt: T + 3_000 }), decision: POST, attach: false }], remindedAlertIds: [], outbox: [] }],
        });
        const earlier = await port.recordRun({
          source: 'test',
          at: T - 5_000,
          notifications: [{ notification: null, alerts: [{ alert: alertDraft(null, { firstFiringAt: T + 1_000, status: 'resolved', resolvedAt: T + 1_500 }), decision: POST, attach: false }], remindedAlertIds: [], outbox: [] }],
        });
        const laterId = later.notifications[0]!.alerts[0]!.id;
        const earlierId = earlier.notifications[0]!.alerts[0]!.id;
        expect((await port.latestAlert(key))!.id).toBe(laterId);
        expect((await port.listAlerts({ limit: 10 })).map((alert) => alert.id)).toEqual([laterId, earlierId]);
        expect((await port.listAlerts({ status: 'resolved', limit: 1 })).map((alert) => alert.id)).toEqual([laterId]);
        expect(await port.listAlerts({ status: 'firing', limit: 10 })).toEqual([]);
        // The decision logged at the later `at` comes first, though it was written first.
        expect((await port.recentDecisions(10)).map((decision) => decision.alertId)).toEqual([laterId, earlierId]);

        // Firing alerts and a notification's members: oldest firstFiringAt first, whatever the write order.
        const members = await port.recordRun({
          source: 'test',
          at: T,
          notifications: [opening('m|critical|C', [alertDraft('g_new', { firstFiringAt: T + 10 }), alertDraft('g_old', { firstFiringAt: T - 10 })])],
        });
        const notificationId = members.notifications[0]!.notification!.id;
        expect((await port.notificationMembers(notificationId)).map((alert) => alert.groupId)).toEqual(['g_old', 'g_new']);
        expect((await port.firingAlerts()).map((alert) => alert.groupId)).toEqual(['g_old', 'g_new']);
      }));

    it('treats ids it never issued as unknown', () =>
      withPort(async ({ port }) => {
        for (const id of ['0', '-1', '01', 'x', '', '99999999']) {
          expect(await port.getAlert(id)).toBeNull();
          expect(await port.getNotification(id)).toBeNull();
          expect(await port.notificationMembers(id)).toEqual([]);
          expect(await port.endSilence(id, T)).toBe(false);
        }
        await expect(port.acknowledge('no-such-alert', 'U1', T)).rejects.toBeInstanceOf(NotFoundError);
        expect(await port.latestAlert('nothing|platform|critical')).toBeNull();
        expect(await port.openNotification('nothing|critical|C')).toBeNull();
      }));

    it('acknowledges a firing alert and leaves a resolved one as it was', () =>
      withPort(async ({ port }) => {
        const run = await port.recordRun({
          source: 'test',
          at: T,
          notifications: [
            {
              notification: null,
              alerts: [
                { alert: alertDraft('g1'), decision: POST, attach: false },
                { alert: alertDraft('g2', { status: 'resolved', resolvedAt: T }), decision: { action: 'resolve', reason: 'resolved' }, attach: false },
              ],
              remindedAlertIds: [],
              outbox: [],
            },
          ],
        });
        const [firing, resolved] = run.notifications[0]!.alerts;
        expect(await port.acknowledge(firing!.id, 'U1', T + 5)).toMatchObject({ id: firing!.id, acknowledgedBy: 'U1', acknowledgedAt: T + 5 });
        expect(await port.acknowledge(resolved!.id, 'U1', T + 5)).toEqual(resolved);
        // A second click, or another process acknowledging at the same time: the first acknowledgement stands.
        expect(await port.acknowledge(firing!.id, 'U2', T + 9)).toMatchObject({ acknowledgedBy: 'U1', acknowledgedAt: T + 5 });
        expect(await port.getAlert(firing!.id)).toMatchObject({ acknowledgedBy: 'U1', acknowledgedAt: T + 5 });
      }));

    it('takes an acknowledgement back: reminders resume from then; a resolved or unacknowledged alert is left as it was', () =>
      withPort(async ({ port }) => {
        const run = await port.recordRun({
          source: 'test',
          at: T,
          notifications: [
            {
              notification: null,
              alerts: [
                { alert: alertDraft('g1'), decision: POST, attach: false },
                { alert: alertDraft('g2', { status: 'resolved', resolvedAt: T, acknowledgedBy: 'U1', acknowledgedAt: T }), decision: { action: 'resolve', reason: 'resolved' }, attach: false },
              ],
              remindedAlertIds: [],
              outbox: [],
            },
          ],
        });
        const [firing, resolved] = run.notifications[0]!.alerts;
        expect(await port.unacknowledge(firing!.id, T + 1)).toEqual(firing);
        await port.acknowledge(firing!.id, 'U1', T + 5);
        expect(await port.unacknowledge(firing!.id, T + 9)).toMatchObject({ acknowledgedBy: null, acknowledgedAt: null, lastReminderAt: T + 9 });
        expect(await port.getAlert(firing!.id)).toMatchObject({ acknowledgedBy: null, acknowledgedAt: null, lastReminderAt: T + 9 });
        // Acknowledged again after that: a new acknowledgement, by whoever clicks.
        expect(await port.acknowledge(firing!.id, 'U2', T + 12)).toMatchObject({ acknowledgedBy: 'U2', acknowledgedAt: T + 12 });
        expect(await port.unacknowledge(resolved!.id, T + 9)).toEqual(resolved);
        await expect(port.unacknowledge('no-such-alert', T)).rejects.toBeInstanceOf(NotFoundError);
      }));

    it('keeps whether a silence ends when its alerts resolve (false unless set)', () =>
      withPort(async ({ port }) => {
        const base = { subject: 'crossGroupViolations', groupId: '*', severity: 'critical' as const, createdBy: 'U1', reason: 'on it', createdAt: T };
        const ahead = await port.addSilence({ ...base, until: T + 1_000 });
        const fromAlert = await port.addSilence({ ...base, until: UNTIL_RESOLVED, endsWhenResolved: true });
        expect(ahead.endsWhenResolved).toBe(false);
        expect(fromAlert).toMatchObject({ until: UNTIL_RESOLVED, endsWhenResolved: true });
        expect(await port.activeSilences(T + 500)).toEqual([
          expect.objectContaining({ id: ahead.id, endsWhenResolved: false }),
          expect.objectContaining({ id: fromAlert.id, endsWhenResolved: true, until: UNTIL_RESOLVED }),
        ]);
        expect(await port.endSilence(fromAlert.id, T + 600)).toBe(true);
        expect((await port.activeSilences(T + 700)).map((silence) => silence.id)).toEqual([ahead.id]);
      }));

    it('keeps the scopes and values a silence was set on, and none for one set ahead of time', () =>
      withPort(async ({ port }) => {
        const base = { subject: 'crossGroupViolations', groupId: '*', severity: null, createdBy: 'U1', reason: 'known', createdAt: T, until: T + 1_000 };
        const baseline = [
          { groupId: null, severity: 'critical' as const, value: 8 },
          { groupId: 'g1', severity: 'warning' as const, value: 0.5 },
        ];
        const set = await port.addSilence({ ...base, baseline });
        const ahead = await port.addSilence(base);
        expect(set.baseline).toEqual(baseline);
        expect(ahead.baseline).toBeUndefined();
        const [storedSet, storedAhead] = await port.activeSilences(T + 1);
        expect(storedSet).toMatchObject({ id: set.id, baseline });
        expect(storedAhead!.id).toBe(ahead.id);
        expect(storedAhead!.baseline).toBeUndefined();
      }));

    it('keeps silences: active until `until`, oldest first, ended once', () =>
      withPort(async ({ port }) => {
        const base = { subject: 'crossGroupViolations', groupId: null, severity: null, createdBy: 'U1', reason: 'import' };
        const second = await port.addSilence({ ...base, until: T + 2_000, createdAt: T + 10 });
        const first = await port.addSilence({ ...base, groupId: '*', severity: 'critical', until: T + 1_000, createdAt: T });
        expect(typeof first.id).toBe('string');
        expect(first.id).not.toBe(second.id);
        expect(first).toMatchObject({ ...base, groupId: '*', severity: 'critical', until: T + 1_000, createdAt: T });
        expect((await port.activeSilences(T + 500)).map((silence) => silence.id)).toEqual([first.id, second.id]);
        expect((await port.activeSilences(T + 1_000)).map((silence) => silence.id)).toEqual([second.id]);
        expect(await port.endSilence(second.id, T + 1_500)).toBe(true);
        expect(await port.endSilence(second.id, T + 1_600)).toBe(false);
        expect(await port.endSilence(first.id, T + 1_500)).toBe(false); // already over
        expect(await port.activeSilences(T + 1_500)).toEqual([]);
      }));
  });
}
