/**
 * kill -9 of a real bot process running an approved rollback, exact undo or full restore, after the claim, mid-run
 * and after the run ended but before the request closed. The restarted bot over the same SQLite file runs each
 * approval exactly once and records the run's real outcome; records written while the bot was down survive.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addLegacyEntities, killedChild, leftBehind, restartedBot, runsOf } from '../helpers/approval-process.ts';
import { APPROVAL_T0, approvalService, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { startFakeSlackApi } from '../helpers/slack/fake-slack-api.ts';

/** A store the approved migration ran on, with a rollback request (of its run, or to its backup) waiting for approval. */
async function rollbackRequested(target: 'run' | 'backup') {
  const seeded = await seededBackend();
  const clock = new FakeClock(APPROVAL_T0);
  const { service } = approvalService(seeded.backend, { clock, backupDir: seeded.backupDir, holderId: 'm' });
  const migration = await service.request({ kind: 'migrate', userId: 'U_REQ' });
  await service.click({ requestId: migration.id, action: 'approve', userId: 'U_A', planHash: migration.planHash });
  await service.idle();
  const [run] = await runsOf(seeded.backend, 'migrate');
  expect(run).toMatchObject({ id: 'run1_m', state: 'completed' });
  const request = await service.request({ kind: 'rollback', target: target === 'run' ? run!.id : basename(run!.backupFile!), userId: 'U_REQ' });
  seeded.store.close();
  const slack = await startFakeSlackApi();
  const child = { db: seeded.path, backupDir: seeded.backupDir, slackApiUrl: slack.url, action: 'approve' as const, requestId: request.id, planHash: request.planHash };
  return { ...seeded, clock, request, migrationRunId: run!.id, child };
}

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

describe('kill -9 of the bot running an approved full restore, then a restart', () => {
  it.each([
    ['approval:claimed', [], 'after the claim'],
    ['restore:1', [['run1_a', 'running']], 'mid-restore, inside its import'],
    ['approval:run-ended', [['run1_a', 'completed']], 'after the restore ended, before the request closed'],
  ])('killed at %s (restore runs left %j: %s), 5 entities written before the restart: exactly one restore', async (killAt, restoreLeft) => {
    const { path, backupDir, clock, request, migrationRunId, child } = await rollbackRequested('backup');
    await killedChild({ ...child, killAt });
    const left = await leftBehind(path, request.id);
    expect(left.state).toBe('running');
    expect(left.runs.filter(([id]) => id !== migrationRunId)).toEqual(restoreLeft);
    const written = await addLegacyEntities(path, 5);

    const { backend, store } = await restartedBot(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    const restores = (await runsOf(backend, 'restore')).map((run) => [run.id, run.state]);
    const survivors = written.filter((id) => store.database.prepare('SELECT count(*) FROM entities WHERE id = ?').pluck().get(id) === 1);
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((done.result as { message: string }).message).toMatch(/^Restore run1_a completed: \d+ documents restored\.$/);
    expect(restores).toEqual([['run1_a', 'completed']]);
    // Ended before they were written, the restore is recorded and not run again over them. Not yet begun (or rolled
    // back with its transaction), the approved restore runs once now and replaces the data with the backup, as
    // approved: a restore's plan leaves records created since the backup out (see `planHash`).
    expect(survivors).toEqual(killAt === 'approval:run-ended' ? written : []);
  });
});
