/**
 * Two bot processes on one store while Slack's chat.update hangs: the approving process's edits never return, the
 * other process keeps ticking (expiries, resumes). Each approval runs exactly one run: migrate, undo and restore.
 */
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../src/approvals/port.ts';
import { sqliteBackend, type Backend } from '../../src/backend.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { APPROVAL_T0, approvalService, RecordingMessenger, seededBackend } from '../helpers/approvals.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const opened: SqliteStore[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

/** A messenger whose chat.update never answers (posts still work). */
class HangingMessenger extends RecordingMessenger {
  override update(): Promise<void> {
    return new Promise(() => {});
  }
}

const ENDED = new Set(['succeeded', 'failed', 'superseded', 'rolled_back']);

/**
 * Process A (hanging chat.update) approves `request`; process B, on its own connection to the same file, ticks
 * until the request ended and a few times more. Returns the request as it ended.
 */
async function approveWhileOtherTicks(a: ReturnType<typeof approvalService>, path: string, clock: FakeClock, backupDir: string, request: ApprovalRequest) {
  const store = SqliteStore.open(path);
  opened.push(store);
  const backend = sqliteBackend(store, { useWorker: false });
  const b = approvalService(backend, { clock, backupDir, holderId: 'b' });
  const outcome = await a.service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
  expect(outcome.decision?.action).toBe('approve_and_start');
  let after = 0;
  for (let turn = 0; turn < 2_000 && after < 5; turn++) {
    await b.service.tick();
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (ENDED.has((await backend.approvals.get(request.id))!.state)) after++;
  }
  await b.service.idle();
  return { ended: (await backend.approvals.get(request.id))!, backend, bLogs: b.logs };
}

async function runsOf(backend: Backend, kind: 'migrate' | 'undo' | 'restore') {
  return (await backend.migration().status({ limit: 50 })).runs.filter((run) => run.kind === kind);
}

async function migratedStore() {
  const seeded = await seededBackend();
  opened.push(seeded.store);
  const clock = new FakeClock(APPROVAL_T0);
  const { service } = approvalService(seeded.backend, { clock, backupDir: seeded.backupDir, holderId: 'm' });
  const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
  await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
  await service.idle();
  const [run] = await runsOf(seeded.backend, 'migrate');
  expect(run!.state).toBe('completed');
  return { ...seeded, clock, runId: run!.id, backupFile: basename(run!.backupFile!) };
}

describe('two processes on one store with chat.update hanging', () => {
  it('migrate: one run for the approval', async () => {
    const seeded = await seededBackend();
    opened.push(seeded.store);
    const clock = new FakeClock(APPROVAL_T0);
    const a = approvalService(seeded.backend, { clock, backupDir: seeded.backupDir, messenger: new HangingMessenger() });
    const request = await a.service.request({ kind: 'migrate', userId: 'U_REQ' });
    const { ended, backend } = await approveWhileOtherTicks(a, seeded.path, clock, seeded.backupDir, request);
    expect(ended).toMatchObject({ state: 'succeeded' });
    expect((await runsOf(backend, 'migrate')).map((run) => [run.id, run.state])).toEqual([[ended.runId, 'completed']]);
  });

  it('undo: one undo for the approval', async () => {
    const { store, path, backupDir, clock, runId } = await migratedStore();
    const a = approvalService(sqliteBackend(store, { useWorker: false }), { clock, backupDir, holderId: 'a', messenger: new HangingMessenger() });
    const request = await a.service.request({ kind: 'rollback', target: runId, userId: 'U_REQ' });
    const { ended, backend } = await approveWhileOtherTicks(a, path, clock, backupDir, request);
    expect(ended).toMatchObject({ state: 'succeeded' });
    expect((ended.result as { message: string }).message).toBe(`Undo ${ended.runId} of run ${runId} completed.`);
    expect((await runsOf(backend, 'undo')).map((run) => [run.id, run.state])).toEqual([[ended.runId, 'completed']]);
  });

  it('restore: one restore for the approval', async () => {
    const { store, path, backupDir, clock, backupFile } = await migratedStore();
    const a = approvalService(sqliteBackend(store, { useWorker: false }), { clock, backupDir, holderId: 'a', messenger: new HangingMessenger() });
    const request = await a.service.request({ kind: 'rollback', target: backupFile, userId: 'U_REQ' });
    const { ended, backend } = await approveWhileOtherTicks(a, path, clock, backupDir, request);
    expect(ended).toMatchObject({ state: 'succeeded' });
    expect((await runsOf(backend, 'restore')).map((run) => [run.id, run.state])).toEqual([[ended.runId, 'completed']]);
  });
});
