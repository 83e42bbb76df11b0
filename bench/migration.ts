/**
 * Benchmarks of the v1 migration for `npm run bench` (which prints): the full run on a legacy store (pre-flight,
 * backup, batches, validation) and the exact undo of that run. Prints nothing itself.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openBackend, type Backend } from '../src/backend.ts';
import { DEFAULT_BATCH_SIZE } from '../src/migration/service.ts';
import { seedStore } from '../src/seed/seed.ts';

/** Timing of one benchmarked operation. */
export interface MigrationBenchResult {
  /** Records the operation changed (migration) or journal entries it handled (undo). */
  records: number;
  /** Ontology records in the store. */
  storeRecords: number;
  ms: number;
  recordsPerSecond: number;
  /** Peak resident set size of this process so far, in bytes. */
  peakRssBytes: number;
  runId: string | null;
  /** Longest time the event loop was blocked during the operation, in ms. */
  maxEventLoopStallMs: number;
  /** Milliseconds per step (from the progress reports). */
  steps: Record<string, number>;
}

function stallMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return () => {
    histogram.disable();
    return Math.round(histogram.max / 1e6);
  };
}

async function storeRecords(backend: Backend): Promise<number> {
  let total = 0;
  for (const table of ['groups', 'entities', 'connections', 'events', 'knowledge'] as const) total += await backend.documents.count(table);
  return total;
}

function stepTimer() {
  const starts = new Map<string, number>();
  const steps: Record<string, number> = {};
  return {
    steps,
    listener: (progress: { phase: string; finished: boolean }) => {
      if (!starts.has(progress.phase)) starts.set(progress.phase, performance.now());
      if (progress.finished) steps[progress.phase] = Math.round(performance.now() - starts.get(progress.phase)!);
    },
  };
}

/** Runs the whole migration (with backup and validation) on the store at `dbPath`. */
export async function benchMigrate(dbPath: string, options: { backupDir?: string; batchSize?: number } = {}): Promise<MigrationBenchResult> {
  const backend = openBackend({ dbPath, mustExist: true });
  try {
    const service = backend.migration({ backupDir: options.backupDir });
    const timer = stepTimer();
    const stall = stallMonitor();
    const started = performance.now();
    const report = await service.run({ actor: 'bench', batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, onProgress: timer.listener });
    const ms = performance.now() - started;
    const records = Object.values(report.changed).reduce((sum, count) => sum + count, 0);
    return {
      records,
      storeRecords: await storeRecords(backend),
      ms: Math.round(ms),
      recordsPerSecond: Math.round((records / ms) * 1000),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      runId: report.runId,
      maxEventLoopStallMs: stall(),
      steps: timer.steps,
    };
  } finally {
    await backend.close();
  }
}

/** Runs the exact undo of `runId` on the store at `dbPath`. */
export async function benchUndo(dbPath: string, runId: string, options: { batchSize?: number } = {}): Promise<MigrationBenchResult> {
  const backend = openBackend({ dbPath, mustExist: true });
  try {
    const service = backend.migration();
    const timer = stepTimer();
    const stall = stallMonitor();
    const started = performance.now();
    const report = await service.undoRun(runId, { actor: 'bench', batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, onProgress: timer.listener });
    const ms = performance.now() - started;
    return {
      records: report.entries,
      storeRecords: await storeRecords(backend),
      ms: Math.round(ms),
      recordsPerSecond: Math.round((report.entries / ms) * 1000),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      runId: report.undoRunId,
      maxEventLoopStallMs: stall(),
      steps: timer.steps,
    };
  } finally {
    await backend.close();
  }
}

/**
 * Seeds a legacy store in `dir` (200k entities ≈ 1M records by default), migrates it, then undoes the run.
 * For a caller that has no seeded store of its own.
 */
export async function benchMigrationSuite(dir: string, options: { entities?: number; seed?: number } = {}): Promise<{
  migrate: MigrationBenchResult;
  undo: MigrationBenchResult;
}> {
  const dbPath = join(dir, 'migration-bench.db');
  const backend = openBackend({ dbPath });
  try {
    await seedStore(backend.bulkLoad, { entities: options.entities ?? 200_000, legacy: true, seed: options.seed ?? 1, now: Date.UTC(2026, 10, 1), replace: true });
  } finally {
    await backend.close();
  }
  const migrate = await benchMigrate(dbPath);
  const undo = await benchUndo(dbPath, migrate.runId!);
  return { migrate, undo };
}
