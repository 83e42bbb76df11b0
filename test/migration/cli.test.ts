import { copyFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { manifestPathOf } from '../../src/migration/backup.ts';
import type { DryRunReport } from '../../src/migration/service.ts';
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

  it('the dry run tells a lead what a run would do: counts per table, metrics now and after, references created, backup size, ETA', async () => {
    const { path, backups } = await fixtureDb();
    const text = await cli(path, ['migrate', '--dry-run', '--backup-dir', backups]);
    expect(text.code, text.stderr).toBe(0);
    for (const line of [
      /^Records to change: 16$/,
      /^ {2}entities {5}5 \(missing groupId 4, schemaVersion → 1 4\)$/,
      /^ {2}connections {2}5$/,
      /^ {2}events {7}3$/,
      /^ {2}knowledge {4}3$/,
      /^│ missingGroupIds +│ 15 \(info\) +│ 0 \(healthy\) +│ +│$/,
      /^│ schemaComplianceScore +│ 33\.3333 \(critical\) +│ 100 \(healthy\) +│ +│$/,
      /^│ crossGroupViolations +│ 0 \(healthy\) +│ 5 \(critical\) +│ ⚠ worse │$/,
      /^Predicted to get worse \(\d\):$/,
      /^ {2}⚠ worse: Cross-group violations 0 → 5 \(healthy → critical\)$/,
      /^ {2}Caused by 5 cross-group references: 4 connections, 1 events to entities in legacy-default \(from .*\)\.$/,
      /^Backup: about \d+\.\d KiB \(uncompressed; the ZIP is smaller\) in \S+ \(writable, [\d.]+ \w+ free\)$/,
      /^Estimated duration: \d+ s$/,
      /^legacy-default group: would be created$/,
      /^ {2}connections +fromEntity 3, toEntity 1, legacyDefault 1$/,
      /^Cross-group references the run would create: 5 \(connections 4, events 1\)$/,
    ]) {
      expect(text.stdout).toMatch(new RegExp(line.source, 'm'));
    }
    const json = await cli(path, ['--json', 'migrate', '--dry-run', '--backup-dir', backups]);
    const report = JSON.parse(json.stdout) as DryRunReport;
    expect(report.changes).toEqual({
      entities: { records: 5, missingGroupId: 4, schemaVersion: 4 },
      connections: { records: 5 },
      events: { records: 3 },
      knowledge: { records: 3 },
      total: 16,
    });
    expect(report.predicted.crossGroupReferencesCreated).toEqual({ connections: 4, events: 1, total: 5 });
    expect(report.predicted.metrics).toMatchObject({ missingGroupIds: 0, schemaComplianceScore: 100, crossGroupViolations: 5 });
    expect(report.backup.estimatedBytes).toBeGreaterThan(0);
    expect(report.estimatedSeconds).toBeGreaterThanOrEqual(1);
  });

  it('the pre-flight names what the run would make worse, and the run that did says "Succeeded with regressions" with the next step', async () => {
    const { path, backups } = await fixtureDb();
    const preflight = await cli(path, ['migrate', '--validate-only', '--backup-dir', backups]);
    expect(preflight.code, preflight.stderr).toBe(0);
    expect(preflight.stdout).toMatch(/^Predicted to get worse \(2\):\n {2}⚠ worse: Referential integrity score [\d.]+% → [\d.]+%.*\n {2}⚠ worse: Cross-group violations 0 → 5 \(healthy → critical\)\n {2}Caused by 5 cross-group references: 4 connections, 1 events to entities in legacy-default/m);
    const json = JSON.parse((await cli(path, ['--json', 'migrate', '--validate-only', '--backup-dir', backups])).stdout) as { regressions: { worsened: { metric: string }[] } };
    expect(json.regressions.worsened.map((change) => change.metric)).toEqual(['referentialIntegrityScore', 'crossGroupViolations']);
    const run = await cli(path, ['migrate', '--backup-dir', backups]);
    expect(run.code, run.stderr).toBe(0);
    const runId = /^Run (\S+) by carol$/m.exec(run.stdout)![1]!;
    expect(run.stdout).toMatch(/^Succeeded with regressions: Referential integrity score 62\.5% → 12\.5%; Cross-group violations 0 → 5 \(healthy → critical\)$/m);
    expect(run.stdout).not.toMatch(/^Migration \S+ completed/m);
    expect(run.stdout).toMatch(/^Validation: passed;/m);
    expect(run.stdout).toMatch(/^Got worse \(2\):$/m);
    expect(run.stdout).toContain(`Next: review the cross-group references with \`ontology-ops check --categories crossGroup\`, or undo the run with \`ontology-ops rollback --run ${runId}\`.`);
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

  it.each([
    [
      'another process holds the lock',
      (path: string, backups: string) => {
        withStore(path, (store) => store.database.prepare('INSERT INTO leases VALUES (?, ?, ?, ?)').run('v1-migration', 'other:1:x', T0 - 5, T0 + 60_000));
        return backups;
      },
      /lock held by other:1:x since 2026-10-31T23:59:59\.995Z \(expires 2026-11-01T00:01:00\.000Z\)/,
    ],
    [
      'the backup folder would sit below a regular file',
      (_path: string, backups: string) => {
        writeFileSync(join(backups, 'plain-file'), '');
        return join(backups, 'plain-file', 'backups');
      },
      /backup folder \S+plain-file\/backups is not a writable folder and cannot be created: pass --backup-dir <writable folder>/,
    ],
  ])('--validate-only exits 1 with the reason when %s, in text and JSON', async (_case, arrange, reason) => {
    const { path, backups } = await fixtureDb();
    const backupDir = arrange(path, backups);
    const before = withStore(path, documentTexts);
    const text = await cli(path, ['migrate', '--validate-only', '--backup-dir', backupDir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`^Blocking: ${reason.source}$`, 'm'));
    expect(text.stderr).toMatch(new RegExp(`^ontology-ops: Pre-flight failed: ${reason.source}\\.\\n$`));
    const json = await cli(path, ['--json', 'migrate', '--validate-only', '--backup-dir', backupDir]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; blocking: string[] };
    expect(report.ok).toBe(false);
    expect(report.blocking).toHaveLength(1);
    expect(report.blocking[0]).toMatch(reason);
    // A real run is refused by the same pre-flight before it writes anything or registers a run.
    const run = await cli(path, ['migrate', '--backup-dir', backupDir]);
    expect(run.code).toBe(1);
    expect(withStore(path, documentTexts)).toEqual(before);
    expect(withStore(path, (store) => store.database.prepare('SELECT COUNT(*) FROM migration_runs').pluck().get())).toBe(0);
  });

  it.each([
    [['migrate', '--batch-size', '0'], /--batch-size must be a whole number ≥ 1, got "0"/],
    [['rollback'], /exactly one of --run <migrationRunId> or --backup-file <file>/],
    [['rollback', '--run', 'x', '--verify'], /--verify applies to --backup-file only/],
    [['rollback', '--run', 'nope'], /No migration run nope/],
    [['rollback', '--backup-file', '/nonexistent/b.zip', '--verify'], /^ontology-ops: \/nonexistent\/b\.zip: no such backup \(neither b\.zip nor b\.manifest\.json exists there\)/],
    [['rollback', '--backup-file', '/nonexistent/b.manifest.json'], /^ontology-ops: \/nonexistent\/b\.manifest\.json: no such backup/],
  ])('%j is refused with one line', async (args, message) => {
    const { path } = await fixtureDb();
    const result = await cli(path, args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('ontology-ops rollback --run and migration-status', () => {
  it('lists the exact undo’s conflicts with ids, then shows an auditor who did what, when, with which outcome', async () => {
    const { path, fixture, backups } = await fixtureDb();
    const run = JSON.parse((await cli(path, ['--json', 'migrate', '--backup-dir', backups, '--actor', 'alice'])).stdout) as { runId: string; backupFile: string };
    withStore(path, (store) => {
      store.patchSync('connections', fixture.connections.orphan, { groupId: fixture.groups.a });
      store.database.prepare('DELETE FROM knowledge WHERE id = ?').run(fixture.knowledge.noSource);
    });
    const before = withStore(path, documentTexts);
    const dry = await cli(path, ['rollback', '--run', run.runId, '--dry-run', '--limit', '1'], T0 + 1_000);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      'Journal entries: 16: 14 reverted; 2 conflicts (changed or deleted since the run): 0 partly reverted, 1 left alone, 1 deleted since\n',
    );
    expect(dry.stdout).toContain(`  conflict: connections ${fixture.connections.orphan} conflict (groupId changed since the run)\n  … and 1 more (raise --limit to list them)\n`);
    const json = JSON.parse((await cli(path, ['--json', 'rollback', '--run', run.runId, '--dry-run'], T0 + 1_000)).stdout) as { conflicts: unknown[] };
    expect(json.conflicts).toEqual([
      { table: 'connections', recordId: fixture.connections.orphan, fields: ['groupId'], outcome: 'conflict' },
      { table: 'knowledge', recordId: fixture.knowledge.noSource, fields: [], outcome: 'missing' },
    ]);
    expect(withStore(path, documentTexts)).toEqual(before);

    const undo = await cli(path, ['rollback', '--run', run.runId, '--actor', 'bob'], T0 + 2_000);
    expect(undo.code, undo.stderr).toBe(0);
    const status = await cli(path, ['migration-status'], T0 + 3_000);
    const lines = status.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['Lock: free', 'v1 migration completed: no']);
    expect(lines[2]).toMatch(new RegExp(`^\\S+  undo of ${run.runId}  completed  100%  by bob$`));
    expect(status.stdout).toContain(
      '    outcome: reverted 14, partly 0, conflicts 2 (deleted since 1); legacy-default group removed; v1 marker cleared; took 0.0 s\n',
    );
    expect(status.stdout).toContain(`${run.runId}  migrate  rolled_back  100%  by alice\n    started 2026-11-01T00:00:00.000Z, updated 2026-11-01T00:00:02.000Z, finished 2026-11-01T00:00:00.000Z\n`);
    expect(status.stdout).toContain('    outcome: 16 records changed; validation passed; 5 cross-group references created; took 0.0 s\n');
    expect(status.stdout).toContain(`    backup: ${run.backupFile}\n`);
  });
});

describe('MIGRATION_RUNBOOK.md', () => {
  const runbook = readFileSync('MIGRATION_RUNBOOK.md', 'utf8');

  async function helpOf(args: string[]): Promise<string> {
    let help = '';
    await runCli([...args, '--help'], { stdout: (text) => (help += text), stderr: () => {}, isTty: false, env: {} });
    return help;
  }

  it('names only commands and options that exist', async () => {
    const commands = [...runbook.matchAll(/`(?:ontology-ops )?(migrate|fix|rollback|migration-status|check|metrics|versions|info|import|seed)\b/g)].map((match) => match[1]!);
    let help = await helpOf([]);
    for (const command of new Set(commands)) help += await helpOf([command]);
    // `--replace-all` belongs to `npx convex import`, which the runbook quotes as such.
    const flags = [...runbook.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)].map((match) => match[1]!).filter((flag) => flag !== '--replace-all');
    expect(new Set(flags).size).toBeGreaterThan(10);
    for (const flag of new Set(flags)) expect(help, flag).toMatch(new RegExp(`${flag}[ ,]`));
    expect(runbook).toContain('npx convex import --replace-all');
  });

  it.each([
    ['Nothing to change', 'src/migration/run.ts', 'second run after completion'],
    ['Another migration holds the lock: holder', 'src/migration/lease.ts', 'lock held'],
    ['Pre-flight failed: ', 'src/cli/commands/migrate.ts', 'blocking pre-flight'],
    ['failed validation: ', 'src/migration/run.ts', 'validation failed'],
    ['Committed batches are kept; rerun `ontology-ops migrate` to resume', 'src/migration/run.ts', 'failed batch'],
    ['Lost the ', 'src/migration/lease.ts', 'lost lease'],
    ['is superseded: ', 'src/migration/undo.ts', 'undo of a superseded run'],
    ['superseded: none of its records holds what it wrote any more', 'src/migration/context.ts', 'reason kept on the run'],
    ['will be marked superseded, not resumed', 'src/migration/plan.ts', 'pre-flight warning'],
    ['conflicts (changed or deleted since the run)', 'src/cli/commands/rollback.ts', 'undo report'],
    ['(raise --limit to list them)', 'src/cli/commands/rollback.ts', 'id lists cut at --limit'],
    ['pass --allow-other-store', 'src/migration/restore.ts', 'backup of another store'],
    ['Succeeded with regressions: ', 'src/cli/commands/migrate.ts', 'a run that made metrics worse'],
    ['No metric is predicted to get worse.', 'src/cli/commands/migrate.ts', 'a plan with no regression'],
    ['Predicted to get worse (', 'src/cli/commands/migrate.ts', 'regression lines of a plan'],
    ['Got worse (', 'src/cli/commands/migrate.ts', 'regression lines of a run'],
  ])('quotes %j as the code writes it (%s, %s)', (message, file) => {
    expect(runbook.replace(/\s*\n\s*/g, ' ').includes(message.trimEnd()), message).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain(message);
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

  it('--dry-run lists ids up to --limit and says how many more there are', async () => {
    const { path, run } = await migrated();
    const later = withStore(path, (store) => [1, 2, 3].map(() => store.insertSync('knowledge', { knowledgeType: 'chunk', groupId: run.defaultGroupId })._id));
    const json = await cli(path, ['--json', 'rollback', '--backup-file', run.backupFile, '--dry-run', '--limit', '2']);
    const { comparison } = JSON.parse(json.stdout) as { comparison: { createdSinceBackup: { count: number; ids: { table: string; id: string }[] } } };
    // The legacy-default group, the two audit events and the three knowledge records written after the run.
    expect(comparison.createdSinceBackup.count).toBe(6);
    expect(comparison.createdSinceBackup.ids).toHaveLength(2);
    const text = await cli(path, ['rollback', '--backup-file', run.backupFile, '--dry-run', '--limit', '2']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}lose 6 records created since the backup: \S+ \S+, \S+ \S+ … and 4 more \(raise --limit to list them\)$/m);
    const all = await cli(path, ['--json', 'rollback', '--backup-file', run.backupFile, '--dry-run', '--limit', '10']);
    const ids = (JSON.parse(all.stdout) as { comparison: { createdSinceBackup: { ids: { id: string }[] } } }).comparison.createdSinceBackup.ids.map((entry) => entry.id);
    expect(ids).toEqual(expect.arrayContaining(later));
  });

  it('refuses a backup of another store file unless --allow-other-store, before touching anything', async () => {
    const { path, run } = await migrated();
    const other = join(tempDir(), 'other.db');
    copyFileSync(path, other);
    const before = withStore(other, documentTexts);
    const refused = await cli(other, ['rollback', '--backup-file', run.backupFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`ontology-ops: ${run.backupFile}: backup of ${path}, not of ${other}: pass --allow-other-store to restore it here.\n`);
    expect(withStore(other, documentTexts)).toEqual(before);
    expect(withStore(other, (store) => store.database.prepare(`SELECT COUNT(*) FROM migration_runs WHERE kind = 'restore'`).pluck().get())).toBe(0);
    const allowed = await cli(other, ['--json', 'rollback', '--backup-file', run.backupFile, '--allow-other-store']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ status: 'completed', documentsRestored: 21 });
  });

  it('restores the pre-migration state, clears the v1 marker and logs rollback_completed', async () => {
    const { path, run, original } = await migrated();
    const result = await cli(path, ['--json', 'rollback', '--backup-file', run.backupFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', documentsRestored: 21 });
    expect(ontologyTexts(path)).toEqual(original);
    withStore(path, (store) => {
      expect(store.getMetaSync(META_KEYS.v1MigrationCompletedAt)).toBeNull();
      const events = store.database.prepare(`SELECT doc FROM events WHERE type = 'rollback_completed'`).pluck().all() as string[];
      expect(events).toHaveLength(1);
      expect((JSON.parse(events[0]!) as { metadata: unknown }).metadata).toEqual({
        rollbackRunId: expect.stringMatching(/^mig_/),
        migrationRunId: run.runId,
        actor: 'carol',
        mode: 'restore',
        backupFile: run.backupFile,
        documentsRestored: 21,
        durationMs: 0,
      });
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
    ['a ZIP whose manifest is gone', (zip: string) => rmSync(manifestPathOf(zip)), /manifest\.json: manifest not found; a backup is the ZIP plus its \.manifest\.json next to it/],
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

describe('rollback --backup-file against a Convex deployment: how the restore import runs', () => {
  it('prints the command with --print-command, runs it without asking with --yes, and asks otherwise', async () => {
    const { convexRestoreOf } = await import('../../src/cli/commands/rollback.ts');
    const { CliContext } = await import('../../src/cli/context.ts');
    const lines: string[] = [];
    const context = (isTty: boolean) => new CliContext({ stdout: () => {}, stderr: (text) => lines.push(text), isTty, env: {} }, () => ({}));
    expect(convexRestoreOf(context(false), { printCommand: true })).toMatchObject({ mode: 'print', yes: false });
    expect(convexRestoreOf(context(false), { yes: true })).toMatchObject({ mode: 'run', yes: true });
    const unattended = convexRestoreOf(context(false), {});
    await expect(unattended.confirm!('Replace the data of https://x.convex.cloud?')).rejects.toThrow(/pass --yes to run the import, or --print-command/);
    convexRestoreOf(context(false), {}).print!('npx convex import --replace -y /b.zip');
    expect(lines).toEqual(['npx convex import --replace -y /b.zip\n']);
  });
});
