// @vitest-environment edge-runtime
/**
 * The approval crash points of a migration on the Convex adapter (see `test/helpers/convex-approvals.ts`): the bot
 * dies after the claim, after batch 1, after the run ended, after the request closed or inside a `chat.update`, and
 * a new bot over the same deployment ticks as a restarted one does: the approval runs exactly once, its real
 * outcome is recorded, and nothing runs that nobody approved, even when new legacy records arrived meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { approve, deployment, planned } from '../helpers/convex-approvals.ts';

describe('Convex: a bot killed while running an approved migration, then a restart', () => {
  it.each([
    ['approval:claimed', 'after the claim, before the run began'],
    ['batch:1', 'mid-run, after batch 1'],
    ['approval:run-ended', 'after the run ended, before the request closed'],
    ['approval:closed', 'after the request closed'],
    ['edit:2', 'mid-edit, inside the second chat.update of the request message'],
  ])('killed at %s (%s): one run, its real outcome', async (point) => {
    const { bot, restart, runs, backend } = await deployment();
    const dying = bot('a', point);
    const request = await dying.service.request({ kind: 'migrate', userId: 'U_REQ' });
    await approve(dying.service, request);
    expect(dying.killed()).toBe(true);

    const { messenger } = await restart();
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect(await runs('migrate')).toEqual([['run1_a', 'completed']]);
    const result = done.result as { message: string; validation: string[] };
    // The seeded data's migration creates a cross-group reference, so it ends with regressions.
    expect(result.message).toBe(`Migration run1_a completed with regressions (${planned(request)} records changed): 2 metrics got worse.`);
    expect(result.validation[0]).toBe('Validation: passed');
    if (point !== 'approval:closed') expect(JSON.stringify(messenger.updates.at(-1)!.message.blocks)).toMatch(/Succeeded with regressions: v1 groupId migration/);
  });

  it('killed after the claim, with 4 new legacy records before the restart: nothing runs that nobody approved', async () => {
    const { bot, restart, runs, backend, legacyEntities, groupIdOf } = await deployment();
    const dying = bot('a', 'approval:claimed');
    const request = await dying.service.request({ kind: 'migrate', userId: 'U_REQ' });
    await approve(dying.service, request);
    expect(dying.killed()).toBe(true);
    const late = await legacyEntities(4);

    await restart();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'failed', runId: 'run1_a', error: expect.stringMatching(/nothing ran/) });
    expect(await runs('migrate')).toEqual([]);
    for (const id of late) expect(await groupIdOf(id)).toBeNull();
  });

  it('killed after the run ended, with 4 new legacy records before the restart: the real outcome is kept, the 4 untouched', async () => {
    const { bot, restart, runs, backend, legacyEntities, groupIdOf } = await deployment();
    const dying = bot('a', 'approval:run-ended');
    const request = await dying.service.request({ kind: 'migrate', userId: 'U_REQ' });
    await approve(dying.service, request);
    expect(dying.killed()).toBe(true);
    const late = await legacyEntities(4);

    await restart();
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((done.result as { message: string }).message).toContain(`${planned(request)} records changed`);
    expect(await runs('migrate')).toEqual([['run1_a', 'completed']]);
    for (const id of late) expect(await groupIdOf(id)).toBeNull();
  });
});
