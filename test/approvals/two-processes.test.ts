/**
 * Two real bot processes on one SQLite file while Slack's `chat.update` hangs (never answers): process A approves
 * and runs the request, process B ticks on its interval the whole time, as a second replica does. Each approval
 * runs exactly one run, for a migration, an exact undo and a full restore.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leftBehind, runsOf, startChildBot } from '../helpers/approval-process.ts';
import { APPROVAL_T0, approvalService, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { startFakeSlackApi } from '../helpers/slack/fake-slack-api.ts';

/** A seeded store with a request of `kind` waiting for approval (rollbacks after an approved migration ran). */
async function requested(kind: 'migrate' | 'undo' | 'restore') {
  const seeded = await seededBackend();
  const clock = new FakeClock(APPROVAL_T0);
  const { service } = approvalService(seeded.backend, { clock, backupDir: seeded.backupDir, holderId: 'm' });
  let request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
  let migrationRunId: string | null = null;
  if (kind !== 'migrate') {
    await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    await service.idle();
    const [run] = await runsOf(seeded.backend, 'migrate');
    migrationRunId = run!.id;
    request = await service.request({ kind: 'rollback', target: kind === 'undo' ? run!.id : basename(run!.backupFile!), userId: 'U_REQ' });
  }
  seeded.store.close();
  return { ...seeded, request, migrationRunId };
}

describe('two bot processes on one store with chat.update hanging', () => {
  it.each(['migrate', 'undo', 'restore'] as const)('%s: one run for the approval', async (kind) => {
    const { path, backupDir, request, migrationRunId } = await requested(kind);
    const slack = await startFakeSlackApi();
    slack.answer('chat.update', () => new Promise(() => {}));
    const common = { db: path, backupDir, slackApiUrl: slack.url, requestId: request.id };
    const a = startChildBot({ ...common, action: 'approve', planHash: request.planHash, holder: 'a' });
    const b = startChildBot({ ...common, action: 'tick', holder: 'b' });
    const [endA, endB] = await Promise.all([a.ended, b.ended]);
    expect(endA.code, endA.stderr).toBe(0);
    expect(endB.code, endB.stderr).toBe(0);
    // Slack was asked to edit the message, and never answered.
    expect(slack.callsOf('chat.update').length).toBeGreaterThan(0);

    const left = await leftBehind(path, request.id);
    expect(left.state).toBe('succeeded');
    expect(JSON.parse(endA.stdout)).toEqual({ state: 'succeeded', runId: 'run1_a' });
    expect(JSON.parse(endB.stdout)).toEqual({ state: 'succeeded', runId: 'run1_a' });
    // One run besides the migration a rollback reverts: A's, and none of B's.
    expect(left.runs.filter(([id]) => id !== migrationRunId)).toEqual([['run1_a', 'completed']]);
    if (migrationRunId) expect(left.runs.filter(([id]) => id === migrationRunId)).toEqual([[migrationRunId, 'rolled_back']]);
  });
});
