/**
 * The contract of `OutboxStore` (src/alerts/ports.ts), for every adapter: due rows oldest first, the claim's
 * compare-and-set (exactly one winner, stale callers refused), delivery bookkeeping, and the message of a
 * notification as edits and replies see it.
 */
import { describe, expect, it } from 'vitest';
import type { AlertStore, OutboxDraft, OutboxStore } from '../../src/alerts/ports.ts';
import { notificationDraft } from './alert-store.contract.ts';

/** The port, the alert store it shares a database with (notifications are opened through it), and a close. */
export interface OutboxStoreHandles {
  port: OutboxStore;
  alerts: AlertStore;
  close: () => Promise<void>;
}

const T = Date.parse('2026-11-27T10:00:00Z');

const post = (text: string, notificationId: string | null = null): OutboxDraft => ({ kind: 'post', channel: 'C1', notificationId, message: { text } });

/** Opens a notification (through the alert store) with `outbox` queued for it; returns its id. */
async function openNotification(alerts: AlertStore, outbox: OutboxDraft[], key = 'k|critical|C1'): Promise<string> {
  const recorded = await alerts.recordRun({
    source: 'test',
    at: T,
    notifications: [{ notification: notificationDraft(key), alerts: [], remindedAlertIds: [], outbox }],
  });
  return recorded.notifications[0]!.notification!.id;
}

