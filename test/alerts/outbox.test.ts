import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backoffMs, deliverOutbox } from '../../src/alerts/outbox.ts';
import { DeliveryError, MessageGoneError, type OutboxDraft } from '../../src/alerts/ports.ts';
import type { MonitorStores } from '../../monitors/ports.ts';
import { sqliteMonitorStores } from '../../src/store/sqlite/monitor-stores.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

const message = (text: string) => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

/** Records a run that opens one notification and queues `outbox` for it; returns the notification's id. */
async function openNotification(state: MonitorStores, at: number, outbox: OutboxDraft[]): Promise<string> {
  const recorded = await state.alerts.recordRun({
    source: 'test',
    at,
    notifications: [
      {
        notification: {
          key: 'k|critical|C_GONE',
          subject: 'k',
          severity: 'critical',
          channel: 'C_GONE',
          status: 'open',
          openedAt: at,
          resolvedAt: null,
          lastReminderAt: null,
          shown: null,
        },
        alerts: [],
        remindedAlertIds: [],
        outbox,
      },
    ],
  });
  return recorded.notifications[0]!.notification!.id;
}

describe('outbox', () => {
  it('keeps undelivered messages across a restart and sends them once Slack is back', async () => {
    const path = join(tempDir(), 'ontology.db');
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const first = SqliteStore.open(path);
    const firstState = sqliteMonitorStores(first);
    await firstState.outbox.enqueue([{ kind: 'post', channel: 'C1', notificationId: null, message: message('weekly summary') }], clock.now());
    const down = new RecordingNotifier();
    down.failNext(new DeliveryError('HTTP 503 from Slack', true));
    const report = await deliverOutbox({ outbox: firstState.outbox, notifier: down, now: clock.now, sleep: clock.sleep, maxInlineWaitMs: 0 });
    expect(report).toMatchObject({ sent: 0, retried: 1, pending: 1 });
    first.close();

    clock.advance(60_000);
    const second = SqliteStore.open(path);
    try {
      const secondState = sqliteMonitorStores(second);
      const up = new RecordingNotifier();
      const after = await deliverOutbox({ outbox: secondState.outbox, notifier: up, now: clock.now, sleep: clock.sleep });
      expect(after).toMatchObject({ sent: 1, pending: 0 });
      expect(up.sent).toMatchObject([{ kind: 'post', channel: 'C1', text: 'weekly summary' }]);
      const [row] = await secondState.outbox.listOutbox({ limit: 10 });
      expect(row).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    } finally {
      second.close();
    }
  });

  it('honours Retry-After without sleeping for real, then delivers', async () => {
    const { store } = tempStore();
    const state = sqliteMonitorStores(store);
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    await state.outbox.enqueue([{ kind: 'post', channel: 'C1', notificationId: null, message: message('hello') }], clock.now());
    const notifier = new RecordingNotifier();
    notifier.failNext(RecordingNotifier.rateLimited(7_000));
    const report = await deliverOutbox({ outbox: state.outbox, notifier, now: clock.now, sleep: clock.sleep });
    expect(clock.sleeps).toEqual([7_000]);
    expect(report).toMatchObject({ sent: 1, retried: 1, pending: 0 });
  });

  it('backs off exponentially on 5xx without Retry-After', async () => {
    const { store } = tempStore();
    const state = sqliteMonitorStores(store);
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    await state.outbox.enqueue([{ kind: 'post', channel: 'C1', notificationId: null, message: message('hello') }], clock.now());
    const notifier = new RecordingNotifier();
    notifier.failNext(new DeliveryError('HTTP 500', true), new DeliveryError('HTTP 502', true), new DeliveryError('HTTP 503', true));
    await deliverOutbox({ outbox: state.outbox, notifier, now: clock.now, sleep: clock.sleep });
    expect(clock.sleeps).toEqual([backoffMs(1), backoffMs(2), backoffMs(3)]);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(notifier.sent).toHaveLength(1);
  });

  it('sends nothing else while Slack is failing: the failed row is retried first, then the rest go out', async () => {
    const { store } = tempStore();
    const state = sqliteMonitorStores(store);
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    await state.outbox.enqueue(
      ['first', 'second', 'third'].map((text) => ({ kind: 'post' as const, channel: 'C1', notificationId: null, message: message(text) })),
      clock.now(),
    );
    const notifier = new RecordingNotifier();
    notifier.failNext(new DeliveryError('could not reach Slack', true), new DeliveryError('HTTP 503', true));
    const lines: string[] = [];
    const report = await deliverOutbox({ outbox: state.outbox, notifier, now: clock.now, sleep: clock.sleep, log: (line) => lines.push(line) });
    expect(report).toMatchObject({ sent: 3, retried: 2, pending: 0 });
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(notifier.sent.map((sent) => sent.text)).toEqual(['first', 'second', 'third']);
    // Only the probing row was tried (and logged) while Slack failed.
    expect((await state.outbox.listOutbox({ limit: 10 })).map((row) => row.attempts)).toEqual([3, 1, 1]);
    expect(lines.map((line) => line.slice(0, 18))).toEqual(['outbox: row 1 (pos', 'outbox: row 1 (pos']);
  });

  it('stops sending and waiting once the process is stopping, leaving the rest queued', async () => {
    const { store } = tempStore();
    const state = sqliteMonitorStores(store);
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    await state.outbox.enqueue(
      ['first', 'second'].map((text) => ({ kind: 'post' as const, channel: 'C1', notificationId: null, message: message(text) })),
      clock.now(),
    );
    const notifier = new RecordingNotifier();
    let stopping = false;
    const post = notifier.post.bind(notifier);
    notifier.post = async (outbound) => {
      stopping = true; // the stop request arrives while the first message is on its way
      return post(outbound);
    };
    const report = await deliverOutbox({ outbox: state.outbox, notifier, now: clock.now, sleep: clock.sleep, isStopping: () => stopping });
    expect(report).toMatchObject({ sent: 1, pending: 1 });
    expect(clock.sleeps).toEqual([]);
  });

  it('records a permanent error and gives the row up, and its edits with it', async () => {
    const { store } = tempStore();
    const state = sqliteMonitorStores(store);
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const notificationId = await openNotification(state, clock.now(), [
      { kind: 'post', channel: 'C_GONE', notificationId: null, message: message('post') },
      { kind: 'reply', channel: 'C_GONE', notificationId: null, message: message('reply') },
    ]);
    const notifier = new RecordingNotifier();
    notifier.failNext(new DeliveryError('chat.postMessage: Slack answered channel_not_found', false));
    const report = await deliverOutbox({ outbox: state.outbox, notifier, now: clock.now, sleep: clock.sleep });
    expect(report).toMatchObject({ sent: 0, failed: 2, pending: 0 });
    const rows = await state.outbox.listOutbox({ limit: 10 });
    expect(rows.map((row) => [row.kind, row.status, row.lastError])).toEqual([
      ['post', 'failed', 'chat.postMessage: Slack answered channel_not_found'],
      ['reply', 'failed', `the message of notification ${notificationId} was never delivered`],
    ]);
  });

  it('never sends a row twice when two processes deliver the same outbox at once', async () => {
    const path = join(tempDir(), 'ontology.db');
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const storeA = SqliteStore.open(path);
    const storeB = SqliteStore.open(path);
    try {
      const stateA = sqliteMonitorStores(storeA);
      const stateB = sqliteMonitorStores(storeB);
      await stateA.outbox.enqueue([{ kind: 'post', channel: 'C1', notificationId: null, message: message('once') }], clock.now());
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = new RecordingNotifier();
      const post = slow.post.bind(slow);
      slow.post = async (outbound) => {
        await gate;
        return post(outbound);
      };
      const other = new RecordingNotifier();
      const first = deliverOutbox({ outbox: stateA.outbox, notifier: slow, now: clock.now, sleep: clock.sleep, maxInlineWaitMs: 0 });
      await new Promise((resolve) => setImmediate(resolve));
      const second = await deliverOutbox({ outbox: stateB.outbox, notifier: other, now: clock.now, sleep: clock.sleep, maxInlineWaitMs: 0 });
      release();
      await first;
      expect(other.sent).toHaveLength(0);
      expect(second.sent).toBe(0);
      expect(slow.sent).toHaveLength(1);
    } finally {
      storeA.close();
      storeB.close();
    }
  });

  it('keeps only the latest pending edit of a message', async () => {
    const { store } = tempStore();
    const state = sqliteMonitorStores(store);
    await state.outbox.enqueue([{ kind: 'post', channel: 'C1', notificationId: null, message: message('p') }], 0);
    const notificationId = await openNotification(state, 0, []);
    for (const text of ['edit 1', 'edit 2', 'edit 3']) {
      await state.outbox.enqueue([{ kind: 'update', channel: 'C1', notificationId, message: message(text) }], 1);
    }
    const updates = (await state.outbox.listOutbox({ status: 'pending', limit: 10 })).filter((row) => row.kind === 'update');
    expect(updates.map((row) => row.message.text)).toEqual(['edit 3']);
  });
  it('edits a message by its channel and ts, retrying a 5xx; an edit of a message that is gone is given up, never reposted', async () => {
    const { store } = tempStore();
    const state = sqliteMonitorStores(store);
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const edit = (ts: string, text: string): OutboxDraft => ({
      kind: 'edit',
      channel: 'C_APPROVALS',
      notificationId: null,
      message: message(text),
      target: { channel: 'C_APPROVALS', ts },
      replaceKey: `approval ${ts}`,
    });
    await state.outbox.enqueue([edit('1.1', 'Failed'), edit('2.2', 'Succeeded')], clock.now());
    const notifier = new RecordingNotifier();
    notifier.failNext(new MessageGoneError('message gone', 'message_not_found'), new DeliveryError('HTTP 500', true));
    const report = await deliverOutbox({ outbox: state.outbox, notifier, now: clock.now, sleep: clock.sleep, log: () => {} });
    expect(report).toMatchObject({ sent: 1, retried: 1, failed: 1, pending: 0 });
    expect(notifier.sent.map((sent) => [sent.kind, sent.channel, sent.ts, sent.text])).toEqual([['update', 'C_APPROVALS', '2.2', 'Succeeded']]);
    expect((await state.outbox.listOutbox({ limit: 10 })).map((row) => [row.message.text, row.status, row.attempts])).toEqual([
      ['Failed', 'failed', 1],
      ['Succeeded', 'sent', 2],
    ]);
  });
});
