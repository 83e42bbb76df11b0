import { createHash } from 'node:crypto';
import { chmodSync, openSync, writeSync, closeSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { ErrorCode, storeEngineError, userMessage } from '../../src/errors.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { unprivilegedCli, type UnprivilegedCli } from '../helpers/unprivileged-cli.ts';

const NOW = '2026-11-27T02:00:00Z';

async function seededDb(dir: string): Promise<string> {
  const path = join(dir, 'ontology.db');
  const store = SqliteStore.open(path);
  try {
    await seedStore(store, { entities: 30, seed: 2, now: Date.parse(NOW) });
  } finally {
    store.close();
  }
  return path;
}

describe.skipIf(process.platform === 'win32')('a read-only store', () => {
  // As root these run a staged copy of the CLI as "nobody", so they pass wherever the checkout sits (see the helper).
  let cli: UnprivilegedCli;
  beforeAll(() => {
    cli = unprivilegedCli({ now: NOW });
  }, 120_000);
  afterAll(() => cli?.remove());

  it('opens for the commands that only read; a writing command says the store is read-only', async () => {
    const dir = cli.folder();
    const db = await seededDb(dir);
    chmodSync(db, 0o444);
    // The folder stays writable (SQLite keeps <store>-shm next to a WAL store); only the store file is read-only.
    chmodSync(dir, 0o777);
    const size = statSync(db).size;
    for (const args of [['info'], ['--json', 'check'], ['metrics'], ['versions'], ['export', join(dir, 'out.zip')]]) {
      const result = cli.run(['--db', db, ...args]);
      expect({ args, err: result.err, code: result.code }).toEqual({ args, err: '', code: 0 });
    }
    const migrate = cli.run(['--db', db, 'migrate', '--no-backup']);
    expect(migrate.code).toBe(1);
    expect(migrate.err.trim().split('\n')).toEqual([
      `ontology-ops: The store ${db} is read-only and this command changes it: make the file (and its folder) writable, or run it on a writable copy with --db.`,
    ]);
    expect(statSync(db).size).toBe(size);
  }, 120_000);

  it('in a read-only folder, explains that SQLite needs to write next to the store', async () => {
    const dir = cli.folder();
    const db = await seededDb(dir);
    // Readable whatever the umask: only the folder's missing write access is under test.
    chmodSync(db, 0o644);
    chmodSync(dir, 0o555);
    try {
      const result = cli.run(['--db', db, 'info']);
      expect(result.code).toBe(1);
      expect(result.err.trim().split('\n')).toHaveLength(1);
      expect(result.err).toMatch(/its folder is read-only, and SQLite must create the shared-memory file <store>-shm next to a WAL store to read it: copy the store to a writable folder/);
      expect(result.err).not.toMatch(/Unexpected error/);
    } finally {
      chmodSync(dir, 0o755);
    }
  }, 60_000);
});

describe('errors of the database engine say what to do next', () => {
  function sqliteError(work: () => void): unknown {
    try {
      work();
    } catch (error) {
      return error;
    }
    throw new Error('expected SQLite to fail');
  }

  it('a full disk (SQLITE_FULL)', () => {
    const database = new Database(join(tempDir(), 'full.db'));
    database.exec('CREATE TABLE t (x)');
    database.pragma(`max_page_count = ${database.pragma('page_count', { simple: true }) as number}`);
    const error = sqliteError(() => database.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000)));
    database.close();
    expect((error as { code: string }).code).toBe('SQLITE_FULL');
    expect(storeEngineError(error)?.code).toBe(ErrorCode.StoreFull);
    expect(userMessage(error)).toMatch(/^The disk holding the store is full .*free some space .* and run the command again\.$/);
  });

  it('a busy store (SQLITE_BUSY)', () => {
    const path = join(tempDir(), 'busy.db');
    const holder = new Database(path);
    holder.exec('CREATE TABLE t (x)');
    holder.exec('BEGIN IMMEDIATE');
    const other = new Database(path, { timeout: 0 });
    const error = sqliteError(() => other.prepare('INSERT INTO t VALUES (1)').run());
    other.close();
    holder.close();
    expect(storeEngineError(error)?.code).toBe(ErrorCode.StoreBusy);
    expect(userMessage(error)).toMatch(/^The store is busy: another process .* run the command again\.$/);
  });

  it('a write through a read-only connection (SQLITE_READONLY)', () => {
    const path = join(tempDir(), 'ro.db');
    new Database(path).exec('CREATE TABLE t (x)');
    const reader = new Database(path, { readonly: true });
    const error = sqliteError(() => reader.prepare('INSERT INTO t VALUES (1)').run());
    reader.close();
    expect(storeEngineError(error)?.code).toBe(ErrorCode.StoreReadOnly);
    expect(userMessage(error)).toMatch(/^The store is read-only .* make the file and its folder writable/);
  });

  it('a damaged store file (SQLITE_CORRUPT) through the CLI: one line with the way back', async () => {
    const db = await seededDb(tempDir());
    // Keep page 1 (the schema) and overwrite the tables' pages.
    const file = openSync(db, 'r+');
    const page = 4096;
    writeSync(file, Buffer.alloc(statSync(db).size - page, 0xa5), 0, statSync(db).size - page, page);
    closeSync(file);
    const io = captureIo();
    expect(await runCli(['--db', db, 'info'], io)).toBe(1);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/^ontology-ops: The store file is damaged \(SQLite: database disk image is malformed\): restore it with `ontology-ops rollback --backup-file/);
  });

  it('leaves other errors alone', () => {
    expect(storeEngineError(new Error('boom'))).toBeUndefined();
    expect(storeEngineError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
    expect(userMessage(new Error('boom'))).toBe('Unexpected error: boom');
  });
});

/** Files that are not an ontology-ops store, and the reason the refusal gives for each. */
const NOT_A_STORE: { what: string; make: (dir: string) => string; reason: string; createsStore?: boolean }[] = [
  {
    what: "another application's SQLite database",
    make: (dir) => {
      const path = join(dir, 'shop.db');
      const database = new Database(path);
      database.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE orders (id INTEGER PRIMARY KEY); INSERT INTO users VALUES (1, 'x');");
      database.close();
      return path;
    },
    reason: "it holds another application's tables: orders, users",
  },
  {
    what: 'a SQLite database with a store_meta table only',
    make: (dir) => {
      const path = join(dir, 'meta.db');
      const database = new Database(path);
      database.exec('CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);');
      database.close();
      return path;
    },
    reason: 'it has no convex_tables table, nor 7 more tables every store has',
  },
  {
    what: 'a SQLite database without tables',
    make: (dir) => {
      const path = join(dir, 'bare.db');
      const database = new Database(path);
      database.pragma('user_version = 7');
      database.close();
      return path;
    },
    reason: 'it has no tables',
  },
  // seed and import make an empty file (one `mktemp` made) the new store: see below.
  { what: 'an empty file', make: (dir) => (writeFileSync(join(dir, 'empty.db'), ''), join(dir, 'empty.db')), reason: 'it is empty', createsStore: true },
  { what: '/dev/null', make: () => '/dev/null', reason: 'it is empty' },
];

/** Every command that opens the store, reading or writing. */
const STORE_COMMANDS: string[][] = [
  ['info'],
  ['check'],
  ['metrics'],
  ['versions'],
  ['audit', 'grp_x'],
  ['export', 'OUT'],
  ['migrate', '--no-backup'],
  ['migration-status'],
  ['rollback', '--run', 'r1'],
  ['monitor', 'status'],
  ['monitor', 'run', 'hourly'],
  ['monitor', 'silence', 'crossGroupViolations', '--until', '2h', '--by', 'U1', '--reason', 'x'],
  ['monitor', 'unsilence', '1'],
  ['monitor', 'ack', '1', '--by', 'U1'],
  ['monitor', 'flush'],
  ['seed', '--entities', '20'],
  ['import', fileURLToPath(new URL('../fixtures/snapshots/uniform-current', import.meta.url))],
];

function fingerprint(path: string): { bytes: string; siblings: boolean } {
  return {
    bytes: createHash('sha256').update(readFileSync(path)).digest('hex'),
    siblings: existsSync(`${path}-wal`) || existsSync(`${path}-shm`) || existsSync(`${path}-journal`),
  };
}

describe('a file that is not an ontology-ops store', () => {
  it.each(NOT_A_STORE)('$what is refused by every command with one line, and left byte for byte as it was', async ({ make, reason, createsStore }) => {
    const dir = tempDir();
    const db = make(dir);
    const before = fingerprint(db);
    for (const command of STORE_COMMANDS.filter(([name]) => !createsStore || (name !== 'seed' && name !== 'import'))) {
      const io = captureIo();
      const argv = command.map((arg) => (arg === 'OUT' ? join(dir, 'out.zip') : arg));
      const code = await runCli(['--db', db, '--now', NOW, ...argv], io);
      expect({ command, code, err: io.err() }).toEqual({
        command,
        code: 1,
        err:
          `ontology-ops: ${db} is not an ontology-ops store (${reason}); it was left unchanged: ` +
          'pass --db with a store made by `ontology-ops seed` or `ontology-ops import`, or a new path to create one.\n',
      });
      expect(fingerprint(db)).toEqual(before);
    }
    expect(existsSync(join(dir, 'out.zip'))).toBe(false);
  }, 60_000);

  it('an empty file becomes the store that seed creates', async () => {
    const db = join(tempDir(), 'fresh.db');
    writeFileSync(db, '');
    const seed = await runCli(['--db', db, '--now', NOW, 'seed', '--entities', '20'], captureIo());
    expect(seed).toBe(0);
    const io = captureIo();
    expect(await runCli(['--db', db, '--json', 'info'], io)).toBe(0);
    expect(JSON.parse(io.out()).tables).toContainEqual({ name: 'entities', logical: 'entities', documents: 20 });
  });

  it('an empty file that a failed import was filling is empty again, with nothing next to it', async () => {
    const dir = tempDir();
    const db = join(dir, 'fresh.db');
    writeFileSync(db, '');
    const snapshot = join(dir, 'broken');
    mkdirSync(join(snapshot, 'groups'), { recursive: true });
    writeFileSync(join(snapshot, 'groups', 'documents.jsonl'), '{"_id": "not json\n');
    const io = captureIo();
    expect(await runCli(['--db', db, 'import', snapshot], io)).toBe(1);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(statSync(db).size).toBe(0);
    expect(fingerprint(db).siblings).toBe(false);
  });
});
