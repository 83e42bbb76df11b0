// @vitest-environment edge-runtime
/**
 * The approval crash points of a rollback on the Convex adapter (see `test/helpers/convex-approvals.ts`): an exact
 * undo killed mid-undo or after it ended, a full restore killed after the claim or after it ended; the restarted
 * bot runs each approval exactly once (one `npx convex import` for the restore) and records what it ran.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approve, migrated } from '../helpers/convex-approvals.ts';

describe('Convex: a bot killed while running an approved rollback, then a restart', () => {
  it.each([['undo-batch:1'], ['approval:run-ended']])('exact undo killed at %s: one undo, recorded as the undo it ran', async (point) => {
    const { bot, restart, runs, backend, migrationRunId } = await migrated();
    const dying = bot('a', point);
    const request = await dying.service.request({ kind: 'rollback', target: migrationRunId, userId: 'U_REQ' });
    await approve(dying.service, request);
    expect(dying.killed()).toBe(true);

    await restart();
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((done.result as { message: string }).message).toBe(`Undo run1_a of run ${migrationRunId} completed.`);
    expect(await runs('undo')).toEqual([['run1_a', 'completed']]);
  });

  it.each([['approval:claimed'], ['approval:run-ended']])('full restore killed at %s: one import, one restore', async (point) => {
    const { bot, restart, runs, backend, backupFile, imports } = await migrated();
    const dying = bot('a', point);
    const request = await dying.service.request({ kind: 'rollback', target: backupFile, userId: 'U_REQ' });
    await approve(dying.service, request);
    expect(dying.killed()).toBe(true);

    await restart();
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((done.result as { message: string }).message).toMatch(/^Restore run1_a completed: \d+ documents restored\.$/);
    expect(await runs('restore')).toEqual([['run1_a', 'completed']]);
    expect(imports.map((command) => basename(command.args.at(-1)!))).toEqual([backupFile]);
  });
});
