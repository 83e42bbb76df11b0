// @vitest-environment edge-runtime
/**
 * The `convex-large-documents` phase of `npm run bench`: the large-document scenarios of
 * `test/convex/large-documents.test.ts` (`test/convex/large-documents-scenario.ts`: an exact undo past 17 × 1 MB and
 * 1,001 × 15 KB events of the legacy-default group, and four 1 MB entities referenced by 2,000 connections and 1,500
 * events through check, migration, undo and archival) on convex-test deployments enforcing Convex's own limits,
 * every call metered. Writes one `PhaseMeasurement` as JSON to `BENCH_CONVEX_OUT`: per function, the largest share
 * of each limit any of its calls used (`limitShares`, percentages), and the largest of them all.
 *
 * Run by `bench/run.ts` as `vitest run --config bench/vitest.convex.config.ts bench/convex/large-documents-phase.vitest.ts`.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';
import { it } from 'vitest';
import type { CallUsage } from '../../test/convex/harness.ts';
import { CONVEX_LIMITS, convexSide, largeEntities, largestShares, legacyDefaultUndo } from '../../test/convex/large-documents-scenario.ts';
import type { PhaseMeasurement } from '../measure.ts';

const OUT = process.env.BENCH_CONVEX_OUT;
/** The connections referencing the four 1 MB entities, as in the test. */
const CONNECTIONS = 2_000;

/** One function's largest share of each limit, in percent with one decimal. */
interface LimitShareRow {
  function: string;
  indexRanges: number;
  documentsRead: number;
  bytesRead: number;
  documentsWritten: number;
  bytesWritten: number;
}

function percent(share: number): number {
  return Math.round(share * 1000) / 10;
}

it('Convex functions with documents of up to 1 MiB: each function’s largest share of each limit', async () => {
  const usage: CallUsage[] = [];
  let calls = 0;
  let failedCalls = 0;
  let records = 0;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const started = performance.now();
  const scenarios = [(side: ReturnType<typeof convexSide>) => legacyDefaultUndo(side, 0), (side: ReturnType<typeof convexSide>) => legacyDefaultUndo(side, 1), (side: ReturnType<typeof convexSide>) => largeEntities(side, CONNECTIONS)];
  for (const scenario of scenarios) {
    const side = convexSide(CONVEX_LIMITS);
    await scenario(side);
    usage.push(...side.harness!.usage);
    calls += side.harness!.requests.length;
    failedCalls += side.harness!.requests.filter((request) => !request.ok).length;
    records += side.names.size;
  }
  const wallMs = performance.now() - started;
  histogram.disable();
  const rows: LimitShareRow[] = [...largestShares(usage)].map(([path, row]) => ({
    function: path,
    indexRanges: percent(row.databaseQueries),
    documentsRead: percent(row.documentsRead),
    bytesRead: percent(row.bytesRead),
    documentsWritten: percent(row.documentsWritten),
    bytesWritten: percent(row.bytesWritten),
  }));
  const measurement: PhaseMeasurement = {
    name: 'convex-large-documents',
    records,
    wallMs,
    recordsPerSecond: records / (wallMs / 1000),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    longestStallMs: Math.max(0, histogram.max / 1e6 - 10),
    details: {
      calls,
      failedCalls,
      functions: rows.length,
      maxSharePct: Math.max(...rows.flatMap((row) => [row.indexRanges, row.documentsRead, row.bytesRead, row.documentsWritten, row.bytesWritten])),
      limitShares: JSON.stringify(rows),
    },
  };
  if (OUT) writeFileSync(OUT, JSON.stringify(measurement));
  else console.log(JSON.stringify(measurement));
}, 60 * 60_000);