/** Declares the suite for one adapter. */
export function outboxStoreContract(name: string, open: () => Promise<OutboxStoreHandles>): void {
  const withPort = async <T>(body: (handles: OutboxStoreHandles) => Promise<T>): Promise<T> => {
    const handles = await open();
    try {
      return await body(handles);
    } finally {
      await handles.close();
    }
  };

  describe(`OutboxStore contract: ${name}`, () => {
    it('lists due rows oldest createdAt first, only pending ones whose attempt is due, at most `limit`', () =>
      withPort(async ({ port }) => {
        // Enqueued out of time order: the order is by createdAt, then by creation.
        const [late] = await port.enqueue([post('late')], T + 20);
        const [early, earlyTwin] = await port.enqueue([post('early'), post('early twin')], T + 10);
        const [future] = await port.enqueue([post('future')], T + 1_000);
        expect(new Set([late!.id, early!.id, earlyTwin!.id, future!.id]).size).toBe(4);
        expect(early).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: T + 10, createdAt: T + 10, sentAt: null, result: null, lastError: null });
        expect((await port.dueOutbox(T + 30, 10)).map((row) => row.message.text)).toEqual(['early', 'early twin', 'late']);
        expect((await port.dueOutbox(T + 30, 2)).map((row) => row.message.text)).toEqual(['early', 'early twin']);
        expect((await port.dueOutbox(T + 5, 10))).toEqual([]);
        expect(await port.nextOutboxAttemptAt()).toBe(T + 10);
        expect((await port.listOutbox({ limit: 10 })).map((row) => row.message.text)).toEqual(['early', 'early twin', 'late', 'future']);

        // A retried row waits for its next attempt; a sent or failed one is never due again.
        await port.markOutboxRetry(early!.id, T + 500, 'HTTP 503');
        await port.markOutboxSent(earlyTwin!.id, T + 31, { channel: 'C1', ts: '1.1' });
        await port.markOutboxFailed(late!.id, T + 32, 'channel_not_found');
        expect(await port.dueOutbox(T + 100, 10)).toEqual([]);
        expect((await port.dueOutbox(T + 500, 10)).map((row) => [row.message.text, row.attempts, row.lastError])).toEqual([['early', 1, 'HTTP 503']]);
        expect(await port.outboxCounts()).toEqual({ pending: 2, sent: 1, failed: 1 });
        expect((await port.listOutbox({ status: 'failed', limit: 10 })).map((row) => [row.message.text, row.lastError, row.sentAt])).toEqual([
          ['late', 'channel_not_found', T + 32],
        ]);
        expect((await port.listOutbox({ status: 'sent', limit: 10 }))[0]).toMatchObject({ attempts: 1, result: { channel: 'C1', ts: '1.1' } });
        await port.markOutboxSent(early!.id, T + 600, null);
        await port.markOutboxSent(future!.id, T + 1_000, null);
        expect(await port.nextOutboxAttemptAt()).toBeNull();
      }));

    it('lets exactly one of many concurrent claims win, and refuses a caller holding a stale nextAttemptAt', () =>
      withPort(async ({ port }) => {
        const [row] = await port.enqueue([post('once')], T);
        const claims = await Promise.all(Array.from({ length: 8 }, () => port.claimOutbox(row!.id, T, T + 120_000)));
        expect(claims.filter(Boolean)).toHaveLength(1);
        // Claimed: no longer due until the claim runs out, and a second claim with the old value fails.
        expect(await port.dueOutbox(T + 60_000, 10)).toEqual([]);
        expect(await port.claimOutbox(row!.id, T, T + 240_000)).toBe(false);
        // The claim of a crashed sender expires: the row is due again and can be claimed with its new value.
        const [again] = await port.dueOutbox(T + 120_000, 10);
        expect(again).toMatchObject({ id: row!.id, nextAttemptAt: T + 120_000, attempts: 0 });
        expect(await port.claimOutbox(row!.id, T + 120_000, T + 240_000)).toBe(true);
        // A row no longer pending cannot be claimed, and an unknown id never can.
        await port.markOutboxSent(row!.id, T + 121_000, null);
        expect(await port.claimOutbox(row!.id, T + 240_000, T + 360_000)).toBe(false);
        expect(await port.claimOutbox('no-such-row', T, T + 1)).toBe(false);
      }));

    it('defers a row without counting an attempt', () =>
      withPort(async ({ port }) => {
        const [row] = await port.enqueue([post('later')], T);
        await port.deferOutbox(row!.id, T + 5_000);
        expect(await port.dueOutbox(T + 4_999, 10)).toEqual([]);
        expect((await port.dueOutbox(T + 5_000, 10))[0]).toMatchObject({ id: row!.id, attempts: 0 });
      }));

    it("keeps a notification's message: pending while its post waits, delivered once sent, lost when it failed", () =>
      withPort(async ({ port, alerts }) => {
        const delivered = await openNotification(alerts, [post('p1')], 'a|critical|C1');
        expect(await port.notificationMessage(delivered)).toEqual({ state: 'pending', pendingUntil: T });
        const [postRow] = await port.dueOutbox(T, 10);
        expect(postRow).toMatchObject({ kind: 'post', notificationId: delivered });
        await port.markOutboxRetry(postRow!.id, T + 2_000, 'HTTP 503');
        expect(await port.notificationMessage(delivered)).toEqual({ state: 'pending', pendingUntil: T + 2_000 });
        await port.markOutboxSent(postRow!.id, T + 2_000, { channel: 'C1X', ts: '17.1' });
        expect(await port.notificationMessage(delivered)).toEqual({ state: 'delivered', message: { channel: 'C1X', ts: '17.1' } });
        expect((await alerts.getNotification(delivered))!.message).toEqual({ channel: 'C1X', ts: '17.1' });

        // An edit delivered as a new message (the old one is gone) moves the notification to it.
        const [edit] = await port.enqueue([{ kind: 'update', channel: 'C1', notificationId: delivered, message: { text: 'edit' } }], T + 3_000);
        await port.markOutboxReposted(edit!.id, T + 3_000, { channel: 'C1X', ts: '18.2' });
        expect(await port.notificationMessage(delivered)).toEqual({ state: 'delivered', message: { channel: 'C1X', ts: '18.2' } });
        expect((await port.listOutbox({ status: 'sent', limit: 10 })).find((row) => row.id === edit!.id)).toMatchObject({ result: { channel: 'C1X', ts: '18.2' } });

        const lost = await openNotification(alerts, [post('p2')], 'b|critical|C1');
        const postOfLost = (await port.listOutbox({ limit: 10 })).find((row) => row.notificationId === lost)!;
        await port.markOutboxFailed(postOfLost.id, T + 1, 'channel_not_found');
        expect(await port.notificationMessage(lost)).toEqual({ state: 'lost' });
        expect(await port.notificationMessage('no-such-notification')).toEqual({ state: 'lost' });
      }));

    it('keeps only the latest waiting edit of a message', () =>
      withPort(async ({ port, alerts }) => {
        const notificationId = await openNotification(alerts, []);
        for (const text of ['edit 1', 'edit 2', 'edit 3']) {
          await port.enqueue([{ kind: 'update', channel: 'C1', notificationId, message: { text } }], T + 1);
        }
        await port.enqueue([{ kind: 'reply', channel: 'C1', notificationId, message: { text: 'reply' } }], T + 2);
        expect((await port.listOutbox({ status: 'pending', limit: 10 })).map((row) => [row.kind, row.message.text])).toEqual([
          ['update', 'edit 3'],
          ['reply', 'reply'],
        ]);
      }));
    it('edits a message by target: a newer edit of the same key replaces a pending one, a delivered one stays', () =>
      withPort(async ({ port }) => {
        const edit = (key: string, text: string): OutboxDraft => ({
          kind: 'edit',
          channel: 'C9',
          notificationId: null,
          message: { text },
          target: { channel: 'C9', ts: `${key}.1` },
          replaceKey: `request ${key}`,
        });
        const [approved] = await port.enqueue([edit('a', 'Approved')], T + 1);
        expect(approved).toMatchObject({ kind: 'edit', target: { channel: 'C9', ts: 'a.1' }, replaceKey: 'request a', status: 'pending' });
        await port.markOutboxSent(approved!.id, T + 2, { channel: 'C9', ts: 'a.1' });
        await port.enqueue([edit('a', 'Running')], T + 3);
        await port.enqueue([edit('b', 'Running b')], T + 4);
        await port.enqueue([edit('a', 'Running 50%')], T + 5);
        await port.enqueue([edit('a', 'Succeeded')], T + 6);
        // The delivered edit is kept; of the pending ones only the latest of each key waits, in creation order.
        expect((await port.listOutbox({ status: 'pending', limit: 10 })).map((row) => row.message.text)).toEqual(['Running b', 'Succeeded']);
        expect((await port.dueOutbox(T + 10, 10)).map((row) => [row.replaceKey, row.target?.ts])).toEqual([
          ['request b', 'b.1'],
          ['request a', 'a.1'],
        ]);
        expect((await port.listOutbox({ status: 'sent', limit: 10 })).map((row) => row.message.text)).toEqual(['Approved']);
        // A row sent is never due again: delivered once.
        const [succeeded] = (await port.dueOutbox(T + 10, 10)).filter((row) => row.replaceKey === 'request a');
        expect(await port.claimOutbox(succeeded!.id, succeeded!.nextAttemptAt, T + 100)).toBe(true);
        await port.markOutboxSent(succeeded!.id, T + 11, { channel: 'C9', ts: 'a.1' });
        expect((await port.dueOutbox(T + 1_000, 10)).map((row) => row.message.text)).toEqual(['Running b']);
      }));

    it('refuses an edit without its target message and writes nothing', () =>
      withPort(async ({ port }) => {
        await expect(port.enqueue([post('first'), { kind: 'edit', channel: 'C9', notificationId: null, message: { text: 'x' } }], T)).rejects.toThrow(/target/);
        expect(await port.listOutbox({ limit: 10 })).toEqual([]);
      }));
  });
}
