/**
 * An approved request runs exactly once, whatever step its process dies at. The first service dies at a named step
 * (its store connection closes, as a killed process's does: nothing more is written, its lease stays until it
 * expires); a fresh service over the same SQLite file then ticks, as a restarted bot does. Each case checks the run
 * registry: one run per approval, the outcome the run really had, and nothing run that nobody approved, even when
 * new legacy records arrived meanwhile.
 */
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/approvals/port.ts';
import type { ApprovalService } from '../../src/approvals/service.ts';
import { sqliteBackend, type Backend } from '../../src/backend.ts';
import type { CrashPoint } from '../../src/migration/test-hooks.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { APPROVAL_T0, approvalService, RecordingMessenger, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { tempDir } from '../helpers/temp-store.ts';

class Killed extends Error {}

const LEASE_EXPIRED_MS = 5 * 60_000;
const opened: SqliteStore[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

/** A store that "dies" at `point` of the approval flow or of the migration: its connection closes, then it throws. */
function killer(point: string, store: () => SqliteStore): CrashPoint {
  return (reached) => {
    if (reached !== point) return;
    store().close();
    throw new Killed(`killed at ${point}`);
  };
}

/** Approves `request` as U_A and waits for this process's work on it to end. */
async function approve(service: ApprovalService, request: ApprovalRequest): Promise<void> {
  const outcome = await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
  expect(outcome.decision?.action).toBe('approve_and_start');
  await service.idle();
}

/** The restarted bot: a new connection to the same file and a new service, ticking once the dead lease expired. */
async function restart(path: string, clock: FakeClock, backupDir: string): Promise<{ backend: Backend; store: SqliteStore; service: ApprovalService; messenger: RecordingMessenger }> {
  const store = SqliteStore.open(path);
  opened.push(store);
  const backend = sqliteBackend(store, { useWorker: false });
  const messenger = new RecordingMessenger();
  clock.advance(LEASE_EXPIRED_MS);
  const { service } = approvalService(backend, { clock, backupDir, holderId: 'b', messenger });
  await service.tick();
  await service.idle();
  // A second tick finds nothing left to do.
  await service.tick();
  await service.idle();
  return { backend, store, service, messenger };
}

async function runsOf(backend: Backend, kind: 'migrate' | 'undo' | 'restore') {
  return (await backend.migration().status({ limit: 50 })).runs.filter((run) => run.kind === kind);
}

async function addLegacyEntities(store: SqliteStore, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    ids.push((await store.insert('entities', { type: 'creator', name: `late ${n}`, properties: {}, createdAt: APPROVAL_T0, updatedAt: APPROVAL_T0 }))._id);
  }
  return ids;
}

function groupIdOf(store: SqliteStore, id: string): unknown {
  return store.database.prepare("SELECT json_extract(doc, '$.groupId') FROM entities WHERE id = ?").pluck().get(id) ?? null;
}

/** A seeded store with one approved, completed migration (and so a backup), ready for rollback requests. */
async function migrated() {
  const seeded = await seededBackend();
  opened.push(seeded.store);
  const clock = new FakeClock(APPROVAL_T0);
  const { service } = approvalService(seeded.backend, { clock, backupDir: seeded.backupDir, holderId: 'm' });
  const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
  await approve(service, request);
  const done = (await seeded.backend.approvals.get(request.id))!;
  expect(done.state).toBe('succeeded');
  const [run] = await runsOf(seeded.backend, 'migrate');
  return { ...seeded, clock, migration: done, backupFile: basename(run!.backupFile!) };
}

