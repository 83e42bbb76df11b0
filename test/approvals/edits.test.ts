import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/alerts/ports.ts';
import { createEditQueue } from '../../src/approvals/edits.ts';
import { approvalService, RecordingMessenger, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const text = (value: string): OutboundMessage => ({ text: value, blocks: [] });
const TARGET = { channel: 'C1', ts: '1.1' };

/** A Web API error as @slack/web-api throws it for an HTTP 500, or for a Slack error code. */
function httpError(status: number): Error {
  return Object.assign(new Error(`An HTTP protocol error occurred: statusCode = ${status}`), { code: 'slack_webapi_http_error', statusCode: status });
}
function slackError(error: string): Error {
  return Object.assign(new Error(`An API error occurred: ${error}`), { code: 'slack_webapi_platform_error', data: { ok: false, error } });
}

describe('edit queue', () => {
  it('retries a failed edit after its backoff, with only the latest edit of the message, then stops', async () => {
    const clock = new FakeClock(0);
    const sent: string[] = [];
    let failing = true;
    const logs: string[] = [];
    const queue = createEditQueue({
      now: clock.now,
      log: (line) => logs.push(line),
      send: async (_channel, _ts, message) => {
        if (failing) throw httpError(500);
        sent.push(message.text);
      },
    });
    await queue.edit('request r1', TARGET, text('Running 10%'));
    // Within the backoff a newer edit only replaces the waiting one.
    await queue.edit('request r1', TARGET, text('Running 90%'));
    await queue.edit('request r1', TARGET, text('Succeeded'));
    expect(queue.pending()).toBe(1);
    failing = false;
    await queue.retryDue();
    expect(sent).toEqual([]);
    clock.advance(1_000);
    await queue.retryDue();
    expect(sent).toEqual(['Succeeded']);
    expect(queue.pending()).toBe(0);
    await queue.retryDue();
    expect(sent).toEqual(['Succeeded']);
    expect(logs).toEqual(['approvals: could not edit the message of request r1 (attempt 1): An HTTP protocol error occurred: statusCode = 500; retrying']);
  });

  it('sends edits of one message one at a time, in order, the latest last', async () => {
    const sent: string[] = [];
    const releases: (() => void)[] = [];
    const queue = createEditQueue({
      now: () => 0,
      log: () => {},
      send: (_channel, _ts, message) =>
        new Promise<void>((resolve) => {
          releases.push(() => {
            sent.push(message.text);
            resolve();
          });
        }),
    });
    const first = queue.edit('request r1', TARGET, text('Approved'));
    const second = queue.edit('request r1', TARGET, text('Running'));
    const third = queue.edit('request r1', TARGET, text('Succeeded'));
    expect(releases).toHaveLength(1);
    releases[0]!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(releases).toHaveLength(2);
    releases[1]!();
    await Promise.all([first, second, third]);
    expect(sent).toEqual(['Approved', 'Succeeded']);
  });

  it('gives an edit up when Slack says the message is gone', async () => {
    const logs: string[] = [];
    let calls = 0;
    const queue = createEditQueue({
      now: () => 10_000_000,
      log: (line) => logs.push(line),
      send: async () => {
        calls++;
        throw slackError('message_not_found');
      },
    });
    await queue.edit('request r1', TARGET, text('Succeeded'));
    await queue.retryDue();
    expect(calls).toBe(1);
    expect(queue.pending()).toBe(0);
    expect(logs).toEqual(['approvals: gave up editing the message of request r1: Slack answered message_not_found']);
  });
});

describe('approval messages while Slack answers 500', () => {
  it('Slack failing for 40 s around the end of a run: after recovery the message shows the real outcome within one tick', async () => {
    const { backend, backupDir } = await seededBackend();
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    let failingUntil = 0;
    const messenger = new RecordingMessenger();
    const deliver = messenger.update.bind(messenger);
    let refused = 0;
    messenger.update = async (channel, ts, message) => {
      if (clock.now() < failingUntil) {
        refused++;
        throw httpError(500);
      }
      await deliver(channel, ts, message);
    };
    const { service, logs } = approvalService(backend, { clock, backupDir, messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    failingUntil = clock.now() + 40_000;
    await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    await service.idle();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded' });
    expect(messenger.updates).toEqual([]);
    expect(refused).toBeGreaterThan(0);
    clock.advance(30_000);
    await service.tick();
    expect(messenger.updates).toEqual([]);
    clock.advance(30_000);
    await service.tick();
    expect(messenger.updates).toHaveLength(1);
    expect(JSON.stringify(messenger.updates[0]!.message.blocks)).toMatch(/Succeeded: v1 groupId migration.*Validation: passed/s);
    expect(logs.some((line) => /could not edit the message of request .* \(attempt 1\)/.test(line))).toBe(true);
    await service.tick();
    expect(messenger.updates).toHaveLength(1);
  });
});
