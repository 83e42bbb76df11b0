/**
 * kill -9 of a real bot process running an approved full restore, after the claim, mid-restore (inside its
 * import), after its import committed and after the restore ended but before the request closed, with 5 entities
 * written while it is down. The restarted bot over the same SQLite file runs the approval exactly once, records the
 * restore it ran, and does not import again over those 5 once the import had committed.
 */
import { describe, expect, it } from 'vitest';
import { addLegacyEntities, killedChild, leftBehind, restartedBot, rollbackRequested, runsOf } from '../helpers/approval-process.ts';

describe('kill -9 of the bot running an approved full restore, then a restart', () => {
  it.each([
    ['approval:claimed', [], 'after the claim'],
    ['restore:1', [['run1_a', 'running']], 'mid-restore, inside its import'],
    ['restore:imported', [['run1_a', 'running']], 'after its import committed, before the restore ended'],
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
    // Imported (or ended) before they were written, the restore is recorded and not run again over them. Not yet
    // begun (or rolled back with its transaction), the approved restore runs once now and replaces the data with the
    // backup, as approved: a restore's plan leaves records created since the backup out (see `planHash`).
    expect(survivors).toEqual(killAt === 'restore:imported' || killAt === 'approval:run-ended' ? written : []);
  });
});
