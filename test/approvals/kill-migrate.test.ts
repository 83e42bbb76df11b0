/**
 * kill -9 of a real bot process running an approved v1 migration, at every step of the request's state machine:
 * after the claim, mid-run (after batch 1), after the run ended but before the request closed, after it closed.
 * The restarted bot then ticks over the same SQLite file: the approval runs exactly once and its real outcome is
 * recorded and shown. `kill-migrate-meanwhile.test.ts` adds new data while the bot is down, and a kill mid-edit.
 */
import { describe, expect, it } from 'vitest';
import { killedChild, leftBehind, migrationRequested, plannedChanges, restartedBot, runsOf } from '../helpers/approval-process.ts';

describe('kill -9 of the bot running an approved migration, then a restart', () => {
  it.each([
    ['approval:claimed', 'running', [], 'after the claim, before the run began: the restart runs the claimed run id'],
    ['batch:1', 'running', [['run1_a', 'migrating']], 'mid-run, after batch 1 committed: the restart resumes the same run from its checkpoint'],
    ['approval:run-ended', 'running', [['run1_a', 'completed']], 'after the run ended, before the request closed: the restart records the run’s outcome'],
    ['approval:closed', 'succeeded', [['run1_a', 'completed']], 'after the request closed: the restart has nothing to do'],
  ])('killed at %s (request %s, runs %j: %s): one run, its real outcome', async (killAt, stateLeft, runsLeft) => {
    const { path, backupDir, clock, request, child } = await migrationRequested();
    await killedChild({ ...child, killAt });
    expect(await leftBehind(path, request.id)).toEqual({ state: stateLeft, runs: runsLeft });

    const { backend, messenger } = await restartedBot(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((await runsOf(backend, 'migrate')).map((run) => [run.id, run.state])).toEqual([['run1_a', 'completed']]);
    const result = done.result as { message: string; validation: string[] };
    // The seeded store's migration creates cross-group references, so it ends with regressions.
    expect(result.message).toBe(`Migration run1_a completed with regressions (${plannedChanges(request)} records changed): 2 metrics got worse.`);
    expect(result.validation[0]).toBe('Validation: passed');
    if (killAt !== 'approval:closed') expect(JSON.stringify(messenger.updates.at(-1)!.message.blocks)).toMatch(/Succeeded with regressions: v1 groupId migration.*Validation: passed/s);
  });

});
