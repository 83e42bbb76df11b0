// @vitest-environment edge-runtime
/**
 * A full restore on the Convex adapter killed around its `npx convex import` (see `test/helpers/convex-approvals.ts`),
 * before the restore's finish step: inside the import call, where the bot cannot know whether the import ended, and
 * after the import returned. The restarted bot records exactly one restore outcome; an import that returned is not
 * run again, one cut short is run once more (`--replace` with the same snapshot gives the same tables).
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approve, migrated } from '../helpers/convex-approvals.ts';

describe('Convex: a bot killed around the import of an approved full restore, then a restart', () => {
  it.each([
    ['restore:importing', 'restore', 2, 'inside the import call: the import runs once more'],
    ['restore:imported', 'imported', 1, 'after the import returned: the restart only finishes the restore'],
  ])('killed at %s (run phase %s, %i imports: %s): one restore outcome', async (point, phaseLeft, importsRun) => {
    const { bot, restart, runs, backend, backupFile, imports, migrationRunId } = await migrated();
    const dying = bot('a', point);
    const request = await dying.service.request({ kind: 'rollback', target: backupFile, userId: 'U_REQ' });
    await approve(dying.service, request);
    expect(dying.killed()).toBe(true);
    const left = (await backend.migration().getRun('run1_a'))!;
    expect([left.state, left.phase]).toEqual(['running', phaseLeft]);
    expect(await runs('restore')).toEqual([['run1_a', 'running']]);

    await restart();
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((done.result as { message: string }).message).toMatch(/^Restore run1_a completed: \d+ documents restored\.$/);
    expect(await runs('restore')).toEqual([['run1_a', 'completed']]);
    expect(await runs('migrate')).toEqual([[migrationRunId, 'rolled_back']]);
    expect(imports.map((command) => basename(command.args.at(-1)!))).toEqual(Array(importsRun).fill(backupFile));
    const restores = (await backend.documents.page('events', null, 500)).documents.filter((event) => event.type === 'rollback_completed' && (event.metadata as { rollbackRunId?: string }).rollbackRunId === 'run1_a');
    expect(restores).toHaveLength(1);
  });
});