describe('a migration killed at each step runs exactly once', () => {
  it('killed after the claim, before the run began: the restart runs the claimed run id once', async () => {
    let store: SqliteStore | null = null;
    const first = await seededBackend();
    store = first.store;
    const clock = new FakeClock(APPROVAL_T0);
    const { service } = approvalService(first.backend, { clock, backupDir: first.backupDir, crash: killer('approval:claimed', () => store!) });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await approve(service, request);

    const { backend } = await restart(first.path, clock, first.backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((await runsOf(backend, 'migrate')).map((run) => [run.id, run.state])).toEqual([['run1_a', 'completed']]);
  });

  it('a second process finding a fresh claim without its run leaves it to the claimer; 60 s later it runs the claimed id', async () => {
    const { backend, backupDir } = await seededBackend();
    const clock = new FakeClock(APPROVAL_T0);
    const { service } = approvalService(backend, { clock, backupDir, holderId: 'b' });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    // Another process approved and claimed it, and is about to begin the run.
    await backend.approvals.approve(request.id, { userId: 'U_A', at: clock.now(), planHash: request.planHash });
    await backend.approvals.start(request.id, { at: clock.now(), planHash: request.planHash, runId: 'run7_other' });
    clock.advance(59_000);
    await service.tick();
    await service.idle();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'running', runId: 'run7_other' });
    expect(await runsOf(backend, 'migrate')).toEqual([]);
    clock.advance(1_000);
    await service.tick();
    await service.idle();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded', runId: 'run7_other' });
    expect((await runsOf(backend, 'migrate')).map((run) => run.id)).toEqual(['run7_other']);
  });

  it('killed after the claim, with new legacy records before the restart: nothing runs that nobody approved', async () => {
    let store: SqliteStore | null = null;
    const first = await seededBackend();
    store = first.store;
    const clock = new FakeClock(APPROVAL_T0);
    const { service } = approvalService(first.backend, { clock, backupDir: first.backupDir, crash: killer('approval:claimed', () => store!) });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await approve(service, request);

    const writer = SqliteStore.open(first.path);
    const late = await addLegacyEntities(writer, 4);
    writer.close();
    const { backend, store: reopened, messenger } = await restart(first.path, clock, first.backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/nothing ran/);
    expect(messenger.notices).toEqual([{ userId: 'U_REQ', text: `Failed: your v1 groupId migration (request \`${request.id}\`). ${done.error}` }]);
    const shown = JSON.stringify(messenger.updates.at(-1)!.message.blocks);
    expect(shown).toMatch(/Failed: v1 groupId migration.*nothing ran/s);
    expect(shown).not.toContain('Request rollback');
    expect(await runsOf(backend, 'migrate')).toEqual([]);
    for (const id of late) expect(groupIdOf(reopened, id)).toBeNull();
  });

  it('killed mid-run: the restart resumes the same run from its checkpoint', async () => {
    let store: SqliteStore | null = null;
    const first = await seededBackend({ crash: (point) => killer('batch:1', () => store!)(point) });
    store = first.store;
    const clock = new FakeClock(APPROVAL_T0);
    const { service } = approvalService(first.backend, { clock, backupDir: first.backupDir });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await approve(service, request);

    const { backend } = await restart(first.path, clock, first.backupDir);
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect((await runsOf(backend, 'migrate')).map((run) => [run.id, run.state])).toEqual([['run1_a', 'completed']]);
  });

  it('killed after the run ended, before the request closed, with 4 new legacy records: the real outcome is recorded and no new run starts', async () => {
    let store: SqliteStore | null = null;
    const first = await seededBackend();
    store = first.store;
    const clock = new FakeClock(APPROVAL_T0);
    const { service } = approvalService(first.backend, { clock, backupDir: first.backupDir, crash: killer('approval:run-ended', () => store!) });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    const planned = (request.plan as { changes: { total: number } }).changes.total;
    await approve(service, request);

    const writer = SqliteStore.open(first.path);
    const late = await addLegacyEntities(writer, 4);
    writer.close();
    const { backend, store: reopened, messenger } = await restart(first.path, clock, first.backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    const result = done.result as { message: string; validation: string[]; regressions: { worsened: { metric: string }[] } };
    // The outcome recorded from the ended run keeps what it made worse, measured at its own validation.
    expect(result.message).toBe(`Migration run1_a completed with regressions (${planned} records changed): 2 metrics got worse.`);
    expect(result.regressions.worsened.map((change) => change.metric)).toEqual(['referentialIntegrityScore', 'crossGroupViolations']);
    expect(result.validation[0]).toBe('Validation: passed');
    expect((await runsOf(backend, 'migrate')).map((run) => run.id)).toEqual(['run1_a']);
    for (const id of late) expect(groupIdOf(reopened, id)).toBeNull();
    expect(JSON.stringify(messenger.updates.at(-1)!.message.blocks)).toMatch(/Succeeded with regressions: v1 groupId migration.*Validation: passed.*:warning: \*Cross-group violations\* 0 → 5 \(healthy → critical\)/s);
  });

  it('killed after the request closed: the restart runs nothing and leaves the outcome as it was', async () => {
    let store: SqliteStore | null = null;
    const first = await seededBackend();
    store = first.store;
    const clock = new FakeClock(APPROVAL_T0);
    const { service } = approvalService(first.backend, { clock, backupDir: first.backupDir, crash: killer('approval:closed', () => store!) });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await approve(service, request);

    const { backend, messenger } = await restart(first.path, clock, first.backupDir);
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect(await runsOf(backend, 'migrate')).toHaveLength(1);
    expect(messenger.updates).toEqual([]);
  });

  it('killed mid-edit of the request message: the run still ends once', async () => {
    let store: SqliteStore | null = null;
    const first = await seededBackend();
    store = first.store;
    const clock = new FakeClock(APPROVAL_T0);
    let edits = 0;
    const dying = new RecordingMessenger();
    dying.update = async () => {
      // The second edit (the first progress report) never completes: the process dies inside chat.update.
      if (++edits === 2) killer('edit', () => store!)('edit');
    };
    const { service } = approvalService(first.backend, { clock, backupDir: first.backupDir, messenger: dying });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await approve(service, request);

    const { backend } = await restart(first.path, clock, first.backupDir);
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded', runId: 'run1_a' });
    expect(await runsOf(backend, 'migrate')).toHaveLength(1);
  });
});

