// @vitest-environment edge-runtime
/**
 * `recordRun` is one mutation bounded by the size of one run's record: the largest record it takes (1,000
 * entries) is written, and rewritten in place, within HALF of Convex's transaction limits (the harness enforces
 * half); a larger one is refused with a clear error before anything is written.
 */
import { describe, expect, it } from 'vitest';
import type { AlertDraft, RunRecord } from '../../../src/alerts/ports.ts';
import { InvalidArgumentError } from '../../../src/errors.ts';
import { ConvexAlertStore } from '../../../src/store/convex/alert-store.ts';
import { ConvexOutboxStore } from '../../../src/store/convex/outbox-store.ts';
import { alertDraft, notificationDraft } from '../../contracts/alert-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';

const T = Date.parse('2026-11-27T10:00:00Z');
const HALF_LIMITS = { documentsRead: 16_000, bytesRead: 8 * 1024 * 1024, databaseQueries: 2_048, documentsWritten: 8_000, bytesWritten: 8 * 1024 * 1024 };
/** The server's `MAX_RUN_ENTRIES`. */
const MAX_RUN_ENTRIES = 1_000;

function run(alerts: AlertDraft[], at: number, notification = notificationDraft('big|critical|C_CRIT', at)): RunRecord {
  return {
    source: 'daily',
    at,
    notifications: [
      {
        notification,
        alerts: alerts.map((alert) => ({ alert, decision: { action: 'post', reason: 'new' }, attach: true })),
        remindedAlertIds: [],
        outbox: [{ kind: 'post', channel: 'C_CRIT', notificationId: null, message: { text: `${alerts.length} groups` } }],
      },
    ],
  };
}

describe('Convex recordRun stays within half of the transaction limits', () => {
  it('writes and then rewrites the largest record it takes in one mutation each', async () => {
    const parts = convexParts({ limits: HALF_LIMITS });
    const port = new ConvexAlertStore(parts.caller);
    const outbox = new ConvexOutboxStore(parts.caller);
    // One notification + one outbox row + 998 alerts = 1,000 entries.
    const drafts = Array.from({ length: MAX_RUN_ENTRIES - 2 }, (_, index) => alertDraft(`g${index}`));
    const first = await port.recordRun(run(drafts, T));
    const { notification, alerts } = first.notifications[0]!;
    expect(alerts).toHaveLength(MAX_RUN_ENTRIES - 2);
    expect(alerts.every((alert) => alert.notificationId === notification!.id)).toBe(true);

    const { message: _message, ...open } = notification!;
    const later = T + 3_600_000;
    const second = await port.recordRun(run(alerts.map((alert) => ({ ...alert, lastValue: 7, lastEvaluatedAt: later })), later, { ...open, shown: 'v2' }));
    expect(second.notifications[0]!.alerts.map((alert) => alert.id)).toEqual(alerts.map((alert) => alert.id));
    expect((await port.firingAlerts()).every((alert) => alert.lastValue === 7)).toBe(true);
    expect(await port.recentDecisions(5_000)).toHaveLength(2 * (MAX_RUN_ENTRIES - 2));
    expect(await outbox.outboxCounts()).toEqual({ pending: 2, sent: 0, failed: 0 });
    expect(parts.harness.requests.filter((request) => request.path === 'alerts:recordRun')).toEqual([
      { endpoint: 'mutation', path: 'alerts:recordRun', ok: true },
      { endpoint: 'mutation', path: 'alerts:recordRun', ok: true },
    ]);
  }, 60_000);

  it('refuses a record of more entries than one transaction takes, writing nothing', async () => {
    const parts = convexParts({ limits: HALF_LIMITS });
    const port = new ConvexAlertStore(parts.caller);
    const drafts = Array.from({ length: MAX_RUN_ENTRIES - 1 }, (_, index) => alertDraft(`g${index}`));
    const attempt = port.recordRun(run(drafts, T));
    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(attempt).rejects.toThrow(/record has 1001 entries .* at most 1000 fit one transaction/);
    expect(await port.firingAlerts()).toEqual([]);
    expect(await port.openNotification('big|critical|C_CRIT')).toBeNull();
  }, 60_000);
});
