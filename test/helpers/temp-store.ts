/** Temporary SQLite stores and folders for tests: real files, removed after each test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.ts';

/** A fresh folder under the OS temp dir, removed when the current test finishes. */
export function tempDir(prefix = 'ontology-ops-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A new store in a fresh database file, closed and removed when the current test finishes. */
export function tempStore(options: SqliteStoreOptions = {}): { store: SqliteStore; path: string; dir: string } {
  const dir = tempDir();
  const path = join(dir, 'ontology.db');
  const store = SqliteStore.open(path, options);
  onTestFinished(() => store.close());
  return { store, path, dir };
}

/** A deterministic random-bytes source for ids (a counter), so tests see stable ids. */
export function counterRandom(start = 1): (size: number) => Uint8Array {
  let counter = start;
  return (size) => {
    const bytes = new Uint8Array(size);
    let value = counter++;
    for (let index = size - 1; index >= 0 && value > 0; index--) {
      bytes[index] = value & 0xff;
      value = Math.floor(value / 256);
    }
    return bytes;
  };
}
