/**
 * Crash safety of the real CLI: a child `ontology-ops migrate` (or `rollback --run`) is SIGKILLed at exact
 * points (test hook ONTOLOGY_OPS_TEST_KILL_AT), rerun, and its final export compared with an uninterrupted run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KILL_AT_ENV } from '../../src/migration/test-hooks.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { MIGRATION_EVENT_TYPES } from '../../src/store/sqlite/migration-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { exportSnapshot } from '../../src/snapshot/export.ts';
import { readTree, T0 } from './helpers.ts';

const BIN = resolve('bin/ontology-ops.js');
const TTL_MS = 60_000;
let root: string;
let basePath: string;
let baseline: Map<string, string>;
let undoBaseline: Map<string, string>;
let baselineReport: Record<string, unknown>;

function cli(db: string, now: number, args: string[], killAt?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, USER: 'tester' };
  if (killAt) env[KILL_AT_ENV] = killAt;
  else delete env[KILL_AT_ENV];
  return spawnSync(process.execPath, [BIN, '--db', db, '--now', String(now), '--json', ...args], { env, encoding: 'utf8', timeout: 120_000 });
}

function migrateArgs(backupDir: string): string[] {
  return ['migrate', '--batch-size', '50', '--backup-dir', backupDir];
}

function copyOfBase(name: string): { db: string; backups: string } {
  const dir = mkdtempSync(join(root, `${name}-`));
  const db = join(dir, 'ontology.db');
  copyFileSync(basePath, db);
  return { db, backups: join(dir, 'backups') };
}

/**
 * The store's export with what must differ between two runs normalised: the migration's own audit events are
 * dropped, and the legacy-default group (its id, creation time, creating run) is replaced by a placeholder.
 */
async function normalisedExport(db: string): Promise<Map<string, string>> {
  const store = SqliteStore.open(db);
  const out = join(mkdtempSync(join(root, 'export-')), 'snapshot');
  try {
    await exportSnapshot(store, out);
  } finally {
    store.close();
  }
  const files = readTree(out);
  const groups = files.get(join('groups', 'documents.jsonl'))!.toString('utf8').split('\n');
  const defaultLine = groups.find((line) => line.includes('"slug":"legacy-default"'));
  const defaultId = defaultLine ? (JSON.parse(defaultLine) as { _id: string })._id : null;
  const normalised = new Map<string, string>();
  for (const [path, bytes] of files) {
    let lines = bytes.toString('utf8').split('\n');
    lines = lines.filter((line) => !MIGRATION_EVENT_TYPES.some((type) => line.includes(`"type":"${type}"`)));
    lines = lines.map((line) => (line === defaultLine ? 'LEGACY_DEFAULT_GROUP' : defaultId ? line.replaceAll(defaultId, 'LEGACY_DEFAULT_ID') : line));
    normalised.set(path, lines.join('\n'));
  }
  return normalised;
}

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ontology-ops-crash-'));
  basePath = join(root, 'base.db');
  const store = SqliteStore.open(basePath);
  await seedStore(store, { entities: 200, legacy: true, seed: 7, now: T0 });
  store.close();
  const { db, backups } = copyOfBase('baseline');
  const result = cli(db, T0, migrateArgs(backups));
  expect(result.status, result.stderr).toBe(0);
  baseline = await normalisedExport(db);
  baselineReport = lastJson(result.stdout);
  const runId = baselineReport.runId as string;
  const undo = cli(db, T0 + 1_000, ['rollback', '--run', runId, '--batch-size', '100']);
  expect(undo.status, undo.stderr).toBe(0);
  undoBaseline = await normalisedExport(db);
}, 240_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('migrate survives SIGKILL', () => {
  it.each([
    [['backup:1'], 'mid-backup: inside the export, at its first progress report'],
    [['backup:written'], 'mid-backup: the ZIP is written, its manifest is not'],
    [['in-batch:3'], 'mid-batch: inside the third batch’s transaction, before commit'],
    [['batch:2'], 'between batches: right after the second batch committed'],
    [['table:entities'], 'between tables: entities done and checkpointed, connections not started'],
    [['table:events'], 'between tables: events done, knowledge not started'],
    [['validating'], 'after the last batch, before validation'],
    [['batch:2', 'in-batch:6'], 'killed twice: after batch 2, then inside batch 6 of the resumed run'],
  ])('killed at %j (%s), rerun ends exactly where an uninterrupted run does', async (points) => {
    const { db, backups } = copyOfBase('crash');
    let now = T0;
    for (const point of points) {
      const killed = cli(db, now, migrateArgs(backups), point);
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      now += TTL_MS;
    }
    const resumed = cli(db, now, migrateArgs(backups));
    expect(resumed.status, resumed.stderr).toBe(0);
    const report = lastJson(resumed.stdout);
    expect(report).toMatchObject({ status: 'completed', resumed: true });
    expect(await normalisedExport(db)).toEqual(baseline);
    for (const key of ['changed', 'assignments', 'schemaVersionsWritten']) expect(report[key], key).toEqual(baselineReport[key]);
    expect(readdirSync(backups).filter((name) => name.includes('.partial'))).toEqual([]);
    const verify = cli(db, now, ['rollback', '--backup-file', report.backupFile as string, '--verify']);
    expect(verify.status, verify.stderr).toBe(0);
  });

  it('a second migrate while the killed one still holds the lock is refused with holder and time', () => {
    const { db, backups } = copyOfBase('lock');
    expect(cli(db, T0, migrateArgs(backups), 'batch:1').signal).toBe('SIGKILL');
    const refused = cli(db, T0 + 1_000, migrateArgs(backups));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^ontology-ops: Another migration holds the lock: holder \S+:\d+:\w+ since 2026-11-01T00:00:00\.000Z/);
    const status = lastJson(cli(db, T0 + 1_000, ['migration-status']).stdout) as { lock: { held: boolean }; runs: { state: string; batches: number }[] };
    expect(status.lock.held).toBe(true);
    expect(status.runs[0]).toMatchObject({ state: 'migrating', batches: 1 });
  });
});

