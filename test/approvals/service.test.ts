import { describe, expect, it } from 'vitest';
import { createApprovalDirectory } from '../../src/approvals/directory.ts';
import { reevaluateAfterChange } from '../../monitors/after-change.ts';
import { MonitorRunner } from '../../monitors/runner.ts';
import { APPROVAL_T0, approvalService, RecordingMessenger, seededBackend } from '../helpers/approvals.ts';
import { testConfig } from '../helpers/monitor-config.ts';
import { RecordingNotifier } from '../helpers/recording-notifier.ts';

describe('approval service', () => {
  it('request → approve runs the migration and edits the same message to the end', async () => {
    const { backend, store } = await seededBackend();
    const messenger = new RecordingMessenger();
    const { service, logs } = approvalService(backend, { messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    expect(request).toMatchObject({ state: 'requested', channel: 'C_APPROVALS' });
    const outcome = await service.click({ requestId: request.id, action: 'approve', userId: 'U_A', planHash: request.planHash });
    expect(outcome.decision).toEqual({ action: 'approve_and_start', reason: 'approved' });
    await service.idle();
    expect(logs).toEqual([]);
    const done = await backend.approvals.get(request.id);
    expect(done).toMatchObject({ state: 'succeeded' });
    expect(done!.runId).toMatch(/^run/);
    expect(messenger.updates.every((update) => update.ts === messenger.posts[0]!.ts)).toBe(true);
    expect(messenger.updates.length).toBeGreaterThan(2);
    const types = store.database.prepare("SELECT json_extract(doc, '$.type') FROM events WHERE json_extract(doc, '$.type') LIKE 'approval_%' ORDER BY rowid").pluck().all();
    expect(types).toEqual(['approval_requested', 'approval_approved', 'approval_run_started', 'approval_run_succeeded']);
  });
});

describe('re-evaluation after a run', () => {
  it('re-evaluates every metric as a migration run and its rollback end, with the metrics the change produced', async () => {
    const { backend } = await seededBackend();
    const context = backend.monitorContext({ config: testConfig('solo'), notifier: new RecordingNotifier(), now: () => APPROVAL_T0, log: () => {} });
    const runner = new MonitorRunner(context, 'solo');
    const changes: string[] = [];
    const evaluations: Promise<unknown>[] = [];
    const afterChange = (change: 'migration' | 'rollback') => {
      changes.push(change);
      evaluations.push(reevaluateAfterChange(runner, change, () => {}));
    };
    const { service } = approvalService(backend, { afterChange });
    const migrate = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await service.click({ requestId: migrate.id, action: 'approve', userId: 'U_A', planHash: migrate.planHash });
    await service.idle();
    await Promise.all(evaluations);
    expect(changes).toEqual(['migration']);
    // The snapshot every surface shows is the one taken right after the migration: no record misses a groupId.
    const snapshot = await backend.monitorPorts.stores.snapshots.latestSnapshotBefore(null, Number.MAX_SAFE_INTEGER);
    expect(snapshot!.metadata.missingGroupIds).toBe(0);
    expect(snapshot!.metadata.v1MigrationCompleted).toBe(true);
    expect(snapshot!.metadata.missingGroupIds).toBe((await backend.quality.metrics({ now: APPROVAL_T0 })).missingGroupIds);

    const runId = (await backend.approvals.get(migrate.id))!.runId!;
    const rollback = await service.request({ kind: 'rollback', target: runId, userId: 'U_REQ' });
    await service.click({ requestId: rollback.id, action: 'approve', userId: 'U_A', planHash: rollback.planHash });
    await service.idle();
    await Promise.all(evaluations);
    expect(changes).toEqual(['migration', 'rollback']);
    const after = await backend.monitorPorts.stores.snapshots.latestSnapshotBefore(null, Number.MAX_SAFE_INTEGER);
    expect(after!.metadata.v1MigrationCompleted).toBe(false);
    expect(after!.metadata.missingGroupIds).toBe((await backend.quality.metrics({ now: APPROVAL_T0 })).missingGroupIds);
    expect(after!.metadata.missingGroupIds).toBeGreaterThan(0);
  });
});

describe('approval tick', () => {
  it('expires due requests once, records the expiry and relabels the buttons', async () => {
    const { backend, store } = await seededBackend();
    const messenger = new RecordingMessenger();
    const { service, clock } = approvalService(backend, { messenger });
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await service.tick();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'requested' });
    clock.advance(3_600_000);
    await service.tick();
    await service.tick();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'expired' });
    expect(messenger.updates).toHaveLength(1);
    expect(JSON.stringify(messenger.updates[0]!.message.blocks)).toContain('Approve (expired)');
    const expiries = store.database.prepare("SELECT count(*) FROM events WHERE json_extract(doc, '$.type') = 'approval_expired'").pluck().get();
    expect(expiries).toBe(1);
  });
});

