// @vitest-environment edge-runtime
/**
 * The approval crash points on the Convex adapter, against a convex-test deployment (`test/convex/harness.ts`,
 * with real Convex ids on the wire: `test/convex/real-ids.ts`). The first bot "dies" at a named step: the hook
 * throws and from then on every request of that bot fails as a dead process's would, so nothing more is written
 * and its lease stays until it expires. A new bot over the same deployment then ticks, as a restarted one does:
 * each approval runs exactly once, its real outcome is recorded, and nothing runs that nobody approved, even when
 * new legacy records arrived meanwhile. A full restore on Convex is `npx convex import`: the runner is injected and
 * counts the imports.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/approvals/port.ts';
import type { ApprovalService } from '../../src/approvals/service.ts';
import { convexBackend, type Backend } from '../../src/backend.ts';
import type { CrashPoint } from '../../src/migration/test-hooks.ts';
import type { ImportCommand } from '../../src/store/convex/backup.ts';
import { createConvexHarness } from '../convex/harness.ts';
import { withRealIds } from '../convex/real-ids.ts';
import { RESTART_AFTER_MS } from '../helpers/approval-process.ts';
import { APPROVAL_T0, approvalService, RecordingMessenger } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { tempDir } from '../helpers/temp-store.ts';

class Killed extends Error {}

/** A test deployment with a small legacy data set, and bots over it. */
async function deployment() {
  const harness = createConvexHarness();
  const live = withRealIds(harness.fetch);
  const imports: ImportCommand[] = [];
  const backupDir = tempDir();
  const clock = new FakeClock(APPROVAL_T0);
  const backendOver = (fetch: typeof globalThis.fetch, crash?: CrashPoint): Backend =>
    convexBackend(
      { url: harness.url, deployKey: harness.deployKey, fetch, sleep: async () => undefined, backupDir, restore: { mode: 'run', yes: true, run: async (command) => (imports.push(command), 0) } },
      { crash },
    );
  const backend = backendOver(live);
  const insert = async (table: 'groups' | 'entities' | 'connections' | 'events', fields: Record<string, string | number>) => (await backend.documents.insert(table, fields))._id;
  const acme = await insert('groups', { slug: 'acme', name: 'Acme', type: 'organization', status: 'active' });
  const grouped = await insert('entities', { type: 'creator', name: 'grouped', groupId: acme, schemaVersion: 1, createdAt: APPROVAL_T0, updatedAt: APPROVAL_T0 });
  const bare: string[] = [];
  for (let n = 0; n < 4; n++) bare.push(await insert('entities', { type: 'creator', name: `bare ${n}`, createdAt: APPROVAL_T0, updatedAt: APPROVAL_T0 }));
  await insert('connections', { fromEntityId: grouped, toEntityId: bare[0]!, relationshipType: 'owns', createdAt: APPROVAL_T0, updatedAt: APPROVAL_T0 });
  await insert('events', { type: 'entity_updated', actorId: grouped, targetId: bare[1]!, timestamp: APPROVAL_T0 - 1_000 });

  /** A bot that dies at `point` (or never, without one). */
  const bot = (holderId: string, point?: string) => {
    let dead = false;
    const fetch = ((input: string | URL | Request, init?: RequestInit) => (dead ? Promise.reject(new TypeError('fetch failed')) : live(input, init))) as typeof globalThis.fetch;
    const crash: CrashPoint = (reached) => {
      if (reached !== point) return;
      dead = true;
      throw new Killed(`killed at ${point}`);
    };
    // `edit:<n>`: dies inside the n-th chat.update of the request message, its outbox row claimed.
    const messenger = new RecordingMessenger();
    let edits = 0;
    const update = messenger.update.bind(messenger);
    messenger.update = async (channel, ts, message) => {
      crash(`edit:${++edits}`);
      await update(channel, ts, message);
    };
    const over = backendOver(fetch, crash);
    return { backend: over, killed: () => dead, ...approvalService(over, { clock, backupDir, holderId, crash, messenger }) };
  };

  /** The restarted bot, after the dead one's lease and outbox claims expired: ticks until nothing is left to do. */
  const restart = async (): Promise<{ service: ApprovalService; messenger: RecordingMessenger }> => {
    clock.advance(RESTART_AFTER_MS);
    const messenger = new RecordingMessenger();
    const { service } = approvalService(backend, { clock, backupDir, holderId: 'b', messenger });
    for (let turn = 0; turn < 2; turn++) {
      await service.tick();
      await service.idle();
    }
    return { service, messenger };
  };

  const runs = async (kind: 'migrate' | 'undo' | 'restore') =>
    (await backend.migration().status({ limit: 50 })).runs.filter((run) => run.kind === kind).map((run) => [run.id, run.state]);
  const legacyEntities = async (count: number) => {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) ids.push(await insert('entities', { type: 'creator', name: `late ${n}`, createdAt: APPROVAL_T0, updatedAt: APPROVAL_T0 }));
    return ids;
  };
  const groupIdOf = async (id: string) => (await backend.documents.get('entities', id))?.groupId ?? null;
  return { backend, backupDir, clock, imports, bot, restart, runs, legacyEntities, groupIdOf };
}

function planned(request: ApprovalRequest): number {
  return (request.plan as { changes: { total: number } }).changes.total;
}

/** Approves `request` as U_A in `service` and waits for that bot's work on it to end (or die). */
async function approve(service: ApprovalService, request: ApprovalRequest): Promise<void> {
  const outcome = await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
  expect(outcome.decision?.action).toBe('approve_and_start');
  await service.idle();
}

/** A deployment the approved migration ran on (run `run1_m`), with its backup file. */
async function migrated() {
  const deployed = await deployment();
  const { service, backend } = deployed.bot('m');
  const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
  await approve(service, request);
  expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded', runId: 'run1_m' });
  const [run] = (await backend.migration().status({ limit: 5 })).runs;
  return { ...deployed, migrationRunId: run!.id, backupFile: basename(run!.backupFile!) };
}

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
    expect(result.message).toMatch(new RegExp(`^Migration run1_a completed: ${planned(request)} records changed, \\d+ cross-group references created\\.$`));
    expect(result.validation[0]).toBe('Validation: passed');
    if (point !== 'approval:closed') expect(JSON.stringify(messenger.updates.at(-1)!.message.blocks)).toMatch(/Succeeded: v1 groupId migration/);
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
