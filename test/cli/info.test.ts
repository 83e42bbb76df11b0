import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { META_KEYS } from '../../src/store/sqlite/sqlite-store.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { buildFixture, NOW } from '../quality/fixtures.ts';

describe('ontology-ops info', () => {
  it.each([
    ['current', 'entities'],
    ['legacy', 'things'],
  ] as const)('reports the %s naming, table counts, size and migration state', async (generation, entitiesTable) => {
    const { path, store } = await buildFixture(generation);
    store.setMetaSync(META_KEYS.v1MigrationCompletedAt, String(NOW));
    const io = captureIo();
    expect(await runCli(['--db', path, '--json', 'info'], io)).toBe(0);
    const report = JSON.parse(io.out());
    expect(report).toMatchObject({
      location: path,
      namingGeneration: generation,
      entitiesTable,
      v1MigrationCompleted: true,
      v1MigrationCompletedAt: String(NOW),
    });
    expect(report.tables).toEqual([
      { name: 'groups', logical: 'groups', documents: 3 },
      { name: entitiesTable, logical: 'entities', documents: 5 },
      { name: 'connections', logical: 'connections', documents: 8 },
      { name: 'events', logical: 'events', documents: 7 },
      { name: 'knowledge', logical: 'knowledge', documents: 4 },
    ]);
    // Database file plus its write-ahead log: what the store occupies on disk right now.
    const wal = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
    expect(report.sizeBytes).toBe(statSync(path).size + wal);
    expect(report.sizeBytes).toBeGreaterThan(0);
  });

  it('renders a readable summary', async () => {
    const { path } = await buildFixture('legacy');
    const io = captureIo();
    expect(await runCli(['--db', path, 'info'], io)).toBe(0);
    expect(io.out()).toContain('Naming: legacy (entities table "things")');
    expect(io.out()).toContain('v1 migration completed: no');
    expect(io.out()).toMatch(/Size: [\d.]+ (B|KiB|MiB) \(\d+ bytes\)/);
  });

  it.each([
    { make: (dir: string) => (writeFileSync(join(dir, 'notes.txt'), 'not a database\n'), join(dir, 'notes.txt')), reason: /the file is not a SQLite database/, what: 'a text file' },
    { make: (dir: string) => dir, reason: /it is a folder/, what: 'a folder' },
  ])('fails with one line when --db names $what', async ({ make, reason }) => {
    const path = make(tempDir());
    const io = captureIo();
    expect(await runCli(['--db', path, 'info'], io)).toBe(1);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/^ontology-ops: Cannot open the store /);
    expect(io.err()).toMatch(reason);
    expect(io.err()).not.toMatch(/Unexpected error/);
  });
});
