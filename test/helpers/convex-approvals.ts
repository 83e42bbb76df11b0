/**
 * The approval crash tests on the Convex adapter: a convex-test deployment (`test/convex/harness.ts`, with real
 * Convex ids on the wire: `test/convex/real-ids.ts`) seeded with a small legacy data set, bots over it that "die" at
 * a named step (the hook throws and from then on every request of that bot fails as a dead process's would, so
 * nothing more is written and its lease stays until it expires), and the restarted bot. A full restore on Convex is
 * `npx convex import`: the runner is injected and counts the imports; a bot dies inside it at `restore:importing` (the
 * import started, whether it ended unknown to the bot). Test files using it need
 * `// @vitest-environment edge-runtime`.
 */
import { basename } from 'node:path';
import { expect } from 'vitest';
import type { ApprovalRequest } from '../../src/approvals/port.ts';
import type { ApprovalService } from '../../src/approvals/service.ts';
import { convexBackend, type Backend } from '../../src/backend.ts';
import type { CrashPoint } from '../../src/migration/test-hooks.ts';
import type { ImportCommand } from '../../src/store/convex/backup.ts';
import { createConvexHarness } from '../convex/harness.ts';
import { withRealIds } from '../convex/real-ids.ts';
import { RESTART_AFTER_MS } from './approval-process.ts';
import { APPROVAL_T0, approvalService, RecordingMessenger } from './approvals.ts';
import { FakeClock } from './fake-clock.ts';
import { tempDir } from './temp-store.ts';

class Killed extends Error {}

/** A test deployment with a small legacy data set, and bots over it. */
export async function deployment() {
  const harness = createConvexHarness();
  const live = withRealIds(harness.fetch);
  const imports: ImportCommand[] = [];
  const backupDir = tempDir();
  const clock = new FakeClock(APPROVAL_T0);
  const backendOver = (fetch: typeof globalThis.fetch, crash?: CrashPoint): Backend =>
    convexBackend(
      { url: harness.url, deployKey: harness.deployKey, fetch, sleep: async () => undefined, backupDir, restore: { mode: 'run', yes: true, run: async (command) => (imports.push(command), crash?.('restore:importing'), 0) } },
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

export function planned(request: ApprovalRequest): number {
  return (request.plan as { changes: { total: number } }).changes.total;
}

/** Approves `request` as U_A in `service` and waits for that bot's work on it to end (or die). */
export async function approve(service: ApprovalService, request: ApprovalRequest): Promise<void> {
  const outcome = await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
  expect(outcome.decision?.action).toBe('approve_and_start');
  await service.idle();
}

/** A deployment the approved migration ran on (run `run1_m`), with its backup file. */
export async function migrated() {
  const deployed = await deployment();
  const { service, backend } = deployed.bot('m');
  const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
  await approve(service, request);
  expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded', runId: 'run1_m' });
  const [run] = (await backend.migration().status({ limit: 5 })).runs;
  return { ...deployed, migrationRunId: run!.id, backupFile: basename(run!.backupFile!) };
}