describe('full restore survives SIGKILL', () => {
  it('killed inside the import, the store is exactly as before; rerun restores the backup', async () => {
    const { db, backups } = copyOfBase('restore');
    const original = await normalisedExport(db);
    const run = lastJson(cli(db, T0, migrateArgs(backups)).stdout);
    const migrated = await normalisedExport(db);
    const killed = cli(db, T0 + 1_000, ['rollback', '--backup-file', run.backupFile as string], 'restore:1');
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(await normalisedExport(db)).toEqual(migrated);
    const restored = cli(db, T0 + 1_000 + TTL_MS, ['rollback', '--backup-file', run.backupFile as string]);
    expect(restored.status, restored.stderr).toBe(0);
    expect(await normalisedExport(db)).toEqual(original);
    const status = lastJson(cli(db, T0 + 2_000 + TTL_MS, ['migration-status']).stdout) as { runs: { kind: string; state: string }[] };
    expect(status.runs.map((entry) => [entry.kind, entry.state])).toEqual([
      ['restore', 'completed'],
      ['restore', 'failed'],
      ['migrate', 'rolled_back'],
    ]);
  });
});

describe('exact undo survives SIGKILL', () => {
  it.each([
    ['in-undo-batch:2', 'inside the second undo batch’s transaction, before commit'],
    ['undo-batch:3', 'right after the third undo batch committed'],
  ])('killed at %s (%s), rerun ends exactly where an uninterrupted undo does', async (point) => {
    const { db, backups } = copyOfBase('undo');
    const run = cli(db, T0, migrateArgs(backups));
    const runId = lastJson(run.stdout).runId as string;
    const killed = cli(db, T0 + 1_000, ['rollback', '--run', runId, '--batch-size', '100'], point);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const resumed = cli(db, T0 + 1_000 + TTL_MS, ['rollback', '--run', runId, '--batch-size', '100']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({ status: 'completed', conflictCount: 0 });
    expect(await normalisedExport(db)).toEqual(undoBaseline);
  });
});
