/**
 * `ontology-ops fix orphans` through the real CLI on a real SQLite file: the dry run's plan, the run with its
 * backup and progress, `migration-status` listing the fix run, `rollback --run` undoing it exactly, and the
 * one-line refusals.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { tempDir, tempStore } from '../../helpers/temp-store.ts';

const NOW = 1_800_000_000_000;

/** A store with two orphaned connections and one orphaned knowledge record in group acme. */
function plantedDb() {
  const { store, path } = tempStore({ now: () => NOW - 10_000 });
  const group = store.insertSync('groups', { slug: 'acme', name: 'acme', type: 'organization', status: 'active', createdAt: 1, updatedAt: 1 })._id;
  const entity = () => store.insertSync('entities', { groupId: group, type: 'creator', name: 'n', properties: {}, schemaVersion: 1, createdAt: 1, updatedAt: 1 })._id;
  const [a, b, gone] = [entity(), entity(), entity()];
  store.database.prepare('DELETE FROM entities WHERE id = ?').run(gone);
  const connection = (from: string, to: string) => store.insertSync('connections', { groupId: group, fromEntityId: from, toEntityId: to, relationshipType: 'owns', createdAt: 1, updatedAt: 1 })._id;
  connection(a, b);
  const orphans = [connection(a, gone), connection(gone, b)];
  const knowledge = store.insertSync('knowledge', { groupId: group, knowledgeType: 'chunk', text: 't', sourceThingId: gone, createdAt: 1, updatedAt: 1 })._id;
  store.close();
  return { path, group, gone, orphans, knowledge };
}

async function cli(path: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--db', path, '--now', String(NOW), ...args], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTty: false,
    env: { USER: 'carol' },
  });
  return { code, stdout, stderr };
}

/** The connections, knowledge and other documents, and whether the archive table is registered (a backup registers the ontology's). */
function texts(path: string): string[] {
  const store = SqliteStore.open(path);
  try {
    return store.database.prepare("SELECT doc FROM connections UNION ALL SELECT doc FROM knowledge UNION ALL SELECT table_name || doc FROM other_documents UNION ALL SELECT name FROM convex_tables WHERE name = 'archivedConnections'").pluck().all() as string[];
  } finally {
    store.close();
  }
}

describe('ontology-ops fix orphans', () => {
  it('plans, runs with a backup, is listed by migration-status and is undone exactly by rollback --run', async () => {
    const { path, gone, orphans, knowledge } = plantedDb();
    const backups = tempDir();
    const before = texts(path);
    const dry = await cli(path, ['fix', 'orphans', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Plan of fix orphans: 3 records (connections to archive 2, knowledge records to unlink 1). Nothing was written.');
    expect(dry.stdout).toContain(`  connections  ${orphans[0]}  missing ${gone}\n`);
    expect(dry.stdout).toContain(`  knowledge    ${knowledge}  missing ${gone}\n`);
    expect(dry.stdout).toMatch(/│ orphanedEntityCount\s+│ 3\s+│ 0\s+│/);
    expect(texts(path)).toEqual(before);

    const run = await cli(path, ['--json', 'fix', 'orphans', '--backup-dir', backups, '--batch-size', '1']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { runId: string; status: string; changed: unknown; backupFile: string };
    expect(report).toMatchObject({ status: 'completed', changed: { connections: 2, knowledge: 1 } });
    expect(readdirSync(backups).some((file) => file.endsWith(`${report.runId}.zip`))).toBe(true);
    expect(run.stderr).toMatch(new RegExp(`^fix ${report.runId} connections: 2/2 \\(100%`, 'm'));
    const status = await cli(path, ['migration-status']);
    expect(status.stdout).toMatch(new RegExp(`^${report.runId}  fix  completed  100%  by carol$`, 'm'));
    expect(status.stdout).toContain('outcome: fix orphans: connections 2, knowledge 1 changed; validation passed');

    const undo = await cli(path, ['rollback', '--run', report.runId, '--actor', 'bob']);
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain(`of run ${report.runId} completed.`);
    expect(texts(path)).toEqual(before);
    const again = await cli(path, ['fix', 'orphans']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Fix \S+ completed: 2 orphaned connections archived, 1 knowledge records unlinked\./);
  });

  it.each([
    [['fix', 'everything'], /^ontology-ops: Unknown fix "everything": name one of orphans, cross-group, legacy-default/],
    [['fix', 'cross-group', '--dry-run'], /^ontology-ops: fix cross-group is not available yet/],
    [['fix', 'orphans', '--group', 'nope'], /^ontology-ops: No group nope: name the id of an existing group/],
    [['fix', 'orphans', '--batch-size', '0'], /--batch-size must be a whole number ≥ 1, got "0"/],
  ])('%j is refused with one line and writes nothing', async (args, message) => {
    const { path } = plantedDb();
    const before = texts(path);
    const result = await cli(path, args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(texts(path)).toEqual(before);
  });
});
