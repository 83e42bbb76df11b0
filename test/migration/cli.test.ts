import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { manifestPathOf } from '../../src/migration/backup.ts';
import { MIGRATION_EVENT_TYPES } from '../../src/store/sqlite/migration-store.ts';
import { META_KEYS, SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { counterRandom, tempDir, tempStore } from '../helpers/temp-store.ts';
import { buildFixture, documentTexts } from './fixtures.ts';
import { T0 } from './helpers.ts';

async function fixtureDb(naming: 'legacy' | 'current' = 'legacy') {
  const { store, path } = tempStore({ random: counterRandom(), now: () => T0 - 10_000 });
  const fixture = await buildFixture(store, naming, T0 - 100_000);
  store.close();
  return { path, fixture, backups: tempDir() };
}

async function cli(path: string, args: string[], now = T0) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--db', path, '--now', String(now), ...args], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTty: false,
    env: { USER: 'carol' },
  });
  return { code, stdout, stderr };
}

function withStore<T>(path: string, work: (store: SqliteStore) => T): T {
  const store = SqliteStore.open(path);
  try {
    return work(store);
  } finally {
    store.close();
  }
}

/** Document texts without the migration's audit events. */
function ontologyTexts(path: string): Map<string, string> {
  return withStore(path, (store) => {
    const texts = documentTexts(store);
    for (const [key, text] of texts) if (key.startsWith('events/') && MIGRATION_EVENT_TYPES.some((type) => text.includes(`"type":"${type}"`))) texts.delete(key);
    return texts;
  });
}

