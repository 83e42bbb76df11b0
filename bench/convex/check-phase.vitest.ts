// @vitest-environment edge-runtime
/**
 * The Convex phase of `npm run bench`: seeds the deterministic data set into a convex-test deployment (Convex's
 * transaction limits enforced), runs a full check through the Convex adapter (`ConvexCheckPort` over
 * `ConvexHttpClient` requests to the harness) and writes one `PhaseMeasurement` as JSON to `BENCH_CONVEX_OUT`.
 *
 * Run by `bench/run.ts` as `vitest run --config bench/vitest.convex.config.ts` (convex-test needs vite for
 * `import.meta.glob`). `BENCH_CONVEX_ENTITIES` sets the size (records = 5 × entities; default 40,000 = 200k records, about 80 s and 1.2 GB here).
 *
 * What one call read is measured by convex-test's own per-transaction metrics tracker (the one that enforces the
 * limits): its figures are read just before each top-level transaction ends. Those are the documents read and
 * the index ranges (`db.get`/`db.query` calls) convex-test counts, not Convex's production accounting.
 *
 * The projection to 1M records scales each table's page calls and takes the critical path of the tables scanned
 * side by side with the concurrency the check used (`PROJECTION_FORMULA`, also printed). convex-test runs one
 * function at a time, so the wall time here is the sum of the calls, not the projection's.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';
import { TransactionMetricsTracker } from 'convex-test/dist/transactionMetrics.js';
import { it } from 'vitest';
import { getFunctionName, type FunctionReference } from 'convex/server';
import { SCAN_TABLES, scanTablesOf, type ScanTable } from '../../src/quality/port.ts';
import { createQualityService } from '../../src/quality/service.ts';
import { convexParts } from '../../test/convex/parts.ts';
import { seedConvex } from '../../test/convex/seed.ts';
import type { PhaseMeasurement } from '../measure.ts';

/** Convex's per-transaction read limits (convex-test enforces the same). */
const LIMITS = { documents: 32_000, indexRanges: 4_096, bytes: 16 * 1024 * 1024 };
/** The record count the projection is for, and the latency assumed per call. */
const PROJECTED_RECORDS = 1_000_000;
const MS_PER_CALL = 50;

const NOW = Date.UTC(2026, 10, 1);
const ENTITIES = Number(process.env.BENCH_CONVEX_ENTITIES ?? 40_000);
const OUT = process.env.BENCH_CONVEX_OUT;

/** The largest reads of any one top-level transaction while `recording` is on. */
const largest = { documents: 0, indexRanges: 0, bytes: 0 };
let transactions = 0;
let recording = false;

type TrackerInternals = {
  _layers: unknown[];
  getTransactionMetrics(): { documentsRead: { used: number }; databaseQueries: { used: number }; bytesRead: { used: number } };
};

function observe(tracker: TrackerInternals): void {
  // Only the outermost layer is one function call; nested layers fold into it.
  if (!recording || tracker._layers.length !== 1) return;
  const metrics = tracker.getTransactionMetrics();
  transactions++;
  largest.documents = Math.max(largest.documents, metrics.documentsRead.used);
  largest.indexRanges = Math.max(largest.indexRanges, metrics.databaseQueries.used);
  largest.bytes = Math.max(largest.bytes, metrics.bytesRead.used);
}

const prototype = TransactionMetricsTracker.prototype as unknown as { commit(): void; rollback(): void };
for (const method of ['commit', 'rollback'] as const) {
  const original = prototype[method];
  prototype[method] = function (this: TrackerInternals) {
    observe(this);
    original.call(this);
  };
}

/** The arguments of `checks:scanPage` the projection needs: which table a page is of. */
interface ScanPageArgs {
  scope: { tables?: ScanTable[] };
  cursor: string | null;
}

/** Page calls of each table while `recording` is on. */
const callsPerTable: Partial<Record<ScanTable, number>> = {};

/** The table a `checks:scanPage` call pages: the one its cursor names, else the first of its scope. */
function tableOfPage(args: ScanPageArgs): ScanTable {
  if (args.cursor !== null) return (JSON.parse(args.cursor) as { table: ScanTable }).table;
  return scanTablesOf(args.scope)[0]!;
}

const PROJECTION_FORMULA =
  'seconds = 50 ms × (critical path + other calls); critical path = the page calls of the busiest of c workers, each taking ' +
  'the next table in order when free (c = tables scanned at once; c ≥ tables: the largest table\'s calls; c = 1: their sum); ' +
  'per table, calls_t(1M) = ceil(calls_t × 1M / records); other calls (not pages: the migration flag) as measured, one after another';

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * The page calls on the longest chain when `workers` table scans run side by side: each worker takes the next
 * table (in scan order) when it is free, as `scanAll` does, and a table's pages follow one another.
 */
