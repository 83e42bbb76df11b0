/**
 * `npm run bench`: the 1M-record benchmark. Each phase runs in its own process (so peak RSS is that phase's),
 * in order, on files in a temporary folder (`BENCH_DIR` to choose it; removed afterwards unless `BENCH_KEEP=1`).
 * Prints one row per phase: records/s, wall time, peak RSS, longest event-loop stall, and the targets.
 * `BENCH_PHASES` (comma-separated phase names, e.g. `seed,check-full,whole-process` or `convex-large-documents`) runs
 * only those, in the usual order; later phases read the files earlier ones left in `BENCH_DIR`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { PhaseMeasurement } from './measure.ts';
import { GROUP_CHECK_MAX_MS, WHOLE_PROCESS_MAX_RATIO } from './whole-process.ts';

/** The targets each phase is checked against. */
const TARGETS: Record<string, { maxWallMs?: number; minRecordsPerSecond?: number; maxP99AckMs?: number }> = {
  'check-critical': { maxWallMs: 1_000 },
  // 20 concurrent slash commands acknowledged while the work runs in the same process.
  'slack-ack-check': { maxP99AckMs: 250 },
  'slack-ack-migrate': { maxP99AckMs: 250 },
  'check-full': { maxWallMs: 3_000 },
  import: { minRecordsPerSecond: 60_000 },
  migrate: { maxWallMs: 60_000 },
};
/** A full Convex check of 1M records in at most 1,500 calls, no call above 50% of any read limit. */
const CONVEX_MAX_PROJECTED_CALLS = 1_500;
const CONVEX_MAX_LIMIT_PCT = 50;
/** Entities of the Convex phase's data set (records = 5 × entities): `BENCH_CONVEX_ENTITIES`, default 40,000 (200k records). */
const CONVEX_ENTITIES = process.env.BENCH_CONVEX_ENTITIES ?? '40000';
const MAX_RSS_MB = 512;
const MAX_STALL_MS = 50;

const PHASES = [
  'seed',
  'export',
  'import',
  'check-critical',
  'check-full',
  // The baseline: the same commands with nothing else running (3 s).
  'slack-ack-idle',
  'slack-ack-check',
  'metrics-all-groups',
  'sql-baseline',
  // The checks as a user runs them: the compiled CLI as child processes, next to the SQL formulation as one.
  'whole-process',
  'seed-legacy',
  // Before 'migrate': it migrates a copy of the legacy store.
  'slack-ack-migrate',
  'migrate',
  'undo',
] as const;

function runPhase(phase: string, dir: string, now: number, runId?: string): PhaseMeasurement {
  const args = ['--import', 'tsx', join(import.meta.dirname, 'phase.ts'), phase, dir, String(now)];
  if (runId) args.push(runId);
  const output = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  const line = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as PhaseMeasurement;
}

/** The Convex phases and the vitest file of each (under `bench/convex/`). */
const CONVEX_PHASES = {
  'convex-check-full': 'check-phase.vitest.ts',
  'convex-large-documents': 'large-documents-phase.vitest.ts',
} as const;
type ConvexPhase = keyof typeof CONVEX_PHASES;

/** Every phase in the order they run. */
const ALL_PHASES = [...PHASES, ...(Object.keys(CONVEX_PHASES) as ConvexPhase[])];

/**
 * A Convex phase: a convex-test deployment needs vite (`import.meta.glob`), so it runs under vitest in its own
 * process (its file under `bench/convex/`) and hands its measurement back in a file.
 */
function runConvexPhase(phase: ConvexPhase, dir: string): PhaseMeasurement {
  const out = join(dir, `${phase}.json`);
  const vitest = join(import.meta.dirname, '..', 'node_modules', 'vitest', 'vitest.mjs');
  execFileSync(process.execPath, [vitest, 'run', '--config', join(import.meta.dirname, 'vitest.convex.config.ts'), join('bench', 'convex', CONVEX_PHASES[phase])], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, BENCH_CONVEX_ENTITIES: CONVEX_ENTITIES, BENCH_CONVEX_OUT: out },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return JSON.parse(readFileSync(out, 'utf8')) as PhaseMeasurement;
}

