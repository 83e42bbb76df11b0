/**
 * Crash safety of `ontology-ops fix orphans` in a real process: a child CLI is SIGKILLed at exact points (test hook
 * ONTOLOGY_OPS_TEST_KILL_AT: after a committed batch, inside a batch's transaction, during the backup), rerun, and
 * its end state compared with an uninterrupted run; then `rollback --run` gives back the export taken before.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KILL_AT_ENV } from '../../src/migration/test-hooks.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { exportSnapshot } from '../../src/snapshot/export.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { readTree, T0 } from '../migration/helpers.ts';

const BIN = resolve('bin/ontology-ops.js');
let root: string;
let basePath: string;
let baseline: EndState;

interface EndState {
  connections: string[];
  knowledge: string[];
  archived: string[];
}

function cli(db: string, args: string[], killAt?: string, now = T0) {
  const env: NodeJS.ProcessEnv = { ...process.env, USER: 'tester' };
  if (killAt) env[KILL_AT_ENV] = killAt;
  else delete env[KILL_AT_ENV];
  return spawnSync(process.execPath, [BIN, '--db', db, '--now', String(now), '--json', ...args], { env, encoding: 'utf8', timeout: 120_000 });
}

function copyOfBase(name: string): { db: string; backups: string } {
  const dir = mkdtempSync(join(root, `${name}-`));
  const db = join(dir, 'ontology.db');
  copyFileSync(basePath, db);
  return { db, backups: join(dir, 'backups') };
}

/** What a fix leaves: the documents of the two tables it changes and the connection ids in the archive. */
function endState(db: string): EndState {
  const store = SqliteStore.open(db);
  try {
    const texts = (table: string) => store.database.prepare(`SELECT doc FROM ${table} ORDER BY rowid`).pluck().all() as string[];
    const archived = (store.database.prepare("SELECT doc FROM other_documents WHERE table_name = 'archivedConnections'").pluck().all() as string[])
      .map((doc) => (JSON.parse(doc) as { connectionId: string }).connectionId)
      .sort();
    return { connections: texts('connections'), knowledge: texts('knowledge'), archived };
  } finally {
    store.close();
  }
}

async function exported(db: string): Promise<Map<string, Buffer>> {
  const store = SqliteStore.open(db);
  const out = join(mkdtempSync(join(root, 'export-')), 'snapshot');
  try {
    await exportSnapshot(store, out);
  } finally {
    store.close();
  }
  return readTree(out);
}

const fixArgs = (backups: string) => ['fix', 'orphans', '--batch-size', '1', '--backup-dir', backups];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ontology-ops-fix-crash-'));
  basePath = join(root, 'base.db');
  const store = SqliteStore.open(basePath);
  await seedStore(store, { entities: 1000, seed: 11, now: T0 });
  store.close();
  const { db, backups } = copyOfBase('baseline');
  const result = cli(db, fixArgs(backups));
  expect(result.status, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as { status: string; changed: { connections: number; knowledge: number } };
  expect(report.status).toBe('completed');
  // Enough orphans for several batches of one.
  expect(report.changed.connections + report.changed.knowledge).toBeGreaterThan(3);
  baseline = endState(db);
}, 240_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('fix orphans killed with SIGKILL and rerun', () => {
  it.each([
    ['after batch 2 committed', 'fix-batch:2'],
    ['inside batch 2, before its commit', 'in-fix-batch:2'],
    ['during the backup', 'backup:1'],
  ])('%s: the rerun resumes the same run and ends as the uninterrupted run; the undo gives the export back', { timeout: 240_000 }, async (_case, point) => {
    const { db, backups } = copyOfBase(point.replace(/\W/g, '-'));
    const before = await exported(db);
    const killed = cli(db, fixArgs(backups), point);
    expect(killed.signal).toBe('SIGKILL');
    // The killed process's lease expires after its time-to-live (60 s): the rerun comes after it.
    const rerun = cli(db, fixArgs(backups), undefined, T0 + 61_000);
    expect(rerun.status, rerun.stderr).toBe(0);
    const report = JSON.parse(rerun.stdout) as { runId: string; status: string; resumed: boolean };
    expect(report).toMatchObject({ status: 'completed', resumed: true });
    expect(endState(db)).toEqual(baseline);
    const undo = cli(db, ['rollback', '--run', report.runId], undefined, T0 + 62_000);
    expect(undo.status, undo.stderr).toBe(0);
    expect(await exported(db)).toEqual(before);
  });
});
