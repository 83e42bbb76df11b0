/**
 * Edits of the request messages go through the outbox: retried with backoff until Slack takes them, only the
 * latest edit of a message waiting, and kept in the store file, so a process that replaces a dead one sends them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../src/backend.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { APPROVAL_T0, approvalService, RecordingMessenger, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const opened: SqliteStore[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

/** A Web API error as @slack/web-api throws it for an HTTP 500. */
function httpError(status: number): Error {
  return Object.assign(new Error(`An HTTP protocol error occurred: statusCode = ${status}`), { code: 'slack_webapi_http_error', statusCode: status });
}

/** A messenger whose edits Slack answers with 500 until `failingUntil` (by `clock`). */
function flakyMessenger(clock: FakeClock): { messenger: RecordingMessenger; refused: () => number; failUntil: (at: number) => void } {
  const messenger = new RecordingMessenger();
  const deliver = messenger.update.bind(messenger);
  let failingUntil = 0;
  let refused = 0;
  messenger.update = async (channel, ts, message) => {
    if (clock.now() < failingUntil) {
      refused++;
      throw httpError(500);
    }
    await deliver(channel, ts, message);
  };
  return { messenger, refused: () => refused, failUntil: (at) => (failingUntil = at) };
}

describe('approval messages while Slack answers 500', () => {
  it('Slack failing for 40 s around the end of a run: after recovery the message shows the real outcome within one tick', async () => {
    const { backend, backupDir } = await seededBackend();
    const clock = new FakeClock(APPROVAL_T0);
    const slack = flakyMessenger(clock);
    const { service, logs } = approvalService(backend, { clock, backupDir, messenger: slack.messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    slack.failUntil(clock.now() + 40_000);
    await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    await service.idle();
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded' });
    expect(slack.messenger.updates).toEqual([]);
    expect(slack.refused()).toBeGreaterThan(0);
    // Only the latest edit of the message waits (the Succeeded one), not every progress report.
    const pending = await backend.monitorPorts.stores.outbox.listOutbox({ status: 'pending', limit: 10 });
    expect(pending.map((row) => [row.kind, row.replaceKey, row.target])).toEqual([['edit', `approval ${request.id}`, { channel: 'C_APPROVALS', ts: done.messageTs }]]);
    clock.advance(30_000);
    await service.tick();
    expect(slack.messenger.updates).toEqual([]);
    clock.advance(30_000);
    await service.tick();
    expect(slack.messenger.updates).toHaveLength(1);
    expect(JSON.stringify(slack.messenger.updates[0]!.message.blocks)).toMatch(/Succeeded with regressions: v1 groupId migration.*Validation: passed.*:warning: \*Cross-group violations\* 0 → 5 \(healthy → critical\)/s);
    expect(logs.some((line) => /outbox: row \S+ \(edit to C_APPROVALS\) will be retried in \d+ ms/.test(line))).toBe(true);
    // Delivered once: later ticks send nothing again.
    clock.advance(300_000);
    await service.tick();
    expect(slack.messenger.updates).toHaveLength(1);
    expect(await backend.monitorPorts.stores.outbox.outboxCounts()).toMatchObject({ pending: 0 });
  });

  it('the process dies with the final edit undelivered: the process replacing it sends that edit', async () => {
    const first = await seededBackend();
    const clock = new FakeClock(APPROVAL_T0);
    const slack = flakyMessenger(clock);
    const { service } = approvalService(first.backend, { clock, backupDir: first.backupDir, messenger: slack.messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    slack.failUntil(Number.POSITIVE_INFINITY);
    await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    await service.idle();
    expect(await first.backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded' });
    expect(slack.messenger.updates).toEqual([]);
    // The process dies: its connection closes, nothing in memory survives.
    first.store.close();

    const store = SqliteStore.open(first.path);
    opened.push(store);
    const backend = sqliteBackend(store, { useWorker: false });
    const messenger = new RecordingMessenger();
    clock.advance(60_000);
    const { service: fresh } = approvalService(backend, { clock, backupDir: first.backupDir, holderId: 'b', messenger });
    await fresh.tick();
    await fresh.idle();
    const done = (await backend.approvals.get(request.id))!;
    expect(messenger.updates).toHaveLength(1);
    expect(messenger.updates[0]).toMatchObject({ channel: done.channel, ts: done.messageTs });
    expect(JSON.stringify(messenger.updates[0]!.message.blocks)).toMatch(/Succeeded with regressions: v1 groupId migration.*Validation: passed.*:warning: \*Cross-group violations\* 0 → 5 \(healthy → critical\)/s);
    await fresh.tick();
    expect(messenger.updates).toHaveLength(1);
  });
});