function criticalPathCalls(callsPerTable: readonly number[], workers: number): number {
  const busyUntil = Array.from({ length: Math.max(1, workers) }, () => 0);
  for (const calls of callsPerTable) {
    const free = busyUntil.indexOf(Math.min(...busyUntil));
    busyUntil[free]! += calls;
  }
  return Math.max(...busyUntil);
}

function percent(used: number, limit: number): number {
  return Math.round((used / limit) * 1000) / 10;
}

it(`Convex full check on the seeded data set (${ENTITIES} entities)`, async () => {
  if (!Number.isSafeInteger(ENTITIES) || ENTITIES < 20) throw new Error(`BENCH_CONVEX_ENTITIES must be a whole number ≥ 20, got ${process.env.BENCH_CONVEX_ENTITIES}.`);
  const parts = convexParts();
  // Queries in flight at once: the concurrency the check actually reaches through the adapter (the harness's
  // fetch looks `t.query` up on each request, so this wrapper sees every function call).
  let inFlight = 0;
  let maxInFlight = 0;
  const t = parts.harness.t;
  const query = t.query.bind(t) as (...args: unknown[]) => Promise<unknown>;
  t.query = (async (...args: unknown[]) => {
    if (recording && getFunctionName(args[0] as FunctionReference<'query'>) === 'checks:scanPage') {
      const table = tableOfPage(args[1] as ScanPageArgs);
      callsPerTable[table] = (callsPerTable[table] ?? 0) + 1;
    }
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      return await query(...args);
    } finally {
      inFlight--;
    }
  }) as typeof t.query;
  const seedStarted = performance.now();
  const seed = await seedConvex(parts.harness, { entities: ENTITIES, now: NOW });
  const seedMs = Math.round(performance.now() - seedStarted);

  const service = createQualityService({ checks: parts.checks, documents: parts.documents });
  const before = parts.harness.requests.length;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  recording = true;
  const started = performance.now();
  const report = await service.check({ now: NOW });
  const wallMs = performance.now() - started;
  recording = false;
  histogram.disable();

  const requests = parts.harness.requests.slice(before);
  const calls = requests.length;
  const records = seed.summary.records;
  const projectedCalls = Math.ceil((calls / records) * PROJECTED_RECORDS);
  const concurrency = Math.max(1, maxInFlight);
  // The data set keeps its shape at any size, so each table's page calls scale with the record count.
  const projectedPerTable = SCAN_TABLES.map((table) => Math.ceil(((callsPerTable[table] ?? 0) / records) * PROJECTED_RECORDS));
  // Calls other than scan pages (the migration flag) do not grow with the data: counted as they are.
  const otherCalls = calls - sum(SCAN_TABLES.map((table) => callsPerTable[table] ?? 0));
  const criticalPath = criticalPathCalls(projectedPerTable, Math.min(parts.checks.tableConcurrency ?? 1, concurrency));
  const measurement: PhaseMeasurement = {
    name: 'convex-check-full',
    records,
    wallMs,
    recordsPerSecond: records / (wallMs / 1000),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    longestStallMs: Math.max(0, histogram.max / 1e6 - 10),
    details: {
      seedMs,
      calls,
      failedCalls: requests.filter((request) => !request.ok).length,
      scanPageCalls: requests.filter((request) => request.path === 'checks:scanPage').length,
      transactions,
      concurrency,
      maxDocumentsReadPerCall: largest.documents,
      maxDocumentsReadPct: percent(largest.documents, LIMITS.documents),
      maxIndexRangesPerCall: largest.indexRanges,
      maxIndexRangesPct: percent(largest.indexRanges, LIMITS.indexRanges),
      maxBytesReadPerCall: largest.bytes,
      maxBytesReadPct: percent(largest.bytes, LIMITS.bytes),
      projectedRecords: PROJECTED_RECORDS,
      projectedCalls,
      scanPageCallsPerTable: SCAN_TABLES.map((table) => `${table} ${callsPerTable[table] ?? 0}`).join(', '),
      projectedScanPageCallsPerTable: SCAN_TABLES.map((table, index) => `${table} ${projectedPerTable[index]}`).join(', '),
      projectedCriticalPathCalls: criticalPath,
      projectedSeconds: Math.round(((criticalPath + otherCalls) * MS_PER_CALL) / 1000),
      projectionFormula: PROJECTION_FORMULA,
      totalIssues: report.summary.totalIssues,
      status: report.status,
    },
  };
  if (OUT) writeFileSync(OUT, JSON.stringify(measurement));
  else console.log(JSON.stringify(measurement));
}, 30 * 60_000);
