import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSnapshot } from '../../src/snapshot/export.ts';
import { importSnapshot } from '../../src/snapshot/import.ts';
import { parseDocument } from '../../src/ontology/values.ts';
import { manifestPathOf, readManifest, sha256OfFile } from '../../src/migration/backup.ts';
import type { MigrationProgress } from '../../src/migration/progress.ts';
import { LEGACY_DEFAULT_SLUG, LockHeldError, MIGRATION_LEASE } from '../../src/migration/service.ts';
import { META_KEYS, type SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { MIGRATION_EVENT_TYPES, SqliteMigrationStore } from '../../src/store/sqlite/migration-store.ts';
import { counterRandom, tempDir, tempStore } from '../helpers/temp-store.ts';
import { buildFixture, documentTexts, FIXTURE_CHANGES } from './fixtures.ts';
import { exportTree, T0, testService } from './helpers.ts';

async function fixtureStore(naming: 'legacy' | 'current' = 'legacy') {
  const { store } = tempStore({ random: counterRandom(), now: () => T0 - 10_000 });
  const fixture = await buildFixture(store, naming, T0 - 100_000);
  return { store, fixture };
}

function auditEvents(store: SqliteStore) {
  return (store.database.prepare(`SELECT doc FROM events WHERE type IN (${MIGRATION_EVENT_TYPES.map(() => '?').join(', ')}) ORDER BY rowid`).pluck().all(...MIGRATION_EVENT_TYPES) as string[]).map(
    (text) => parseDocument(text, 'uniform'),
  );
}

/** Document texts without the migration's own audit events. */
function ontologyTexts(store: SqliteStore): Map<string, string> {
  const texts = documentTexts(store);
  for (const event of auditEvents(store)) texts.delete(`events/${event._id}`);
  return texts;
}

describe('migration service', () => {
  it('a dry run paged a few records at a time predicts exactly what one page does', async () => {
    const { store } = await fixtureStore();
    const whole = await testService(store).service.dryRun();
    const paged = await testService(store, { migrations: new SqliteMigrationStore(store, { pageRows: 2 }) }).service.dryRun();
    const plan = ({ changes, assignments, predicted, legacyDefaultGroup }: typeof whole) => ({ changes, assignments, predicted, legacyDefaultGroup });
    expect(plan(paged)).toEqual(plan(whole));
    expect(paged.predicted.crossGroupReferencesCreated.total).toBeGreaterThan(0);
  });

  it.each(['legacy', 'current'] as const)('a dry run predicts exactly what the run then does (%s naming)', async (naming) => {
    const { store } = await fixtureStore(naming);
    const { service } = testService(store);
    const plan = await service.dryRun();
    const report = await service.run({ actor: 'alice' });
    expect(report.status).toBe('completed');
    expect(report.changed).toEqual(FIXTURE_CHANGES);
    expect(plan.changes).toMatchObject({
      entities: { records: FIXTURE_CHANGES.entities },
      connections: { records: FIXTURE_CHANGES.connections },
      events: { records: FIXTURE_CHANGES.events },
      knowledge: { records: FIXTURE_CHANGES.knowledge },
      total: 16,
    });
    const { entities, ...others } = plan.assignments;
    const predictedAssignments: Record<string, number> = { ...entities };
    for (const counts of Object.values(others)) for (const [key, value] of Object.entries(counts)) predictedAssignments[key] = (predictedAssignments[key] ?? 0) + value!;
    for (const key of Object.keys(predictedAssignments)) if (predictedAssignments[key] === 0) delete predictedAssignments[key];
    expect(report.assignments).toEqual(predictedAssignments);
    expect(plan.predicted.crossGroupReferencesCreated).toEqual({ connections: 4, events: 1, total: 5 });
    expect(report.validation!.crossGroupReferencesCreated).toEqual(plan.predicted.crossGroupReferencesCreated);
    const { timestamp: _a, ...predicted } = plan.predicted.metrics;
    const { timestamp: _b, ...actual } = report.validation!.metrics;
    expect(actual).toEqual(predicted);
    expect(actual).toMatchObject({ missingGroupIds: 0, schemaComplianceScore: 100 });
    // The plan's before → after is what the run then reports: the same metrics get worse by the same amounts.
    const worse = (changes: { metric: string; before: number; after: number; beforeStatus: unknown; afterStatus: unknown }[]) =>
      changes.map(({ metric, before, after, beforeStatus, afterStatus }) => ({ metric, before, after, beforeStatus, afterStatus }));
    expect(worse(plan.regressions.worsened).map((change) => change.metric)).toEqual(['referentialIntegrityScore', 'crossGroupViolations']);
    expect(worse(report.regressions!.worsened)).toEqual(worse(plan.regressions.worsened));
    expect(report.status).toBe('completed');
    expect(report.message).toMatch(/^Migration run1 completed with regressions: Referential integrity score .* → .*; Cross-group violations 0 → 5 \(healthy → critical\) .*Caused by 5 cross-group references: 4 connections, 1 events .*Next: .*`ontology-ops rollback --run run1`/);
  });

  it('a dry run and a pre-flight write nothing: an export before and after is byte-identical', async () => {
    const { store } = await fixtureStore();
    const { service } = testService(store);
    const before = await exportTree(store);
    const textsBefore = documentTexts(store);
    await service.preflight();
    await service.dryRun();
    expect(await exportTree(store)).toEqual(before);
    expect(documentTexts(store)).toEqual(textsBefore);
    expect(store.getMetaSync(META_KEYS.v1MigrationCompletedAt)).toBeNull();
  });

  it('records the run: backup, events with ids and counts, the v1 marker', async () => {
    const { store } = await fixtureStore();
    const { service, backupDir } = testService(store);
    const report = await service.run({ actor: 'alice' });
    expect(report.backupFile).toMatch(new RegExp(`^${backupDir}/ontology-run1\\.zip$`));
    await expect(service.verifyBackup(report.backupFile!)).resolves.toMatchObject({ ok: true });
    const events = auditEvents(store);
    expect(events.map((event) => event.type)).toEqual(['migration_started', 'migration_completed']);
    for (const event of events) expect(event.groupId).toBe(report.defaultGroupId);
    expect(events[0]!.metadata).toEqual({
      migrationRunId: 'run1',
      actor: 'alice',
      plannedCounts: { entities: 5, connections: 5, events: 3, knowledge: 3 },
      backupFile: report.backupFile,
    });
    expect(events[1]!.metadata).toEqual({
      migrationRunId: 'run1',
      actor: 'alice',
      counts: { entities: 5, connections: 5, events: 3, knowledge: 3 },
      backupFile: report.backupFile,
      crossGroupReferencesCreated: 5,
      metricsWorsened: 2,
      durationMs: 0,
    });
    expect(store.getMetaSync(META_KEYS.v1MigrationCompletedAt)).toBe(new Date(T0).toISOString());
    const status = await service.status();
    expect(status.runs[0]).toMatchObject({ id: 'run1', kind: 'migrate', state: 'completed', actor: 'alice', percent: 100, backupFile: report.backupFile });
  });

  it('reports progress through the callback: every step in order, done/total per table, a final report each', async () => {
    const { store } = await fixtureStore();
    const { service } = testService(store);
    const reports: MigrationProgress[] = [];
    const report = await service.run({ actor: 'alice', batchSize: 2, onProgress: (progress) => reports.push(progress) });
    const phases = [...new Set(reports.map((progress) => progress.phase))];
    expect(phases).toEqual(['preflight', 'backup', 'entities', 'connections', 'events', 'knowledge', 'validation']);
    for (const progress of reports) expect(progress).toMatchObject({ runId: report.runId, operation: 'migrate' });
    const finals = reports.filter((progress) => progress.finished);
    expect(finals.map((progress) => [progress.phase, progress.done, progress.total])).toEqual([
      ['preflight', 1, 1],
      // Every document of the store: 2 groups, 6 entities, 6 connections, 4 events, 3 knowledge records.
      ['backup', 21, 21],
      ['entities', 5, 5],
      ['connections', 5, 5],
      ['events', 3, 3],
      ['knowledge', 3, 3],
      ['validation', 1, 1],
    ]);
    // One report per batch between the first and the last: 5 entities in batches of 2.
    expect(reports.filter((progress) => progress.phase === 'entities').map((progress) => progress.done)).toEqual([0, 2, 4, 5]);
  });

  it('writes a manifest next to the backup: counts and sha256 per table, naming, time, source store, run', async () => {
    const { store } = await fixtureStore();
    const { service } = testService(store);
    const report = await service.run({ actor: 'alice' });
    const manifest = readManifest(manifestPathOf(report.backupFile!));
    expect(manifest).toMatchObject({
      format: 'ontology-ops-backup',
      version: 1,
      file: 'ontology-run1.zip',
      createdAt: T0,
      createdAtIso: new Date(T0).toISOString(),
      source: store.location,
      naming: 'legacy',
      runId: 'run1',
      sizeBytes: statSync(report.backupFile!).size,
      sha256: await sha256OfFile(report.backupFile!),
      v1MigrationCompletedAt: null,
    });
    expect(manifest.tables.map((table) => [table.name, table.documents])).toEqual([
      ['groups', 2],
      ['things', 6],
      ['connections', 6],
      ['events', 4],
      ['knowledge', 3],
    ]);
    for (const table of manifest.tables) expect(table.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(manifest.tables.map((table) => table.sha256)).size).toBe(manifest.tables.length);
  });

  it('runs with a small page cache and gives the connection its own back afterwards', async () => {
    const { store } = await fixtureStore();
    const { service } = testService(store);
    const before = store.database.pragma('cache_size', { simple: true });
    const during = new Set<unknown>();
    await service.run({ actor: 'alice', onProgress: () => during.add(store.database.pragma('cache_size', { simple: true })) });
    expect([...during]).toEqual([-8192]);
    expect(store.database.pragma('cache_size', { simple: true })).toBe(before);
  });

  it('is idempotent: a second run changes nothing and says so', async () => {
    const { store } = await fixtureStore();
    const { service } = testService(store);
    await service.run({ actor: 'alice' });
    const before = await exportTree(store);
    const second = await service.run({ actor: 'alice' });
    expect(second).toMatchObject({ status: 'nothing_to_do', runId: null });
    expect(second.message).toMatch(/Nothing to change/);
    expect(await exportTree(store)).toEqual(before);
  });

  it('finds the legacy-default group by slug instead of creating a second one', async () => {
    const { store } = await fixtureStore();
    const existing = await store.insert('groups', { slug: LEGACY_DEFAULT_SLUG, name: 'kept', type: 'organization', status: 'active' });
    const { service } = testService(store);
    const report = await service.run({ actor: 'alice', backup: false });
    expect(report.defaultGroupId).toBe(existing._id);
    expect(store.database.prepare('SELECT COUNT(*) FROM groups WHERE slug = ?').pluck().get(LEGACY_DEFAULT_SLUG)).toBe(1);
  });

  it('refuses while another holder has the lock, naming it, and takes a dead holder’s lock over after its TTL', async () => {
    const { store } = await fixtureStore();
    const { service, clock } = testService(store, { leaseTtlMs: 30_000 });
    await store.acquireLease(MIGRATION_LEASE, 'host-b:4242:abc', 30_000, T0 - 1_000);
    const before = documentTexts(store);
    const refusal = await service.run({ actor: 'alice' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(LockHeldError);
    expect((refusal as Error).message).toContain('host-b:4242:abc');
    expect((refusal as Error).message).toContain(new Date(T0 - 1_000).toISOString());
    expect(documentTexts(store)).toEqual(before);
    const preflight = await service.preflight();
    expect(preflight.ok).toBe(false);
    expect(preflight.blocking[0]).toContain('host-b:4242:abc');
    clock.set(T0 + 29_000);
    expect((await service.preflight()).ok).toBe(true);
    await expect(service.run({ actor: 'alice' })).resolves.toMatchObject({ status: 'completed' });
  });

  it('blocks when the backup folder has no room for the estimate, unless --no-backup', async () => {
    const { store } = await fixtureStore();
    const { service } = testService(store, { freeBytes: () => 10 });
    const report = await service.preflight();
    expect(report.ok).toBe(false);
    expect(report.blocking.join()).toMatch(/has 10 bytes free/);
    await expect(service.run({ actor: 'alice' })).rejects.toThrow(/Pre-flight failed/);
    expect((await service.preflight({ backup: false })).ok).toBe(true);
  });
});

describe('while the application keeps writing', () => {
  it('migrates records written ahead of the pass; one written behind it fails validation until a rerun picks it up', async () => {
    const { store, fixture } = await fixtureStore();
    const { service } = testService(store);
    const written: Record<string, string> = {};
    const report = await service.run({
      actor: 'alice',
      backup: false,
      batchSize: 2,
      onProgress: (progress) => {
        // During the entity pass: a new entity and a connection to it, both ahead of their passes.
        if (progress.phase === 'entities' && progress.done === 2 && !written.entity) {
          written.entity = store.insertSync('entities', { type: 'creator', name: 'late' })._id;
          written.connection = store.insertSync('connections', { fromThingId: written.entity, toThingId: fixture.entities.grouped, relationshipType: 'owns' })._id;
        }
        // During the event pass: an entity without a groupId, behind the finished entity pass.
        if (progress.phase === 'events' && !written.behind) written.behind = store.insertSync('entities', { type: 'creator', name: 'behind' })._id;
      },
    });
    expect(report.status).toBe('failed');
    expect(report.validation!.problems).toEqual(['missingGroupIds is 1, expected 0', 'schemaComplianceScore is 87.5, expected 100']);
    expect((await store.get('entities', written.entity!))!.groupId).toBe(report.defaultGroupId);
    expect((await store.get('connections', written.connection!))!.groupId).toBe(report.defaultGroupId);
    const rerun = await service.run({ actor: 'alice', backup: false });
    expect(rerun).toMatchObject({ status: 'completed', resumed: true, runId: report.runId });
    expect((await store.get('entities', written.behind!))!).toMatchObject({ groupId: report.defaultGroupId, schemaVersion: 1 });
  });
});

describe('failures', () => {
  it('a failed batch is rolled back, recorded with a migration_failed event, and a rerun resumes to the same end state', async () => {
    const reference = await fixtureStore();
    await testService(reference.store).service.run({ actor: 'alice', backup: false, batchSize: 2 });
    const { store } = await fixtureStore();
    let failNext = true;
    const { service } = testService(store, {
      crash: (point) => {
        if (point === 'in-batch:3' && failNext) {
          failNext = false;
          throw new Error('disk I/O error');
        }
      },
    });
    const error = await service.run({ actor: 'alice', backup: false, batchSize: 2 }).catch((caught: unknown) => caught as Error);
    expect(error.message).toMatch(/^Migration run1 failed in entities after position \d+: disk I\/O error\. Committed batches are kept; rerun `ontology-ops migrate` to resume\.$/);
    expect((await service.status()).runs[0]).toMatchObject({ state: 'failed', batches: 2 });
    const failedEvents = auditEvents(store);
    expect(failedEvents.map((event) => event.type)).toEqual(['migration_started', 'migration_failed']);
    expect(failedEvents[1]!.metadata).toEqual({
      migrationRunId: 'run1',
      actor: 'alice',
      counts: { entities: 4, connections: 0, events: 0, knowledge: 0 },
      backupFile: null,
      durationMs: 0,
      reason: 'error',
    });
    const resumed = await service.run({ actor: 'alice', backup: false, batchSize: 2 });
    expect(resumed).toMatchObject({ status: 'completed', resumed: true, runId: 'run1', changed: FIXTURE_CHANGES });
    expect(ontologyTexts(store)).toEqual(ontologyTexts(reference.store));
  });

  it('refuses to migrate while an exact undo is unfinished', async () => {
    const { store } = await fixtureStore();
    let fail = true;
    const { service } = testService(store, {
      crash: (point) => {
        if (point === 'in-undo-batch:1' && fail) throw new Error('killed');
      },
    });
    await service.run({ actor: 'alice', backup: false });
    await expect(service.undoRun('run1', { actor: 'bob' })).rejects.toThrow('killed');
    await expect(service.run({ actor: 'alice' })).rejects.toThrow(/Exact undo run2 of run run1 is unfinished: finish it with `ontology-ops rollback --run run1` first/);
    fail = false;
    await expect(service.undoRun('run1', { actor: 'bob' })).resolves.toMatchObject({ status: 'completed', undoRunId: 'run2', reverted: 16 });
  });
});

describe('exact undo', () => {
  it('reverts the run exactly, removes the unreferenced legacy-default group and clears the v1 marker', async () => {
    const { store } = await fixtureStore();
    const original = ontologyTexts(store);
    const { service } = testService(store);
    const run = await service.run({ actor: 'alice' });
    const dry = await service.undoRun('run1', { actor: 'bob', dryRun: true });
    expect(dry).toMatchObject({ status: 'dry_run', entries: 16, reverted: 16, conflictCount: 0, legacyDefaultGroup: { removed: true, references: 0 } });
    const undo = await service.undoRun('run1', { actor: 'bob' });
    expect(undo).toMatchObject({ status: 'completed', reverted: 16, conflictCount: 0, legacyDefaultGroup: { id: run.defaultGroupId, removed: true } });
    expect(undo.v1MigrationCompletedCleared).toBe(true);
    expect(ontologyTexts(store)).toEqual(original);
    expect(store.getMetaSync(META_KEYS.v1MigrationCompletedAt)).toBeNull();
    const events = auditEvents(store);
    expect(events.map((event) => event.type)).toEqual(['migration_started', 'migration_completed', 'rollback_completed']);
    expect(events[2]).toMatchObject({ groupId: run.defaultGroupId });
    expect(events[2]!.metadata).toEqual({
      migrationRunId: 'run1',
      rollbackRunId: 'run2',
      actor: 'bob',
      mode: 'undo',
      reverted: 16,
      conflicts: 0,
      legacyDefaultGroupRemoved: true,
      durationMs: 0,
    });
    expect(await service.undoRun('run1', { actor: 'bob' })).toMatchObject({ status: 'already_undone' });
    expect((await service.status()).runs.map((r) => [r.kind, r.state])).toEqual([
      ['undo', 'completed'],
      ['migrate', 'rolled_back'],
    ]);
  });

  it('lists records changed since as conflicts, leaves later records alone and keeps a still-referenced legacy-default', async () => {
    const { store, fixture } = await fixtureStore();
    const { service, clock } = testService(store);
    const run = await service.run({ actor: 'alice' });
    clock.advance(1_000);
    await store.patch('connections', fixture.connections.orphan, { groupId: fixture.groups.a });
    const later = await store.insert('knowledge', { knowledgeType: 'chunk', groupId: run.defaultGroupId! });
    const dry = await service.undoRun('run1', { actor: 'bob', dryRun: true });
    expect(dry.conflicts).toEqual([{ table: 'connections', recordId: fixture.connections.orphan, fields: ['groupId'], outcome: 'conflict' }]);
    expect(dry.legacyDefaultGroup).toMatchObject({ removed: false, references: 1 });
    const undo = await service.undoRun('run1', { actor: 'bob' });
    expect(undo).toMatchObject({ reverted: 15, conflictCount: 1, conflicts: dry.conflicts, legacyDefaultGroup: { removed: false, references: 1 } });
    expect((await store.get('knowledge', later._id))!.groupId).toBe(run.defaultGroupId);
    expect((await store.get('connections', fixture.connections.orphan))!.groupId).toBe(fixture.groups.a);
    expect(await store.get('groups', run.defaultGroupId!)).not.toBeNull();
  });

  it('finishes an undo interrupted after its last batch, though no record holds what the run wrote any more', async () => {
    const { store } = await fixtureStore();
    let fail = true;
    const { service } = testService(store, {
      crash: (point) => {
        if (point === 'undo-batch:1' && fail) throw new Error('killed');
      },
    });
    await service.run({ actor: 'alice', backup: false });
    await expect(service.undoRun('run1', { actor: 'bob', batchSize: 20 })).rejects.toThrow('killed');
    fail = false;
    await expect(service.undoRun('run1', { actor: 'bob', batchSize: 20 })).resolves.toMatchObject({
      status: 'completed',
      reverted: 16,
      v1MigrationCompletedCleared: true,
    });
    expect((await service.status()).runs.map((run) => [run.id, run.state])).toEqual([
      ['run2', 'completed'],
      ['run1', 'rolled_back'],
    ]);
  });

  it('names an unknown run', async () => {
    const { store } = await fixtureStore();
    const { service } = testService(store);
    await expect(service.undoRun('nope', { actor: 'bob' })).rejects.toThrow(/No migration run nope/);
  });
});

describe('when the data was replaced since a run (import --replace, seed --replace)', () => {
  async function replaceWith(store: SqliteStore, snapshotDir: string) {
    await importSnapshot(store, snapshotDir, { replace: true });
  }

  async function originalSnapshot(store: SqliteStore): Promise<string> {
    const dir = join(tempDir(), 'original');
    await exportSnapshot(store, dir);
    return dir;
  }

  it('marks the earlier run superseded, so undoing the later run clears the v1 marker', async () => {
    const { store } = await fixtureStore();
    const original = await originalSnapshot(store);
    const { service } = testService(store);
    await service.run({ actor: 'alice', backup: false });
    await replaceWith(store, original);
    const second = await service.run({ actor: 'alice', backup: false });
    expect(second).toMatchObject({ runId: 'run2', status: 'completed', resumed: false });
    const undo = await service.undoRun('run2', { actor: 'bob' });
    expect(undo).toMatchObject({ status: 'completed', reverted: 16, v1MigrationCompletedCleared: true });
    expect(store.getMetaSync(META_KEYS.v1MigrationCompletedAt)).toBeNull();
    const first = (await service.status()).runs.find((run) => run.id === 'run1')!;
    expect(first).toMatchObject({ state: 'superseded', error: expect.stringMatching(/^superseded: none of its records holds what it wrote/) });
  });

  it('keeps a run whose records still hold what it wrote, even when the data was reloaded', async () => {
    const { store } = await fixtureStore();
    const { service } = testService(store);
    await service.run({ actor: 'alice', backup: false });
    // A snapshot of the migrated data, loaded back: the run's changes are still in it.
    await replaceWith(store, await originalSnapshot(store));
    await expect(service.run({ actor: 'alice', backup: false })).resolves.toMatchObject({ status: 'nothing_to_do' });
    expect((await service.status()).runs[0]).toMatchObject({ id: 'run1', state: 'completed' });
    await expect(service.undoRun('run1', { actor: 'bob', dryRun: true })).resolves.toMatchObject({ reverted: 16, v1MigrationCompletedCleared: true });
  });

  it('refuses to undo a superseded run and clears the marker the replaced data no longer earns', async () => {
    const { store } = await fixtureStore();
    const original = await originalSnapshot(store);
    const { service } = testService(store);
    await service.run({ actor: 'alice', backup: false });
    await replaceWith(store, original);
    const before = documentTexts(store);
    // The dry run answers as the undo will, without marking anything.
    await expect(service.undoRun('run1', { actor: 'bob', dryRun: true })).rejects.toThrow(/^Run run1 is superseded: /);
    expect((await service.status()).runs[0]).toMatchObject({ id: 'run1', state: 'completed' });
    await expect(service.undoRun('run1', { actor: 'bob' })).rejects.toThrow(/^Run run1 is superseded: none of its records holds what it wrote any more/);
    expect(documentTexts(store)).toEqual(before);
    expect(store.getMetaSync(META_KEYS.v1MigrationCompletedAt)).toBeNull();
    await expect(service.undoRun('run1', { actor: 'bob', dryRun: true })).rejects.toThrow(/is superseded/);
  });

  it('starts a new run instead of resuming a failed one whose legacy-default group was replaced away', async () => {
    const { store } = await fixtureStore();
    const original = await originalSnapshot(store);
    let fail = true;
    const { service } = testService(store, {
      crash: (point) => {
        if (point === 'batch:1' && fail) {
          fail = false;
          throw new Error('disk I/O error');
        }
      },
    });
    await expect(service.run({ actor: 'alice', backup: false, batchSize: 2 })).rejects.toThrow(/disk I\/O error/);
    expect((await service.preflight({ backup: false })).resumableRun).toMatchObject({ id: 'run1', state: 'failed' });
    await replaceWith(store, original);
    const preflight = await service.preflight({ backup: false });
    expect(preflight.resumableRun).toBeNull();
    expect(preflight.warnings).toContain('unfinished run run1 will be marked superseded, not resumed: its data was replaced since');
    const report = await service.run({ actor: 'alice', backup: false, batchSize: 2 });
    expect(report).toMatchObject({ runId: 'run2', status: 'completed', resumed: false, changed: FIXTURE_CHANGES });
    expect(store.getSync('groups', report.defaultGroupId!)).not.toBeNull();
    expect((await service.status()).runs.find((run) => run.id === 'run1')).toMatchObject({ state: 'superseded', error: expect.stringContaining('before: ') });
  });
});
