/**
 * An export never writes outside its target, fails as one line without reading after it gave up, and cleans the
 * temporary files of killed exports; `migrate` (whose backup is an export) fails cleanly on a store it cannot
 * export.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OpsError } from '../../src/errors.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { exportSnapshot, tableNameProblem } from '../../src/snapshot/export.ts';
import type { SnapshotRead, SnapshotSource } from '../../src/store/snapshot-source.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

const NOW = Date.parse('2026-11-01T00:00:00Z');
const BIN = resolve('bin/ontology-ops.js');

/** A table an older import or a hand edit left in the store under a name no Convex table can have. */
function addTable(store: SqliteStore, name: string, number: number): void {
  store.database.prepare('INSERT INTO convex_tables (name, table_number) VALUES (?, ?)').run(name, number);
  store.database
    .prepare('INSERT INTO other_documents (table_name, id, creation_time, doc) VALUES (?, ?, ?, ?)')
    .run(name, 'x1', 1.5, '{"_id":"x1","_creationTime":1.5}');
}

/** Every path under `root`, relative, sorted. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      out.push(`${prefix}${entry.name}`);
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
    }
  };
  walk(root, '');
  return out.sort();
}

describe('export safety', () => {
  it.each([
    ['../../escape', 'a folder folder two levels up', 'out'],
    ['../escape', 'a ZIP entry leaving the archive root', 'out.zip'],
    ['a/b', 'a nested folder', 'out'],
    ['.hidden', 'a dot name', 'out'],
    ['x'.repeat(65), 'a name over 64 characters', 'out.zip'],
  ])('refuses a table named %s (%s) before writing anything', async (name, _why, file) => {
    const { store, dir } = tempStore();
    await seedStore(store, { entities: 20, now: NOW });
    addTable(store, name, 10050);
    const exportRoot = join(dir, 'deep', 'exports');
    mkdirSync(exportRoot, { recursive: true });
    const before = tree(dir);
    const error = await exportSnapshot(store, join(exportRoot, file)).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(OpsError);
    expect((error as Error).message).toContain(JSON.stringify(name.slice(0, 100)));
    expect((error as Error).message).toMatch(/not a valid Convex table name .*nothing was written/);
    expect((error as Error).message).not.toContain('\n');
    expect(tree(dir)).toEqual(before);
  });

  it.each([
    ['documents', null],
    ['_storage', null],
    ['table_2', null],
    ['x'.repeat(64), null],
    ['2fast', 'only letters'],
    ['__double', 'only letters'],
    ['', 'empty'],
  ])('table name %j: %s', (name, problem) => {
    if (problem === null) expect(tableNameProblem(name)).toBeNull();
    else expect(tableNameProblem(name)).toContain(problem);
  });

  it('a source failing mid-export is one OpsError, the read is closed once and never read after, no temporary files stay', async () => {
    const dir = tempDir();
    const calls: string[] = [];
    let closed = false;
    const read: SnapshotRead = {
      naming: 'current',
      tables: [
        { name: 'groups', number: 10001, documents: 4000 },
        { name: 'entities', number: 10002, documents: 5 },
      ],
      async page(table, cursor) {
        calls.push(`${table}:${cursor}`);
        if (closed) throw new TypeError('The database connection is not open');
        if (cursor === null) return { texts: Array.from({ length: 2000 }, (_, index) => `{"_id":"g${index}","_creationTime":1.5}`), continueCursor: '2000' };
        throw new Error('disk I/O error');
      },
      async close() {
        calls.push('close');
        closed = true;
      },
    };
    const source: SnapshotSource = { location: 'memory', openSnapshotRead: async () => read };
    for (const target of ['out.zip', 'out']) {
      calls.length = 0;
      closed = false;
      const error = await exportSnapshot(source, join(dir, target)).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(OpsError);
      expect((error as Error).message).toBe(`Cannot write the export to ${join(dir, target)} (disk I/O error); nothing was written there.`);
      // Give a lazy stream every chance to read after the failure.
      await new Promise((done) => setTimeout(done, 50));
      expect(calls).toEqual(['groups:null', 'groups:2000', 'close']);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('removes the temporary files of killed exports (dead processes) to the same target, and only those', async () => {
    const { store, dir } = tempStore();
    await seedStore(store, { entities: 20, now: NOW });
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const exports = join(dir, 'exports');
    mkdirSync(join(exports, `.out.zip.partial-${dead + 1000000}`), { recursive: true });
    writeFileSync(join(exports, `.out.zip.partial-${dead}`), 'half a zip');
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(exports, `.out.zip.partial-${alive.pid}`), 'another export still running');
      writeFileSync(join(exports, `.other.zip.partial-${dead}`), 'another target');
      writeFileSync(join(exports, '.out.zip.partial-notapid'), 'not ours');
      await exportSnapshot(store, join(exports, 'out.zip'));
      expect(readdirSync(exports).sort()).toEqual(['.other.zip.partial-' + dead, `.out.zip.partial-${alive.pid}`, '.out.zip.partial-notapid', 'out.zip'].sort());
    } finally {
      alive.kill('SIGKILL');
    }
  });

  it('migrate on a store it cannot back up fails with one line naming the table, no stack trace, nothing half-written', async () => {
    const { store, path, dir } = tempStore();
    await seedStore(store, { entities: 20, legacy: true, now: NOW });
    addTable(store, '../../escape', 10050);
    store.close();
    const backups = join(dir, 'backups');
    const result = spawnSync(process.execPath, [BIN, '--db', path, '--now', String(NOW), 'migrate', '--backup-dir', backups], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(1);
    const lines = result.stderr.trim().split('\n').filter((line) => !/^migrate .*%/.test(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ontology-ops: .*"\.\.\/\.\.\/escape".*not a valid Convex table name/);
    expect(result.stderr).not.toMatch(/TypeError|\n\s+at /);
    expect(existsSync(resolve(dir, '..', 'escape'))).toBe(false);
    expect(existsSync(backups) ? readdirSync(backups).filter((name) => !name.startsWith('.')) : []).toEqual([]);
  });
});