describe('approval directory', () => {
  it('caches a user group briefly and asks again after a failed lookup', async () => {
    let calls = 0;
    let fail = true;
    let now = 0;
    const directory = createApprovalDirectory({ requesterUsergroup: null, approverUserIds: ['U_A'], approverUsergroup: 'S_LEADS' }, async () => {
      calls++;
      if (fail) throw new Error('ratelimited');
      return ['U_B'];
    }, { now: () => now, cacheMs: 60_000 });
    expect(await directory.isApprover('U_A')).toBe(true);
    expect(calls).toBe(0);
    await expect(directory.isApprover('U_B')).rejects.toThrow('ratelimited');
    fail = false;
    expect(await directory.isApprover('U_B')).toBe(true);
    expect(await directory.isApprover('U_C')).toBe(false);
    expect(calls).toBe(2);
    now = 60_000;
    await directory.isApprover('U_B');
    expect(calls).toBe(3);
    expect(directory.approverMentions()).toEqual(['<@U_A>', '<!subteam^S_LEADS>']);
    expect(await directory.mayRequest('U_anyone')).toBe(true);
  });
});

describe('orphaned approvals', () => {
  it('a request approved by a process that died before the start is started by a later tick, after the same checks', async () => {
    const { backend } = await seededBackend();
    const { service, clock } = approvalService(backend);
    const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    // The approving process wrote the approval, then died.
    await backend.approvals.approve(request.id, { userId: 'U_A', at: clock.now(), planHash: request.planHash });
    await service.tick();
    await service.idle();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'approved' });
    clock.advance(60_000);
    await service.tick();
    await service.idle();
    expect(await backend.approvals.get(request.id)).toMatchObject({ state: 'succeeded' });
  });
});

describe('rolled back', () => {
  it.each([
    ['an exact undo of its run', (run: { id: string }) => run.id],
    ['a full restore of the backup it took', (run: { backupFile: string | null }) => run.backupFile!.split('/').pop()!],
  ])('a migration request is marked rolled back, keeping its outcome, once %s succeeded', async (_name, targetOf) => {
    const { backend, backupDir } = await seededBackend();
    const messenger = new RecordingMessenger();
    const { service } = approvalService(backend, { backupDir, messenger });
    const migrate = await service.request({ kind: 'migrate', userId: 'U_REQ' });
    await service.click({ requestId: migrate.id, action: 'approve', userId: 'U_A', planHash: migrate.planHash });
    await service.idle();
    const migrated = (await backend.approvals.get(migrate.id))!;
    const [run] = (await backend.migration().status({ limit: 1 })).runs;
    const rollback = await service.request({ kind: 'rollback', target: targetOf(run!), userId: 'U_REQ' });
    await service.click({ requestId: rollback.id, action: 'approve', userId: 'U_B', planHash: rollback.planHash });
    await service.idle();
    expect(await backend.approvals.get(rollback.id)).toMatchObject({ state: 'succeeded' });
    expect(await backend.approvals.get(migrate.id)).toMatchObject({ state: 'rolled_back', runId: migrated.runId, result: migrated.result });
    const last = messenger.updates.filter((update) => update.ts === migrated.messageTs).at(-1)!;
    expect(JSON.stringify(last.message.blocks)).toMatch(/Rolled back: v1 groupId migration.*completed/s);
  });
});
