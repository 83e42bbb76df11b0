/**
 * The contract `fix orphans` passes on every adapter, end to end through the composition root's backend: a
 * planted data set with orphaned connections and knowledge, the plan, the run with backup and batches, the
 * archive, the exact undo compared byte for byte with an export taken before, and a run that crashes after a
 * committed batch and resumes to the same end state.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend.ts';
import type { FixStore } from '../../src/fix/port.ts';
import type { CrashPoint } from '../../src/migration/test-hooks.ts';
import type { ConvexValue } from '../../src/ontology/values.ts';
import { exportSnapshot } from '../../src/snapshot/export.ts';
import { tempDir } from '../helpers/temp-store.ts';

/** What a contract run opens: backends over ONE store (each with its own crash points), and raw helpers. */
export interface FixFixture {
  open(crash?: CrashPoint): Backend;
  /** The adapter's fix store over the same store (to read the archive). */
  fixStore(): FixStore;
  /** Ids of the entities table that name no entity. */
  danglingIds(count: number): Promise<string[]>;
  /**
   * True when the adapter gives a connection moved back by an undo its own id and creation time again (SQLite);
   * Convex gives an inserted document a new id, so there the undo is compared with those two fields set aside.
   */
  keepsIds: boolean;
  /** False where a backup cannot be written (convex-test's ids are not real Convex ids, which a backup verifies). */
  backups: boolean;
}

const NOW = 1_800_000_000_000;

/** A data set with 3 orphaned connections (one in group b), 2 orphaned knowledge records, and sound records. */
async function plant(backend: Backend, dangling: string[]) {
  const { documents } = backend;
  const group = async (slug: string) => (await documents.insert('groups', { slug, name: slug, type: 'organization', status: 'active', metadata: {}, settings: {}, createdAt: 1, updatedAt: 1 }))._id;
  const a = await group('acme');
  const b = await group('globex');
  const entity = async (groupId: string) => (await documents.insert('entities', { groupId, type: 'creator', name: 'n', properties: {}, schemaVersion: 1, createdAt: 1, updatedAt: 1 }))._id;
  const [a1, a2, b1] = [await entity(a), await entity(a), await entity(b)];
  const connection = async (groupId: string, from: string, to: string, extra: Record<string, ConvexValue> = {}) =>
    (await documents.insert('connections', { groupId, fromEntityId: from, toEntityId: to, relationshipType: 'owns', createdAt: 1, updatedAt: 1, ...extra }))._id;
  const sound = await connection(a, a1, a2);
  const orphans = [
    await connection(a, a1, dangling[0]!, { metadata: { note: 'kept as is' } }),
    await connection(a, dangling[1]!, dangling[0]!),
    await connection(b, b1, dangling[2]!),
  ];
  const knowledge = async (groupId: string, source: string | null) =>
    (await documents.insert('knowledge', { groupId, knowledgeType: 'chunk', text: 'content stays', ...(source ? { sourceThingId: source } : {}), createdAt: 1, updatedAt: 1 }))._id;
  const soundKnowledge = await knowledge(a, a1);
  const deadKnowledge = [await knowledge(a, dangling[1]!), await knowledge(b, dangling[2]!)];
  await knowledge(b, null);
  return { groups: { a, b }, sound, orphans, soundKnowledge, deadKnowledge };
}

/** Every file of an export folder, by relative path. */
function files(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(join(dir, prefix))) {
    const relative = prefix === '' ? name : `${prefix}/${name}`;
    if (statSync(join(dir, relative)).isDirectory()) for (const [key, value] of files(dir, relative)) out.set(key, value);
    else out.set(relative, readFileSync(join(dir, relative)));
  }
  return out;
}

async function exported(backend: Backend, name: string, dir: string): Promise<Map<string, Buffer>> {
  const target = join(dir, name);
  await exportSnapshot(backend.snapshotSource, target);
  return files(target);
}

