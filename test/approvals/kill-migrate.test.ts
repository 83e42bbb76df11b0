/**
 * kill -9 of a real bot process running an approved v1 migration, at every step of the request's state machine:
 * after the claim, mid-run (after batch 1), after the run ended but before the request closed, after it closed,
 * and mid-edit (inside a `chat.update` of the request message, its outbox row claimed). The restarted bot then
 * ticks over the same SQLite file: the approval runs exactly once, its real outcome is recorded and shown, and
 * nothing runs that nobody approved, even when new legacy records arrived while the bot was down.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/approvals/port.ts';
import { addLegacyEntities, groupIdOf, killedChild, leftBehind, restartedBot, runsOf, startChildBot } from '../helpers/approval-process.ts';
import { APPROVAL_T0, approvalService, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { startFakeSlackApi } from '../helpers/slack/fake-slack-api.ts';

/** A seeded legacy store with one migration request waiting for approval, and the fake Slack the bot talks to. */
async function requested() {
  const seeded = await seededBackend();
  const clock = new FakeClock(APPROVAL_T0);
  const { service } = approvalService(seeded.backend, { clock, backupDir: seeded.backupDir });
  const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
  seeded.store.close();
  const slack = await startFakeSlackApi();
  const child = { db: seeded.path, backupDir: seeded.backupDir, slackApiUrl: slack.url, action: 'approve' as const, requestId: request.id, planHash: request.planHash };
  return { ...seeded, clock, request, slack, child };
}

function planned(request: ApprovalRequest): number {
  return (request.plan as { changes: { total: number } }).changes.total;
}

describe('kill -9 of the bot running an approved migration, then a restart', () => {
  it.each([
    ['approval:claimed', 'running', [], 'after the claim, before the run began: the restart runs the claimed run id'],
    ['batch:1', 'running', [['run1_a', 'migrating']], 'mid-run, after batch 1 committed: the restart resumes the same run from its checkpoint'],
    ['approval:run-ended', 'running', [['run1_a', 'completed']], 'after the run ended, before the request closed: the restart records the run’s outcome'],
    ['approval:closed', 'succeeded', [['run1_a', 'completed']], 'after the request closed: the restart has nothing to do'],
  ])('killed at %s (request %s, runs %j: %s): one run, its real outcome', async (killAt, stateLeft, runsLeft) => {
    const { path, backupDir, clock, request, child } = await requested();
    await killedChild({ ...child, killAt });
    expect(await leftBehind(path, request.id)).toEqual({ state: stateLeft, runs: runsLeft });

    const { backend, messenger } = await restartedBot(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((await runsOf(backend, 'migrate')).map((run) => [run.id, run.state])).toEqual([['run1_a', 'completed']]);
    const result = done.result as { message: string; validation: string[] };
    expect(result.message).toMatch(new RegExp(`^Migration run1_a completed: ${planned(request)} records changed, \\d+ cross-group references created\\.$`));
    expect(result.validation[0]).toBe('Validation: passed');
    if (killAt !== 'approval:closed') expect(JSON.stringify(messenger.updates.at(-1)!.message.blocks)).toMatch(/Succeeded: v1 groupId migration.*Validation: passed/s);
  });

  it('killed after the run ended, with 4 new legacy records before the restart: the real outcome is kept and the 4 stay untouched', async () => {
    const { path, backupDir, clock, request, child } = await requested();
    await killedChild({ ...child, killAt: 'approval:run-ended' });
    const late = await addLegacyEntities(path, 4);

    const { backend, store } = await restartedBot(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((done.result as { message: string }).message).toContain(`${planned(request)} records changed`);
    expect((await runsOf(backend, 'migrate')).map((run) => run.id)).toEqual(['run1_a']);
    for (const id of late) expect(groupIdOf(store, id)).toBeNull();
  });

  it('killed after the claim, with 4 new legacy records before the restart: nothing runs that nobody approved', async () => {
    const { path, backupDir, clock, request, child } = await requested();
    await killedChild({ ...child, killAt: 'approval:claimed' });
    const late = await addLegacyEntities(path, 4);

    const { backend, store, messenger } = await restartedBot(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'failed', runId: 'run1_a' });
    expect(done.error).toMatch(/nothing ran/);
    expect(await runsOf(backend, 'migrate')).toEqual([]);
    for (const id of late) expect(groupIdOf(store, id)).toBeNull();
    expect(JSON.stringify(messenger.updates.at(-1)!.message.blocks)).toMatch(/Failed: v1 groupId migration.*nothing ran/s);
  });

  it('killed mid-edit, inside chat.update of the request message: the run ends once and the message reaches its final state', async () => {
    const { path, backupDir, clock, request, child, slack } = await requested();
    let updates = 0;
    let bot: ReturnType<typeof startChildBot> | null = null;
    slack.answer('chat.update', () => {
      // The second edit is in flight when the process dies; Slack never answers it.
      if (++updates === 2) bot!.process.kill('SIGKILL');
      return updates >= 2 ? new Promise(() => {}) : { body: { ok: true } };
    });
    bot = startChildBot(child);
    expect((await bot.ended).signal).toBe('SIGKILL');
    expect(updates).toBe(2);

    const { backend, messenger } = await restartedBot(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((await runsOf(backend, 'migrate')).map((run) => [run.id, run.state])).toEqual([['run1_a', 'completed']]);
    expect(JSON.stringify(messenger.updates.at(-1)!.message.blocks)).toMatch(/Succeeded: v1 groupId migration.*Validation: passed/s);
  });
});
