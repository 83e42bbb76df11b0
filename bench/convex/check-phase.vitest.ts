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
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';
import { TransactionMetricsTracker } from 'convex-test/dist/transactionMetrics.js';
import { it } from 'vitest';
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
      projectedSeconds: Math.round((projectedCalls * MS_PER_CALL) / concurrency / 1000),
      totalIssues: report.summary.totalIssues,
      status: report.status,
    },
  };
  if (OUT) writeFileSync(OUT, JSON.stringify(measurement));
  else console.log(JSON.stringify(measurement));
}, 30 * 60_000);
