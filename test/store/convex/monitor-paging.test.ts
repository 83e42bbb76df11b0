// @vitest-environment edge-runtime
/**
 * Monitor listings longer than one page: the adapters page through them in order, each call within HALF of
 * Convex's transaction limits (the harness enforces half).
 */
import { describe, expect, it } from 'vitest';
import { ConvexAlertStore } from '../../../src/store/convex/alert-store.ts';
import { ConvexJobRunStore } from '../../../src/store/convex/job-run-store.ts';
import { ConvexOutboxStore } from '../../../src/store/convex/outbox-store.ts';
import { alertDraft } from '../../contracts/alert-store.contract.ts';
import { convexParts } from '../../convex/parts.ts';

const T = Date.parse('2026-11-27T10:00:00Z');
const HALF_LIMITS = { documentsRead: 16_000, bytesRead: 8 * 1024 * 1024, databaseQueries: 2_048, documentsWritten: 8_000, bytesWritten: 8 * 1024 * 1024 };

describe('Convex monitor listings page past one transaction', () => {
  it('finds due outbox rows behind thousands of pending rows that are not due yet', async () => {
    const parts = convexParts({ limits: HALF_LIMITS });
    const port = new ConvexOutboxStore(parts.caller);
    // 9,000 rows waiting for a later attempt, created before the due ones: more than one page scans (4,000).
    for (let batch = 0; batch < 3; batch++) {
      await parts.harness.t.run(async (ctx) => {
        for (let index = 0; index < 3_000; index++) {
          const createdAt = T + batch * 3_000 + index;
          await ctx.db.insert('monitorOutbox', {
            kind: 'post', channel: 'C1', notificationId: null, message: { text: 'later' }, status: 'pending', attempts: 1,
            nextAttemptAt: T + 1_000_000, lastError: 'HTTP 503', createdAt, sentAt: null, result: null,
          });
        }
      });
    }
    await port.enqueue([{ kind: 'post', channel: 'C1', notificationId: null, message: { text: 'due 1' } }], T + 10_000);
    await port.enqueue([{ kind: 'post', channel: 'C1', notificationId: null, message: { text: 'due 2' } }], T + 10_001);
    expect((await port.dueOutbox(T + 20_000, 10)).map((row) => row.message.text)).toEqual(['due 1', 'due 2']);
    expect((await port.dueOutbox(T + 20_000, 1)).map((row) => row.message.text)).toEqual(['due 1']);
    expect(await port.outboxCounts()).toEqual({ pending: 9_002, sent: 0, failed: 0 });
    expect(await port.nextOutboxAttemptAt()).toBe(T + 10_000);
    expect(parts.harness.requests.filter((request) => request.path === 'outbox:duePage').length).toBeGreaterThan(2);
  }, 60_000);

  it('lists 2,500 firing alerts oldest first and abandons 2,500 runs of a stopped instance, page by page', async () => {
    const parts = convexParts({ limits: HALF_LIMITS });
    const alerts = new ConvexAlertStore(parts.caller);
    const jobRuns = new ConvexJobRunStore(parts.caller);
    await parts.harness.t.run(async (ctx) => {
      // Inserted newest first, so creation order is the reverse of the expected order.
      for (let index = 2_499; index >= 0; index--) {
        const { notificationId: _n, ...alert } = alertDraft(`g${index}`, { firstFiringAt: T + index });
        await ctx.db.insert('monitorAlerts', { ...alert, notificationId: null });
        await ctx.db.insert('monitorJobRuns', {
          job: 'daily', trigger: index % 2 === 0 ? 'scheduled' : 'catch_up', scheduledFor: T, startedAt: T + index, finishedAt: null,
          outcome: 'running', counts: {}, error: null, instanceId: 'old',
        });
      }
    });
    const firing = await alerts.firingAlerts();
    expect(firing.map((alert) => alert.firstFiringAt)).toEqual(Array.from({ length: 2_500 }, (_, index) => T + index));
    expect((await alerts.listAlerts({ limit: 1_500 })).map((alert) => alert.firstFiringAt)).toEqual(Array.from({ length: 1_500 }, (_, index) => T + 2_499 - index));
    expect(await jobRuns.abandonRunsOfOthers('new', T + 10_000)).toBe(2_500);
    expect(await jobRuns.abandonRunsOfOthers('new', T + 20_000)).toBe(0);
    expect((await jobRuns.recentJobRuns({ limit: 2_500 })).every((run) => run.outcome === 'failed' && run.finishedAt === T + 10_000)).toBe(true);
    expect(parts.harness.requests.filter((request) => request.path === 'jobRuns:abandonPage').length).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