/** The phases `BENCH_PHASES` names (all when unset), refusing a name that is not a phase. */
function selectedPhases(): (typeof ALL_PHASES)[number][] {
  const wanted = process.env.BENCH_PHASES?.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (wanted === undefined || wanted.length === 0) return ALL_PHASES;
  const unknown = wanted.filter((name) => !(ALL_PHASES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_PHASES names no phase ${unknown.join(', ')}: use some of ${ALL_PHASES.join(', ')}.`);
  return ALL_PHASES.filter((phase) => wanted.includes(phase));
}

/** One function's largest share of each Convex limit, in percent (`convex-large-documents`'s `limitShares`). */
interface LimitShareRow {
  function: string;
  indexRanges: number;
  documentsRead: number;
  bytesRead: number;
  documentsWritten: number;
  bytesWritten: number;
}

function verdict(measurement: PhaseMeasurement): string {
  const target = TARGETS[measurement.name];
  const misses: string[] = [];
  if (target?.maxWallMs !== undefined && measurement.wallMs > target.maxWallMs) misses.push(`wall > ${target.maxWallMs} ms`);
  if (target?.minRecordsPerSecond !== undefined && measurement.recordsPerSecond < target.minRecordsPerSecond) {
    misses.push(`< ${target.minRecordsPerSecond} rec/s`);
  }
  if (target?.maxP99AckMs !== undefined) {
    const p99 = Number(measurement.details?.p99Ms);
    if (!(p99 <= target.maxP99AckMs)) misses.push(`ack p99 ${p99} ms > ${target.maxP99AckMs} ms`);
    if (Number(measurement.details?.failures) !== 0) misses.push(`${measurement.details?.failures} commands not acknowledged`);
  }
  if (measurement.name === 'convex-check-full') {
    const details = measurement.details ?? {};
    if (!(Number(details.projectedCalls) <= CONVEX_MAX_PROJECTED_CALLS)) misses.push(`${details.projectedCalls} calls for 1M > ${CONVEX_MAX_PROJECTED_CALLS}`);
    for (const key of ['maxDocumentsReadPct', 'maxIndexRangesPct', 'maxBytesReadPct']) {
      if (!(Number(details[key]) <= CONVEX_MAX_LIMIT_PCT)) misses.push(`${key} ${details[key]}% > ${CONVEX_MAX_LIMIT_PCT}%`);
    }
    if (Number(details.failedCalls) !== 0) misses.push(`${details.failedCalls} calls failed`);
    // convex-test holds the deployment in memory: the RSS and stall bounds are the bot's, not this harness's.
    return misses.length === 0 ? 'ok' : `MISSED: ${misses.join(', ')}`;
  }
  if (measurement.name === 'convex-large-documents') {
    const details = measurement.details ?? {};
    for (const row of JSON.parse(String(details.limitShares ?? '[]')) as LimitShareRow[]) {
      for (const [key, share] of Object.entries(row)) if (key !== 'function' && Number(share) > CONVEX_MAX_LIMIT_PCT) misses.push(`${row.function} ${key} ${share}% > ${CONVEX_MAX_LIMIT_PCT}%`);
    }
    if (Number(details.failedCalls) !== 0) misses.push(`${details.failedCalls} calls failed`);
    return misses.length === 0 ? 'ok' : `MISSED: ${misses.join(', ')}`;
  }
  if (measurement.name === 'whole-process') {
    const details = measurement.details ?? {};
    if (!(Number(details.checkRatio) <= WHOLE_PROCESS_MAX_RATIO)) misses.push(`check ratio ${details.checkRatio} > ${WHOLE_PROCESS_MAX_RATIO}`);
    if (!(Number(details.metricsRatio) <= WHOLE_PROCESS_MAX_RATIO)) misses.push(`metrics ratio ${details.metricsRatio} > ${WHOLE_PROCESS_MAX_RATIO}`);
    if (!(Number(details.groupCheckMs) <= GROUP_CHECK_MAX_MS)) misses.push(`group check ${details.groupCheckMs} ms > ${GROUP_CHECK_MAX_MS} ms`);
    if (details.mismatches !== 'none') misses.push(`MISMATCH: ${details.mismatches}`);
  }
  if (measurement.peakRssMb > MAX_RSS_MB) misses.push(`RSS > ${MAX_RSS_MB} MB`);
  if (['check-critical', 'check-full', 'metrics-all-groups', 'import'].includes(measurement.name) && measurement.longestStallMs > MAX_STALL_MS) {
    misses.push(`stall > ${MAX_STALL_MS} ms`);
  }
  return misses.length === 0 ? 'ok' : `MISSED: ${misses.join(', ')}`;
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}


const phases = selectedPhases();
const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'ontology-ops-bench-'));
mkdirSync(dir, { recursive: true });
const now = Date.UTC(2026, 10, 1);
process.stdout.write(
  `ontology-ops bench: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n` +
    `files in ${dir}\n\n` +
    `${'phase'.padEnd(20)}${pad('records', 10)}${pad('rec/s', 10)}${pad('wall ms', 10)}${pad('RSS MB', 8)}${pad('stall ms', 10)}${pad('load', 7)}  verdict\n`,
);
const results: PhaseMeasurement[] = [];
let runId: string | undefined;
try {
  for (const phase of phases) {
    const measurement = phase in CONVEX_PHASES ? runConvexPhase(phase as ConvexPhase, dir) : runPhase(phase, dir, now, runId);
    if (phase === 'migrate') runId = String(measurement.details?.runId ?? '');
    results.push(measurement);
    process.stdout.write(
      `${phase.padEnd(20)}${pad(measurement.records, 10)}${pad(Math.round(measurement.recordsPerSecond), 10)}` +
        `${pad(Math.round(measurement.wallMs), 10)}${pad(Math.round(measurement.peakRssMb), 8)}` +
        `${pad(Math.round(measurement.longestStallMs), 10)}${pad(loadavg()[0]!.toFixed(2), 7)}  ${verdict(measurement)}\n`,
    );
  }
  const full = results.find((result) => result.name === 'check-full');
  const baseline = results.find((result) => result.name === 'sql-baseline');
  if (full && baseline) {
    process.stdout.write(
      `\nfull check vs plain-SQL formulation on the same data: ${(baseline.wallMs / full.wallMs).toFixed(1)}× faster ` +
        `(${Math.round(full.wallMs)} ms vs ${Math.round(baseline.wallMs)} ms)\n`,
    );
    // Both formulations count every category; their totals must agree on the same data.
    const baselineTotal = Object.values(baseline.details ?? {}).reduce<number>((sum, count) => sum + Number(count), 0);
    const engineTotal = Number(full.details?.totalIssues);
    process.stdout.write(
      engineTotal === baselineTotal
        ? `issue totals agree: ${engineTotal}\n`
        : `MISMATCH: the engine counted ${engineTotal} issues, the SQL formulation ${baselineTotal}\n`,
    );
  }
  const whole = results.find((result) => result.name === 'whole-process');
  if (whole?.details) {
    const d = whole.details;
    const inProcess = full && baseline ? ` (in-process: ${(full.wallMs / baseline.wallMs).toFixed(2)})` : '';
    process.stdout.write(
      `\nwhole process, start included, vs the plain-SQL formulation as a process (${d.sqlBaselineMs} ms), load average ${d.loadAverage}:\n` +
        `  check --json          ${d.checkMs} ms, ratio ${d.checkRatio}${inProcess} (target ≤ ${WHOLE_PROCESS_MAX_RATIO}), peak RSS ${d.checkRssMb} MB\n` +
        `  metrics --json        ${d.metricsMs} ms, ratio ${d.metricsRatio} (target ≤ ${WHOLE_PROCESS_MAX_RATIO}), peak RSS ${d.metricsRssMb} MB\n` +
        `  check --group (one)   ${d.groupCheckMs} ms (target ≤ ${GROUP_CHECK_MAX_MS} ms), peak RSS ${d.groupCheckRssMb} MB\n` +
        `  issue totals and metric counts against the SQL formulation: ${d.mismatches === 'none' ? `agree (${d.totalIssues} issues)` : `MISMATCH: ${d.mismatches}`}\n`,
    );
  }
  const convex = results.find((result) => result.name === 'convex-check-full');
  if (convex?.details) {
    const d = convex.details;
    process.stdout.write(
      `Convex full check of ${convex.records} records: ${d.calls} calls; largest call read ${d.maxDocumentsReadPerCall} documents ` +
        `(${d.maxDocumentsReadPct}% of 32,000), ${d.maxIndexRangesPerCall} index ranges (${d.maxIndexRangesPct}% of 4,096), ` +
        `${d.maxBytesReadPerCall} bytes (${d.maxBytesReadPct}% of 16 MiB); projected to 1M records: ${d.projectedCalls} calls, ` +
        `${d.projectedSeconds} s at 50 ms per call with ${d.concurrency} in flight (pages per table ${d.projectedScanPageCallsPerTable}; ` +
        `critical path ${d.projectedCriticalPathCalls} calls)\n  projection: ${d.projectionFormula}\n`,
    );
  }
  const large = results.find((result) => result.name === 'convex-large-documents');
  if (large?.details) {
    const rows = JSON.parse(String(large.details.limitShares)) as LimitShareRow[];
    const columns = [
      ['index ranges', 'indexRanges'],
      ['documents read', 'documentsRead'],
      ['bytes read', 'bytesRead'],
      ['documents written', 'documentsWritten'],
      ['bytes written', 'bytesWritten'],
    ] as const;
    const width = Math.max(...rows.map((row) => row.function.length)) + 2;
    process.stdout.write(
      `\nConvex functions with documents of up to 1 MiB (${large.details.calls} calls): each function's largest share of each limit\n` +
        `${'function'.padEnd(width)}${columns.map(([title]) => pad(title, 19)).join('')}\n` +
        rows.map((row) => `${row.function.padEnd(width)}${columns.map(([, key]) => pad(`${row[key].toFixed(1)}%`, 19)).join('')}\n`).join(''),
    );
  }
  for (const result of results) {
    if (result.name === 'convex-large-documents') continue;
    if (result.details && Object.keys(result.details).length > 0) {
      process.stdout.write(`${result.name}: ${JSON.stringify(result.details)}\n`);
    }
  }
} finally {
  if (process.env.BENCH_KEEP !== '1' && !process.env.BENCH_DIR) rmSync(dir, { recursive: true, force: true });
}
