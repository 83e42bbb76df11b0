/**
 * `import` and `seed` as writers of the whole data set: they hold the data-set lease (a migration, undo or
 * restore holding it makes them refuse, writing nothing), and a SIGINT during a first run leaves no store files.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { MIGRATION_LEASE } from '../../src/migration/service.ts';
import { seedInto, seedStore } from '../../src/seed/seed.ts';
import { SnapshotFileSink } from '../../src/snapshot/file-sink.ts';
import { DATA_SET_LEASE } from '../../src/store/port.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { FIXTURES, storeDigest } from './helpers.ts';

const NOW = Date.parse('2026-11-01T00:00:00Z');
const BIN = resolve('bin/ontology-ops.js');

async function cli(args: string[]) {
  const io = captureIo();
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('import and seed hold the data-set lease', () => {
  it.each([
    ['import --replace', ['import', FIXTURES.uniformCurrent, '--replace']],
    ['seed --replace', ['seed', '--entities', '20', '--replace']],
  ])('%s refuses while a migration holds the lease, naming holder and since when, and writes nothing', async (_name, args) => {
    const { store, path } = tempStore();
    await seedStore(store, { entities: 20, now: NOW, seed: 3 });
    await store.acquireLease(DATA_SET_LEASE, 'ops-host:4242:abc', 60_000, NOW);
    const before = storeDigest(store);
    const result = await cli(['--db', path, '--now', String(NOW + 1_000), ...args]);
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err).toContain(`locked by ops-host:4242:abc since ${new Date(NOW).toISOString()}`);
    expect(result.err).toContain('nothing was written');
    expect(storeDigest(store)).toBe(before);
    expect(await store.getLease(DATA_SET_LEASE)).toMatchObject({ holder: 'ops-host:4242:abc', acquiredAt: NOW });
  });

  it('goes ahead when the lease has expired (its holder died), and leaves that lease alone', async () => {
    const { store, path } = tempStore();
    await seedStore(store, { entities: 20, now: NOW, seed: 3 });
    await store.acquireLease(DATA_SET_LEASE, 'ops-host:4242:abc', 60_000, NOW);
    const result = await cli(['--db', path, '--now', String(NOW + 61_000), 'import', FIXTURES.uniformCurrent, '--replace']);
    expect(result.code, result.err).toBe(0);
    expect(await store.count('groups')).toBe(2);
    expect(await store.getLease(DATA_SET_LEASE)).toMatchObject({ holder: 'ops-host:4242:abc', expiresAt: NOW + 60_000 });
  });

  it('is the lease migrate, undo and restore take', () => {
    expect(DATA_SET_LEASE).toBe(MIGRATION_LEASE);
  });
});

/** Spawns the real CLI, sends SIGINT once the store's WAL shows documents being written, and waits for it. */
async function interruptMidLoad(db: string, args: string[]): Promise<{ code: number | null; stderr: string; sawWrites: boolean }> {
  const child = spawn(process.execPath, [BIN, '--db', db, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let exited = false;
  const done = new Promise<number | null>((resolvePromise) =>
    child.on('exit', (code) => {
      exited = true;
      resolvePromise(code);
    }),
  );
  let sawWrites = false;
  const deadline = Date.now() + 60_000;
  while (!exited && Date.now() < deadline) {
    const wal = `${db}-wal`;
    if (existsSync(wal) && statSync(wal).size > 2 * 1024 * 1024) {
      sawWrites = true;
      child.kill('SIGINT');
      break;
    }
    await new Promise((wait) => setTimeout(wait, 10));
  }
  return { code: await done, stderr, sawWrites };
}

describe('SIGINT during a load', () => {
  let snapshot: string;
  beforeAll(async () => {
    snapshot = join(mkdtempSync(join(tmpdir(), 'fill-store-')), 'big.zip');
    await seedInto(new SnapshotFileSink(snapshot), { entities: 30_000, now: NOW });
    return () => rmSync(dirname(snapshot), { recursive: true, force: true });
  }, 120_000);

  it.each([
    ['import', () => ['import', snapshot]],
    ['seed', () => ['seed', '--entities', '40000']],
  ])('a first-run %s stops, rolls back and removes the database, -wal and -shm files', { timeout: 120_000 }, async (what, args) => {
    const dir = tempDir();
    const db = join(dir, 'store', 'ontology.db');
    const result = await interruptMidLoad(db, args());
    expect(result.sawWrites, `the ${what} finished before it could be interrupted`).toBe(true);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`ontology-ops: The ${what} was interrupted by SIGINT before it completed: nothing was written; rerun it to load the data.`]);
    expect(readdirSync(join(dir, 'store'))).toEqual([]);
  });

  it('an import --replace into a store stops and leaves the store exactly as it was', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const db = join(dir, 'ontology.db');
    const store = SqliteStore.open(db);
    await seedStore(store, { entities: 40, now: NOW, seed: 9 });
    const before = storeDigest(store);
    store.close();
    const result = await interruptMidLoad(db, ['import', snapshot, '--replace']);
    expect(result.sawWrites, 'the import finished before it could be interrupted').toBe(true);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/interrupted by SIGINT/);
    const after = SqliteStore.open(db);
    try {
      expect(storeDigest(after)).toBe(before);
    } finally {
      after.close();
    }
  });
});
