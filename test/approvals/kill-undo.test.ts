/**
 * kill -9 of a real bot process running an approved exact undo, after the claim, mid-undo and after the undo
 * ended but before the request closed. The restarted bot over the same SQLite file runs the approval exactly once
 * and records the undo it ran.
 */
import { describe, expect, it } from 'vitest';
import { killedChild, leftBehind, restartedBot, rollbackRequested, runsOf } from '../helpers/approval-process.ts';

describe('kill -9 of the bot running an approved exact undo, then a restart', () => {
  it.each([
    ['approval:claimed', [], 'after the claim'],
    ['undo-batch:1', [['run1_a', 'running']], 'mid-undo, after its first batch committed'],
    ['approval:run-ended', [['run1_a', 'completed']], 'after the undo ended, before the request closed'],
  ])('killed at %s (undo runs left %j: %s): one undo, recorded as the undo it ran', async (killAt, undoLeft) => {
    const { path, backupDir, clock, request, migrationRunId, child } = await rollbackRequested('run');
    await killedChild({ ...child, killAt });
    const left = await leftBehind(path, request.id);
    expect(left.state).toBe('running');
    expect(left.runs.filter(([id]) => id !== migrationRunId)).toEqual(undoLeft);

    const { backend } = await restartedBot(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((done.result as { message: string }).message).toBe(`Undo run1_a of run ${migrationRunId} completed.`);
    expect((await runsOf(backend, 'undo')).map((run) => [run.id, run.state])).toEqual([['run1_a', 'completed']]);
    expect((await runsOf(backend, 'migrate')).map((run) => [run.id, run.state])).toEqual([[migrationRunId, 'rolled_back']]);
  });
});
