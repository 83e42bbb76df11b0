/**
 * kill -9 of a real bot process running an approved v1 migration, with new legacy records written while it is
 * down, and mid-edit (inside a `chat.update` of the request message, its outbox row claimed). The restarted bot
 * over the same SQLite file runs the approval exactly once, keeps its real outcome, and runs nothing that nobody
 * approved.
 */
import { describe, expect, it } from 'vitest';
import { addLegacyEntities, groupIdOf, killedChild, migrationRequested, plannedChanges, restartedBot, runsOf, startChildBot } from '../helpers/approval-process.ts';

describe('kill -9 of the bot running an approved migration, new data meanwhile or mid-edit, then a restart', () => {
  it('killed after the run ended, with 4 new legacy records before the restart: the real outcome is kept and the 4 stay untouched', async () => {
    const { path, backupDir, clock, request, child } = await migrationRequested();
    await killedChild({ ...child, killAt: 'approval:run-ended' });
    const late = await addLegacyEntities(path, 4);

    const { backend, store } = await restartedBot(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((done.result as { message: string }).message).toContain(`${plannedChanges(request)} records changed`);
    expect((await runsOf(backend, 'migrate')).map((run) => run.id)).toEqual(['run1_a']);
    for (const id of late) expect(groupIdOf(store, id)).toBeNull();
  });

  it('killed after the claim, with 4 new legacy records before the restart: nothing runs that nobody approved', async () => {
    const { path, backupDir, clock, request, child } = await migrationRequested();
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
    const { path, backupDir, clock, request, child, slack } = await migrationRequested();
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
    expect(JSON.stringify(messenger.updates.at(-1)!.message.blocks)).toMatch(/Succeeded with regressions: v1 groupId migration.*Validation: passed/s);
  });
});
