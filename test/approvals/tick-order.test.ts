/**
 * The approval tick resumes before it waits on Slack: a restarted bot whose outbox holds a due edit and whose
 * Slack never answers `chat.update` still resumes the run a dead process left, on its first tick.
 */
import { describe, expect, it } from 'vitest';
import { runsOf, RESTART_AFTER_MS } from '../helpers/approval-process.ts';
import { APPROVAL_T0, approvalService, RecordingMessenger, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

/** A messenger whose chat.update never answers (posts and direct messages still work). */
class HangingMessenger extends RecordingMessenger {
  override update(): Promise<void> {
    return new Promise(() => {});
  }
}

describe('the approval tick with Slack hanging', () => {
  it('resumes the run a dead process claimed although an edit waiting in the outbox never gets an answer', async () => {
    const { backend, backupDir } = await seededBackend();
    const clock = new FakeClock(APPROVAL_T0);
    const { service: first } = approvalService(backend, { clock, backupDir });
    const request = await first.request({ kind: 'migrate', userId: 'U_REQ' });
    // A process approved and claimed it, queued the Running edit, and died before the run began.
    await backend.approvals.approve(request.id, { userId: 'U_A', at: clock.now(), planHash: request.planHash });
    const running = await backend.approvals.start(request.id, { at: clock.now(), planHash: request.planHash, runId: 'run7_dead' });
    expect(running.changed).toBe(true);
    const target = { channel: request.channel!, ts: request.messageTs! };
    await backend.monitorPorts.stores.outbox.enqueue(
      [{ kind: 'edit', channel: target.channel, notificationId: null, message: { text: 'Running', blocks: [] }, target, replaceKey: `approval ${request.id}` }],
      clock.now(),
    );

    clock.advance(RESTART_AFTER_MS);
    const { service } = approvalService(backend, { clock, backupDir, holderId: 'b', messenger: new HangingMessenger() });
    void service.tick();
    let state = request.state as string;
    for (let turn = 0; turn < 500 && state !== 'succeeded'; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      state = (await backend.approvals.get(request.id))!.state;
    }
    expect(state).toBe('succeeded');
    expect((await runsOf(backend, 'migrate')).map((run) => [run.id, run.state])).toEqual([['run7_dead', 'completed']]);
  });
});