describe('a rollback killed after its run ended runs exactly once', () => {
  it('full restore: 5 entities written before the restart survive, one restore is recorded', async () => {
    const { store: firstStore, path, backupDir, clock, backupFile, backend: firstBackend } = await migrated();
    let store: SqliteStore | null = firstStore;
    const { service } = approvalService(firstBackend, { clock, backupDir, holderId: 'r', crash: killer('approval:run-ended', () => store!) });
    const request = await service.request({ kind: 'rollback', target: backupFile, userId: 'U_REQ' });
    await approve(service, request);

    const writer = SqliteStore.open(path);
    const written = await addLegacyEntities(writer, 5);
    writer.close();
    const { backend, store: reopened } = await restart(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_r' });
    expect((done.result as { message: string }).message).toMatch(/^Restore run1_r completed: \d+ documents restored\.$/);
    expect((await runsOf(backend, 'restore')).map((run) => [run.id, run.state])).toEqual([['run1_r', 'completed']]);
    for (const id of written) expect(reopened.database.prepare('SELECT count(*) FROM entities WHERE id = ?').pluck().get(id)).toBe(1);
  });

  it('exact undo: the restart records the undo it ran, not "already undone", and no second undo', async () => {
    const { store: firstStore, path, backupDir, clock, backend: firstBackend, migration } = await migrated();
    let store: SqliteStore | null = firstStore;
    const { service } = approvalService(firstBackend, { clock, backupDir, holderId: 'u', crash: killer('approval:run-ended', () => store!) });
    const request = await service.request({ kind: 'rollback', target: migration.runId, userId: 'U_REQ' });
    await approve(service, request);

    const { backend } = await restart(path, clock, backupDir);
    const done = (await backend.approvals.get(request.id))!;
    expect(done).toMatchObject({ state: 'succeeded', runId: 'run1_u' });
    expect((done.result as { message: string }).message).toBe(`Undo run1_u of run ${migration.runId} completed.`);
    expect((await runsOf(backend, 'undo')).map((run) => [run.id, run.state])).toEqual([['run1_u', 'completed']]);
  });
});

describe('a restore keeps its request’s audit trail', () => {
  it('re-writes the request’s own events with the restore and records one restore event naming the request', async () => {
    const { store, backupDir, clock, backupFile, backend } = await migrated();
    const { service } = approvalService(backend, { clock, backupDir, holderId: 'r' });
    const request = await service.request({ kind: 'rollback', target: backupFile, userId: 'U_REQ' });
    await approve(service, request);
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded' });
    const events = store.database
      .prepare("SELECT json_extract(doc, '$.type') AS type, json_extract(doc, '$.groupId') AS groupId FROM events WHERE json_extract(doc, '$.metadata.requestId') = ? ORDER BY rowid")
      .all(request.id) as { type: string; groupId: string | null }[];
    expect(events.map((event) => event.type)).toEqual(['approval_requested', 'approval_approved', 'approval_run_started', 'restore', 'approval_run_succeeded']);
    expect(events.every((event) => event.groupId !== null)).toBe(true);
    const restore = store.database.prepare("SELECT json_extract(doc, '$.metadata.restoreRunId') FROM events WHERE json_extract(doc, '$.type') = 'restore'").pluck().all();
    expect(restore).toEqual(['run1_r']);
  });
});

describe('zero-change plans and replays', () => {
  it('a migration whose plan became empty is refused at approval: the request is superseded and nothing runs', async () => {
    const { backend, backupDir } = await seededBackend();
    const clock = new FakeClock(APPROVAL_T0);
    const { service } = approvalService(backend, { clock, backupDir });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    // The same migration ran by other means meanwhile (the CLI).
    await backend.migration({ backupDir: join(tempDir(), 'cli-backups') }).run({ actor: 'cli' });
    const outcome = await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    await service.idle();
    expect(outcome.decision).toEqual({ action: 'supersede', reason: 'nothing_to_change' });
    expect(outcome.reply).toMatch(/nothing to change any more/);
    expect(outcome.superseded).toBeUndefined();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'superseded', runId: null });
    expect(await runsOf(backend, 'migrate')).toHaveLength(1);
    await expect(service.request({ kind: 'migrate', userId: 'U_REQ' })).rejects.toThrow(/Nothing to migrate/);
  });

  it('a repeated migrate or rollback request answers with the open request and opens nothing', async () => {
    const { store, backupDir, clock, backend, migration } = await migrated();
    const { service } = approvalService(backend, { clock, backupDir });
    const first = await service.request({ kind: 'rollback', target: migration.runId, userId: 'U_REQ' });
    for (let n = 0; n < 2; n++) {
      const refusal = service.request({ kind: 'rollback', target: migration.runId, userId: 'U_OTHER' });
      await expect(refusal).rejects.toThrow(`already requested (waiting for approval): see request ${first.id}. Nothing new was requested.`);
      await expect(refusal).rejects.toMatchObject({ link: { url: expect.stringMatching(/^https:\/\/slack\.com\/archives\/C_APPROVALS\/p\d+$/), label: `Open request ${first.id}` } });
    }
    const open = await backend.approvals.list({ cursor: null, limit: 10 });
    expect(open.requests.map((request) => request.id)).toEqual([first.id]);
    expect(store.database.prepare("SELECT count(*) FROM events WHERE json_extract(doc, '$.type') = 'approval_requested' AND json_extract(doc, '$.metadata.kind') = 'rollback'").pluck().get()).toBe(1);
  });
});