describe('ontology-ops migrate', () => {
  it('prints exactly one JSON document with --json, progress lines on stderr, and records the actor', async () => {
    const { path, backups } = await fixtureDb();
    const result = await cli(path, ['--json', 'migrate', '--backup-dir', backups, '--batch-size', '2']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { status: string; actor: string; runId: string };
    expect(report).toMatchObject({ status: 'completed', actor: 'carol' });
    expect(result.stderr).toMatch(new RegExp(`^migrate ${report.runId} entities: 5/5 \\(100%.*done\\)$`, 'm'));
    expect(result.stderr).not.toMatch(/Warning/);
    const status = await cli(path, ['--json', 'migration-status']);
    expect(JSON.parse(status.stdout)).toMatchObject({ runs: [{ id: report.runId, state: 'completed', actor: 'carol', percent: 100 }] });
  });

  it('--no-backup warns and takes no backup', async () => {
    const { path, backups } = await fixtureDb();
    const result = await cli(path, ['--json', 'migrate', '--no-backup', '--backup-dir', backups]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^Warning: --no-backup: no backup will be taken/m);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', backupFile: null });
  });

  it.each([
    [['--validate-only'], 'pre-flight only'],
    [['--dry-run'], 'dry run'],
  ])('%j changes nothing', async (flags) => {
    const { path, backups } = await fixtureDb('current');
    const before = withStore(path, documentTexts);
    const result = await cli(path, ['migrate', ...flags, '--backup-dir', backups]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Records to change: 16/);
    expect(withStore(path, documentTexts)).toEqual(before);
  });

  it('--validate-only exits non-zero with the reasons when the lock is held', async () => {
    const { path, backups } = await fixtureDb();
    withStore(path, (store) => store.database.prepare('INSERT INTO leases VALUES (?, ?, ?, ?)').run('v1-migration', 'other:1:x', T0 - 5, T0 + 60_000));
    const result = await cli(path, ['migrate', '--validate-only', '--backup-dir', backups]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Blocking: lock held by other:1:x since/);
    expect(result.stderr).toMatch(/^ontology-ops: Pre-flight failed: lock held by other:1:x since .*\.\n$/);
  });

  it.each([
    [['migrate', '--batch-size', '0'], /--batch-size must be a whole number ≥ 1, got "0"/],
    [['rollback'], /exactly one of --run <migrationRunId> or --backup-file <file>/],
    [['rollback', '--run', 'x', '--verify'], /--verify applies to --backup-file only/],
    [['rollback', '--run', 'nope'], /No migration run nope/],
    [['rollback', '--backup-file', '/nonexistent/b.zip', '--verify'], /manifest not found/],
  ])('%j is refused with one line', async (args, message) => {
    const { path } = await fixtureDb();
    const result = await cli(path, args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('MIGRATION_RUNBOOK.md', () => {
  it('documents only options the commands have', async () => {
    const runbook = readFileSync('MIGRATION_RUNBOOK.md', 'utf8');
    const documented = [...runbook.matchAll(/^\| `(--[a-z-]+)/gm)].map((match) => match[1]!);
    expect(documented.length).toBeGreaterThan(5);
    let help = '';
    for (const command of ['migrate', 'rollback', 'migration-status']) {
      await runCli([command, '--help'], { stdout: (text) => (help += text), stderr: () => {}, isTty: false, env: {} });
    }
    for (const flag of documented) expect(help, flag).toContain(`${flag} `);
  });
});

describe('ontology-ops rollback --backup-file', () => {
  async function migrated() {
    const { path, fixture, backups } = await fixtureDb();
    const original = ontologyTexts(path);
    const run = JSON.parse((await cli(path, ['--json', 'migrate', '--backup-dir', backups])).stdout) as { backupFile: string; runId: string; defaultGroupId: string };
    return { path, fixture, backups, original, run };
  }

  it('--verify checks the backup and changes nothing', async () => {
    const { path, run } = await migrated();
    const before = withStore(path, documentTexts);
    const result = await cli(path, ['--json', 'rollback', '--backup-file', run.backupFile, '--verify']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { status: string; backup: { documents: number; tables: { name: string; documents: number }[] } };
    expect(report.status).toBe('verified');
    expect(report.backup.tables.find((table) => table.name === 'things')).toMatchObject({ documents: 6 });
    expect(withStore(path, documentTexts)).toEqual(before);
  });

  it('--dry-run counts the records written since the backup that a restore would lose', async () => {
    const { path, run } = await migrated();
    const later = withStore(path, (store) => store.insertSync('knowledge', { knowledgeType: 'chunk', groupId: run.defaultGroupId }));
    const result = await cli(path, ['--json', 'rollback', '--backup-file', run.backupFile, '--dry-run', '--limit', '50']);
    expect(result.code, result.stderr).toBe(0);
    const { comparison } = JSON.parse(result.stdout) as { comparison: { createdSinceBackup: { count: number; ids: { table: string; id: string }[] }; changedSinceBackup: { count: number } } };
    // The legacy-default group, the two audit events and the knowledge record written after the run.
    expect(comparison.createdSinceBackup.count).toBe(4);
    expect(comparison.createdSinceBackup.ids).toContainEqual({ table: 'knowledge', id: later._id });
    expect(comparison.changedSinceBackup.count).toBe(16);
  });

  it('restores the pre-migration state, clears the v1 marker and logs rollback_completed', async () => {
    const { path, run, original } = await migrated();
    const result = await cli(path, ['--json', 'rollback', '--backup-file', run.backupFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', documentsRestored: 21 });
    expect(ontologyTexts(path)).toEqual(original);
    withStore(path, (store) => {
      expect(store.getMetaSync(META_KEYS.v1MigrationCompletedAt)).toBeNull();
      const types = store.database.prepare(`SELECT type FROM events WHERE type = 'rollback_completed'`).pluck().all();
      expect(types).toEqual(['rollback_completed']);
    });
    const status = JSON.parse((await cli(path, ['--json', 'migration-status'])).stdout) as { runs: { kind: string; state: string }[] };
    expect(status.runs.map((r) => [r.kind, r.state])).toEqual([
      ['restore', 'completed'],
      ['migrate', 'rolled_back'],
    ]);
  });

  it.each([
    ['a flipped byte', (zip: string) => {
      const bytes = readFileSync(zip);
      bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
      writeFileSync(zip, bytes);
    }, /sha256 does not match the manifest: the file is corrupt/],
    ['a truncated ZIP', (zip: string) => truncateSync(zip, 100), /size 100 bytes, manifest says \d+: the file is truncated or replaced/],
    ['a manifest count that does not match', (zip: string) => {
      const manifestPath = manifestPathOf(zip);
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { tables: { documents: number }[] };
      manifest.tables[0]!.documents += 1;
      writeFileSync(manifestPath, JSON.stringify(manifest));
    }, /holds \d+ documents, manifest says \d+/],
    ['a manifest without checksums', (zip: string) => {
      const manifestPath = manifestPathOf(zip);
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
      delete manifest.sha256;
      writeFileSync(manifestPath, JSON.stringify(manifest));
    }, /manifest\.json: field sha256: /],
  ])('refuses %s before touching anything', async (_case, damage, message) => {
    const { path, run } = await migrated();
    damage(run.backupFile);
    const before = withStore(path, documentTexts);
    for (const flags of [['--verify'], ['--dry-run'], []]) {
      const result = await cli(path, ['rollback', '--backup-file', run.backupFile, ...flags]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
    }
    expect(withStore(path, documentTexts)).toEqual(before);
  });
});