/** Connection ids in the archive. */
async function archivedIds(fixes: FixStore): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<FixStore['archivePage']>> = await fixes.archivePage(cursor);
    ids.push(...page.connectionIds);
    cursor = page.continueCursor;
  } while (cursor !== null);
  return ids.sort();
}

/** A connection document line with its id and creation time set aside (Convex gives it new ones on the way back). */
function withoutSystemFields(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const { _id, _creationTime, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    })
    .sort();
}

/** Runs the contract against one adapter. */
export function fixOrphansContract(name: string, openFixture: () => Promise<FixFixture>): void {
  describe(`fix orphans contract: ${name}`, () => {
    it('plans each orphaned record with its missing ids and predicts no orphan left and no metric worse', async () => {
      const fixture = await openFixture();
      const backend = fixture.open();
      const dangling = await fixture.danglingIds(3);
      const planted = await plant(backend, dangling);
      const service = backend.fixes({ backupDir: tempDir(), now: () => NOW });
      const plan = await service.plan('orphans');
      expect(plan.counts).toEqual({ connections: 3, knowledge: 2 });
      expect(plan.before.orphanedEntityCount).toBe(5);
      expect(plan.after.orphanedEntityCount).toBe(0);
      expect(plan.after.referentialIntegrityScore).toBe(100);
      expect(plan.regressions).toEqual([]);
      expect(plan.refused).toBeNull();
      const byId = new Map(plan.records.map((record) => [record.recordId, record]));
      expect(byId.get(planted.orphans[0]!)).toEqual({ table: 'connections', recordId: planted.orphans[0], groupId: planted.groups.a, missingIds: [dangling[0]] });
      expect(byId.get(planted.orphans[1]!)?.missingIds).toEqual([dangling[1], dangling[0]]);
      expect(byId.get(planted.deadKnowledge[1]!)).toEqual({ table: 'knowledge', recordId: planted.deadKnowledge[1], groupId: planted.groups.b, missingIds: [dangling[2]] });
      const scoped = await service.plan('orphans', { groupId: planted.groups.b });
      expect(scoped.records.map((record) => record.recordId).sort()).toEqual([planted.orphans[2]!, planted.deadKnowledge[1]!].sort());
      await expect(service.plan('orphans', { groupId: planted.sound })).rejects.toThrow(/No group .*: name the id of an existing group/);
    });

    it('archives exactly the orphaned connections, unlinks dead knowledge, and the exact undo gives the export back', async () => {
      const fixture = await openFixture();
      const backend = fixture.open();
      const planted = await plant(backend, await fixture.danglingIds(3));
      const dir = tempDir();
      const before = await exported(backend, 'before', dir);
      const service = backend.fixes({ backupDir: join(dir, 'backups'), now: () => NOW });
      const report = await service.run('orphans', { actor: 'alice', batchSize: 2, backup: fixture.backups });
      expect(report.status).toBe('completed');
      expect(report.changed).toEqual({ connections: 3, knowledge: 2 });
      if (fixture.backups) expect(report.backupFile).toMatch(/\.zip$/);
      expect(report.validation?.after.orphanedEntityCount).toBe(0);
      expect(report.validation?.regressions).toEqual([]);
      expect(await archivedIds(fixture.fixStore())).toEqual([...planted.orphans].sort());
      for (const id of planted.orphans) expect(await backend.documents.get('connections', id)).toBeNull();
      expect(await backend.documents.get('connections', planted.sound)).not.toBeNull();
      const unlinked = await backend.documents.get('knowledge', planted.deadKnowledge[0]!);
      expect(unlinked?.text).toBe('content stays');
      expect(unlinked?.sourceThingId).toBeUndefined();
      expect((await backend.documents.get('knowledge', planted.soundKnowledge))?.sourceThingId).toBeDefined();
      const after = await exported(backend, 'after', dir);
      expect([...after.keys()].some((path) => path.startsWith('archivedConnections/'))).toBe(true);

      const migration = backend.migration({ now: () => NOW });
      const listed = (await migration.status()).runs.find((run) => run.id === report.runId);
      expect(listed).toMatchObject({ kind: 'fix', state: 'completed', actor: 'alice', plan: { fix: 'orphans', groupId: null } });

      const undo = await service.undo(report.runId!, { actor: 'bob' });
      expect(undo).toMatchObject({ status: 'completed', entries: 5, reverted: 5, conflictCount: 0, byTable: { connections: 3, knowledge: 2 } });
      expect(await archivedIds(fixture.fixStore())).toEqual([]);
      const restored = await exported(backend, 'restored', dir);
      if (fixture.keepsIds) expect(restored).toEqual(before);
      else {
        expect([...restored.keys()].sort()).toEqual([...before.keys()].sort());
        for (const [path, bytes] of before) {
          if (path.startsWith('connections/documents')) expect(withoutSystemFields(restored.get(path)!.toString())).toEqual(withoutSystemFields(bytes.toString()));
          else expect(restored.get(path)?.equals(bytes), path).toBe(true);
        }
      }
      expect((await migration.getRun(report.runId!))?.state).toBe('rolled_back');
      expect((await service.undo(report.runId!, { actor: 'bob' })).status).toBe('already_undone');
    });

    it('a run that stops after a committed batch resumes to the same end state', async () => {
      const fixture = await openFixture();
      const planted = await plant(fixture.open(), await fixture.danglingIds(3));
      const crashing = fixture.open((point) => {
        if (point === 'fix-batch:2') throw new Error('killed at fix-batch:2');
      });
      const options = { backupDir: tempDir(), now: () => NOW };
      await expect(crashing.fixes(options).run('orphans', { actor: 'alice', batchSize: 1, backup: fixture.backups })).rejects.toThrow(/killed at fix-batch:2.*rerun `ontology-ops fix orphans`/);
      const healthy = fixture.open();
      const stopped = (await healthy.migration(options).status()).runs.find((run) => run.kind === 'fix');
      expect(stopped?.state).toBe('failed');
      expect(stopped?.progress.connections?.done).toBe(2);
      const resumed = await healthy.fixes(options).run('orphans', { actor: 'alice', batchSize: 1, backup: fixture.backups });
      expect(resumed).toMatchObject({ runId: stopped!.id, status: 'completed', resumed: true, changed: { connections: 3, knowledge: 2 } });
      expect(await archivedIds(fixture.fixStore())).toEqual([...planted.orphans].sort());
      expect((await healthy.fixes(options).plan('orphans')).total).toBe(0);
      expect((await healthy.fixes(options).run('orphans', { actor: 'alice' })).status).toBe('nothing_to_do');
    });

    it('fixes one group only when asked, leaving the others', async () => {
      const fixture = await openFixture();
      const backend = fixture.open();
      const planted = await plant(backend, await fixture.danglingIds(3));
      const service = backend.fixes({ backupDir: tempDir(), now: () => NOW });
      const report = await service.run('orphans', { actor: 'alice', groupId: planted.groups.b, backup: false });
      expect(report).toMatchObject({ status: 'completed', groupId: planted.groups.b, changed: { connections: 1, knowledge: 1 }, backupFile: null });
      expect(await archivedIds(fixture.fixStore())).toEqual([planted.orphans[2]]);
      expect((await service.plan('orphans')).counts).toEqual({ connections: 2, knowledge: 1 });
    });

    it('answers the fixes not built yet with a clear refusal', async () => {
      const fixture = await openFixture();
      const service = fixture.open().fixes({ backupDir: tempDir() });
      await expect(service.plan('cross-group')).rejects.toThrow(/fix cross-group is not available yet/);
      await expect(service.run('legacy-default', { actor: 'a' })).rejects.toThrow(/fix legacy-default is not available yet/);
    });
  });
}
