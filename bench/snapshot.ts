/**
 * Benchmarks of data in and out for `npm run bench` (which prints): seeding the 1M-record store (200k
 * entities), exporting it as a snapshot ZIP, and importing that ZIP into a fresh store. Each function works on
 * files the caller names and prints nothing.
 */
import { rm } from 'node:fs/promises';
import { seedStore } from '../src/seed/seed.ts';
import { exportSnapshot } from '../src/snapshot/export.ts';
import { importSnapshot } from '../src/snapshot/import.ts';
import { openBackend } from '../src/backend.ts';

/** Records handled and wall time of one operation. */
export interface SnapshotBenchResult {
  /** Documents written or read, groups included (1,000,100 for the 200k-entity store). */
  records: number;
  ms: number;
}

/** Entities of the benchmark store: 200k entities make 1M records (plus 100 groups). */
export const BENCH_ENTITIES = 200_000;

/** Removes a database file and its WAL (asynchronously: unlinking a large file must not stall the loop). */
async function removeDatabase(path: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm']) await rm(`${path}${suffix}`, { force: true });
}

/** Seeds a new store at `dbPath` (replacing any file there); records = documents written. */
export async function benchSeed(
  dbPath: string,
  options: { entities?: number; legacy?: boolean; seed?: number; now?: number } = {},
): Promise<SnapshotBenchResult> {
  await removeDatabase(dbPath);
  const backend = openBackend({ dbPath });
  try {
    const started = performance.now();
    const summary = await seedStore(backend.bulkLoad, {
      entities: options.entities ?? BENCH_ENTITIES,
      legacy: options.legacy,
      seed: options.seed ?? 1,
      now: options.now ?? Date.parse('2026-11-01T00:00:00Z'),
    });
    const ms = performance.now() - started;
    return { records: summary.records + summary.tables.groups, ms };
  } finally {
    await backend.close();
  }
}

/** Exports the store at `dbPath` to the ZIP `zipPath` (replacing any file there); records = documents written. */
export async function benchExport(dbPath: string, zipPath: string): Promise<SnapshotBenchResult> {
  await rm(zipPath, { force: true });
  const backend = openBackend({ dbPath });
  try {
    const started = performance.now();
    const summary = await exportSnapshot(backend.snapshotSource, zipPath);
    return { records: summary.documents, ms: performance.now() - started };
  } finally {
    await backend.close();
  }
}

/** Imports the snapshot at `source` into a fresh store at `dbPath`; records = documents imported. */
export async function benchImport(source: string, dbPath: string): Promise<SnapshotBenchResult> {
  await removeDatabase(dbPath);
  const backend = openBackend({ dbPath });
  try {
    const started = performance.now();
    const summary = await importSnapshot(backend.bulkLoad, source);
    return { records: summary.documents, ms: performance.now() - started };
  } finally {
    await backend.close();
  }
}

/** Seed → export ZIP → import into a fresh store, all under `dir`. */
export async function benchSnapshotRoundTrip(
  dir: string,
  entities = BENCH_ENTITIES,
): Promise<{ seed: SnapshotBenchResult; export: SnapshotBenchResult; import: SnapshotBenchResult; zipPath: string }> {
  const sourceDb = `${dir}/snapshot-source.db`;
  const zipPath = `${dir}/snapshot.zip`;
  const seed = await benchSeed(sourceDb, { entities });
  const exported = await benchExport(sourceDb, zipPath);
  const imported = await benchImport(zipPath, `${dir}/snapshot-imported.db`);
  return { seed, export: exported, import: imported, zipPath };
}
