import { describe, expect, it } from 'vitest';
import { deliverOutbox, heldDeliveries, holdOf } from '../../src/alerts/outbox.ts';
import { DeliveryError, type OutboundMessage } from '../../src/alerts/ports.ts';
import type { MessageRef } from '../../src/alerts/types.ts';
import { SqliteAlertStore } from '../../src/store/sqlite/sqlite-alert-store.ts';
import { SqliteOutboxStore } from '../../src/store/sqlite/sqlite-outbox-store.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';
import { tempStore } from '../helpers/temp-store.ts';

const message = (text: string) => ({ text });

/** Slack as configured: `refusals` maps a channel (or `*` for every one) to the error Slack answers there. */
class MisconfiguredSlack extends RecordingNotifier {
  readonly refusals = new Map<string, string>();
  calls = 0;

  private refuse(channel: string): void {
    const error = this.refusals.get(channel) ?? this.refusals.get('*');
    if (error) throw new DeliveryError(`chat.postMessage: Slack answered ${error}`, { kind: 'slack', error });
  }

  override async post(outbound: OutboundMessage & { channel: string; threadTs?: string }): Promise<MessageRef> {
    this.calls++;
    this.refuse(outbound.channel);
    return super.post(outbound);
  }

  override async update(outbound: OutboundMessage & { channel: string; ts: string }): Promise<void> {
    this.calls++;
    this.refuse(outbound.channel);
    return super.update(outbound);
  }
}

function setup() {
  const { store } = tempStore();
  const state = new SqliteOutboxStore(store);
  const alerts = new SqliteAlertStore(store);
  const clock = new FakeClock('2026-11-27T10:00:00Z');
  const slack = new MisconfiguredSlack();
  const lines: string[] = [];
  const round = () => deliverOutbox({ outbox: state, notifier: slack, now: clock.now, sleep: clock.sleep, log: (line) => lines.push(line) });
  const post = (channel: string, text: string) => ({ kind: 'post' as const, channel, notificationId: null, message: message(text) });
  return { state, alerts, clock, slack, lines, round, post };
}

