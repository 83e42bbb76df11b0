/** Shared setup of the migration tests: a service over a temp store with a controllable clock. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createMigrationService, type MigrationDeps } from '../../src/migration/service.ts';
import { sqliteMigrationPorts } from '../../src/store/sqlite/migration-ports.ts';
import { exportSnapshot } from '../../src/snapshot/export.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers/temp-store.ts';

/** The instant the tests run "at". */
export const T0 = Date.UTC(2026, 10, 1);

/** A service over `store` whose clock the test moves with `clock.set`/`clock.advance`. */
export function testService(store: SqliteStore, overrides: Partial<MigrationDeps> = {}) {
  let current = T0;
  let runCounter = 0;
  const clock = {
    now: () => current,
    set: (ms: number) => {
      current = ms;
    },
    advance: (ms: number) => {
      current += ms;
    },
  };
  const backupDir = overrides.backupDir ?? join(tempDir(), 'backups');
  const service = createMigrationService({
    ...sqliteMigrationPorts(store, { useWorker: false, crash: overrides.crash }),
    backupDir,
    now: clock.now,
    newRunId: () => `run${++runCounter}`,
    holderId: () => 'test-holder',
    ...overrides,
  });
  return { service, clock, backupDir };
}

/** Every file of a directory export, by relative path. */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

/** Exports the store to a fresh directory and returns its files. */
export async function exportTree(store: SqliteStore): Promise<Map<string, Buffer>> {
  const dir = join(tempDir(), 'export');
  await exportSnapshot(store, dir);
  return readTree(dir);
}
