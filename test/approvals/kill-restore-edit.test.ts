/**
 * kill -9 of a real bot process running an approved full restore while a `chat.update` of the request message is
 * in flight (its outbox row claimed, Slack never answering): the first edit, sent while the run may still go on,
 * or the final Succeeded edit after the request closed. The restarted bot over the same SQLite file ends the
 * restore once, and the message reaches its final state with one edit.
 */
import { describe, expect, it } from 'vitest';
import { killedMidEdit, leftBehind, restartedBot, rollbackRequested, runsOf } from '../helpers/approval-process.ts';

describe('kill -9 of the bot running an approved full restore mid-edit, then a restart', () => {
  it.each([
    [/:/, 'the first edit, whatever it shows by then (Approved, Running or Succeeded)'],
    [/Succeeded: /, 'the final edit, the request closed'],
  ])('killed inside a chat.update showing %s (%s): one restore, the message shows it succeeded once', async (showing) => {
    const { path, backupDir, clock, request, migrationRunId, slack, child } = await rollbackRequested('backup');
    const answered = await killedMidEdit(child, slack, showing);
    expect(answered.filter((blocks) => /Succeeded: /.test(blocks))).toEqual([]);
    if (showing.source === 'Succeeded: ') {
      const left = await leftBehind(path, request.id);
      expect([left.state, [...left.runs].sort()]).toEqual(['succeeded', [['run1_a', 'completed'], [migrationRunId, 'rolled_back']]]);
    }

    const { backend, messenger } = await restartedBot(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((done.result as { message: string }).message).toMatch(/^Restore run1_a completed: \d+ documents restored\.$/);
    expect((await runsOf(backend, 'restore')).map((run) => [run.id, run.state])).toEqual([['run1_a', 'completed']]);
    expect((await runsOf(backend, 'migrate')).map((run) => [run.id, run.state])).toEqual([[migrationRunId, 'rolled_back']]);
    const final = messenger.updates.filter((update) => /Succeeded: /.test(JSON.stringify(update.message.blocks)));
    expect(final).toHaveLength(1);
    expect(final[0]).toMatchObject({ channel: done.channel, ts: done.messageTs });
    expect(messenger.updates.at(-1)).toBe(final[0]);
  });
});