describe('outbox: configuration errors hold messages until fixed', () => {
  it('holds a channel Slack refuses (channel_not_found) with everything after it there, lets other channels through, then sends all in order, once', async () => {
    const { state, clock, slack, lines, round, post } = setup();
    const [badOne] = await state.enqueue([post('C_BAD', 'bad 1'), post('C_OK', 'ok 1'), post('C_BAD', 'bad 2')], clock.now());
    slack.refusals.set('C_BAD', 'channel_not_found');

    const first = await round();
    expect(first).toMatchObject({ sent: 1, failed: 0, held: 2, pending: 2 });
    expect(first.holds).toEqual([{ slackError: 'channel_not_found', channel: 'C_BAD', fix: expect.stringContaining('C_BAD does not exist') }]);
    expect(slack.calls).toBe(2); // one probe of C_BAD, the C_OK post; "bad 2" waits without a request
    expect(clock.sleeps).toEqual([]);
    expect(lines.filter((line) => line.includes('Slack refuses'))).toEqual([
      expect.stringMatching(new RegExp(`^outbox: Slack refuses row ${badOne!.id} \\(post to C_BAD\\) \\(channel_not_found\\): point ALERT_CHANNEL_CRITICAL .* go out, in order, once fixed`)),
    ]);
    const held = await heldDeliveries(state);
    expect(held.map((row) => [row.id, row.status])).toEqual([[badOne!.id, 'pending']]);
    expect(holdOf(held[0]!)).toMatch(/^chat\.postMessage: Slack answered channel_not_found; to fix: /);

    clock.advance(30_000);
    await state.enqueue([post('C_BAD', 'bad 3')], clock.now()); // queued while still broken
    const second = await round();
    expect(second).toMatchObject({ sent: 0, failed: 0, held: 3, pending: 3 });
    expect(slack.calls).toBe(3); // one probe per round
    expect(lines.filter((line) => line.includes('Slack refuses'))).toHaveLength(1); // the same problem is not logged again

    slack.refusals.clear(); // the bot was given the right channel
    clock.advance(30_000);
    const fixed = await round();
    expect(fixed).toMatchObject({ sent: 3, failed: 0, held: 0, pending: 0, holds: [] });
    expect(slack.sent.map((sent) => sent.text)).toEqual(['ok 1', 'bad 1', 'bad 2', 'bad 3']);
    expect(await heldDeliveries(state)).toEqual([]);
    expect((await round()).sent).toBe(0);
    expect(slack.sent).toHaveLength(4);
  });

  it('holds every channel for a rejected token (invalid_auth) with a single request, and sends all in order once it is replaced', async () => {
    const { state, clock, slack, round, post } = setup();
    await state.enqueue([post('C1', 'one'), post('C2', 'two'), post('C3', 'three')], clock.now());
    slack.refusals.set('*', 'invalid_auth');
    const report = await round();
    expect(report).toMatchObject({ sent: 0, failed: 0, pending: 3 });
    expect(report.holds).toEqual([{ slackError: 'invalid_auth', channel: null, fix: expect.stringContaining('SLACK_BOT_TOKEN') }]);
    expect(slack.calls).toBe(1);
    expect(await state.outboxCounts()).toEqual({ pending: 3, sent: 0, failed: 0 });

    slack.refusals.clear();
    expect(await round()).toMatchObject({ sent: 3, pending: 0 });
    expect(slack.sent.map((sent) => sent.text)).toEqual(['one', 'two', 'three']);
  });

  it('keeps the edits and thread replies of a held post waiting (not failed, no request), then sends them into its thread', async () => {
    const { state, alerts, clock, slack, round } = setup();
    const recorded = await alerts.recordRun({
      source: 'test',
      at: clock.now(),
      notifications: [
        {
          notification: {
            key: 'k|critical|C_BAD',
            subject: 'k',
            severity: 'critical',
            channel: 'C_BAD',
            status: 'open',
            openedAt: clock.now(),
            resolvedAt: null,
            lastReminderAt: null,
            shown: null,
          },
          alerts: [],
          remindedAlertIds: [],
          outbox: [
            { kind: 'post', channel: 'C_BAD', notificationId: null, message: message('post') },
            { kind: 'update', channel: 'C_BAD', notificationId: null, message: message('edit') },
            { kind: 'reply', channel: 'C_BAD', notificationId: null, message: message('reply') },
          ],
        },
      ],
    });
    const notificationId = recorded.notifications[0]!.notification!.id;
    slack.refusals.set('C_BAD', 'not_in_channel');
    const held = await round();
    expect(held).toMatchObject({ sent: 0, failed: 0, pending: 3 });
    expect(slack.calls).toBe(1);
    expect((await state.listOutbox({ limit: 10 })).map((row) => row.status)).toEqual(['pending', 'pending', 'pending']);

    slack.refusals.clear();
    expect(await round()).toMatchObject({ sent: 3, failed: 0, pending: 0 });
    expect(slack.sent.map((sent) => [sent.kind, sent.text, sent.threadTs ?? sent.ts])).toEqual([
      ['post', 'post', '1700000000.000001'],
      ['update', 'edit', '1700000000.000001'],
      ['post', 'reply', '1700000000.000001'],
    ]);
    expect((await alerts.getNotification(notificationId))!.message).toEqual({ channel: 'C_BAD', ts: '1700000000.000001' });
  });

  it('ends the round after a timeout: one request, no waiting, the row stays pending for the next round', async () => {
    const { state, clock, post } = setup();
    await state.enqueue([post('C1', 'one'), post('C1', 'two')], clock.now());
    const hung = new RecordingNotifier();
    let calls = 0;
    hung.post = async () => {
      calls++;
      throw new DeliveryError('chat.postMessage: Slack did not answer within 10000 ms', { kind: 'timed_out', afterMs: 10_000 });
    };
    const report = await deliverOutbox({ outbox: state, notifier: hung, now: clock.now, sleep: clock.sleep });
    expect(report).toMatchObject({ sent: 0, retried: 1, failed: 0, pending: 2 });
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('counts the time Slack calls take against the round: a round never runs past its budget waiting for retries', async () => {
    const { state, clock, post } = setup();
    await state.enqueue([post('C1', 'one')], clock.now());
    const slow = new RecordingNotifier();
    let calls = 0;
    slow.post = async () => {
      calls++;
      clock.advance(9_000); // each call takes 9 s before failing
      throw new DeliveryError('HTTP 503 from Slack', { kind: 'http', status: 503, retryAfterMs: null });
    };
    const started = clock.now();
    await deliverOutbox({ outbox: state, notifier: slow, now: clock.now, sleep: clock.sleep, maxInlineWaitMs: 20_000 });
    // 9 s + 1 s wait + 9 s + (2 s wait would pass 20 s) → stop.
    expect(calls).toBe(2);
    expect(clock.now() - started).toBeLessThanOrEqual(20_000);
  });
});
