/**
 * The whole-process phase of `npm run bench`: the checks as a user runs them. `ontology-ops check --json`,
 * `ontology-ops metrics --json` (the compiled `bin/`, so `npm run build` first) and a group-scoped
 * `check --group` run on the 1M-record store as child processes, each timed from spawn to exit (process start
 * included), next to the plain-SQL formulation of the same counts (`sql-baseline-process.mjs`) run the same way.
 * Each child's peak RSS is read by a preloaded module (`peak-rss.mjs`). The issue totals and the metrics' counts
 * must equal the SQL formulation's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BASELINE_QUERIES, type BaselineCounts } from './sql-baseline.ts';
import type { PhaseMeasurement } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ontology-ops.js');
const PEAK_RSS = join(import.meta.dirname, 'peak-rss.mjs');
const SQL_PROCESS = join(import.meta.dirname, 'sql-baseline-process.mjs');

/** Target: whole-process check and metrics take at most this share of the SQL formulation's time. */
export const WHOLE_PROCESS_MAX_RATIO = 0.3;
/** Target for a group-scoped check as a whole process. */
export const GROUP_CHECK_MAX_MS = 1_000;

/** One timed child process. */
interface ChildRun {
  ms: number;
  peakRssMb: number;
  stdout: string;
}

/** Runs `node [args]` to its end; wall time from spawn to exit, peak RSS as the child reports it. */
async function timeChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'ontology-ops-rss-'));
  const rssFile = join(dir, 'rss');
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PEAK_RSS, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, BENCH_PEAK_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    const ms = performance.now() - started;
    if (code !== 0) throw new Error(`${args.join(' ')} exited with code ${code}`);
    const peakRssMb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : Number.NaN;
    return { ms, peakRssMb, stdout: Buffer.concat(chunks).toString('utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fastest of `runs` runs (the machine is shared: the fastest is the least disturbed), with its peak RSS. */
async function fastestOf(runs: number, run: () => Promise<ChildRun>): Promise<ChildRun> {
  const results: ChildRun[] = [];
  for (let attempt = 0; attempt < Math.max(1, runs); attempt++) results.push(await run());
  const fastest = results.reduce((best, result) => (result.ms < best.ms ? result : best));
  return { ...fastest, peakRssMb: Math.max(...results.map((result) => result.peakRssMb)) };
}

function firstGroupId(dbPath: string): string {
  const database = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const id = database.prepare('SELECT id FROM groups ORDER BY id LIMIT 1').pluck().get() as string | undefined;
    if (id === undefined) throw new Error(`${dbPath} has no group to check`);
    return id;
  } finally {
    database.close();
  }
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

/**
 * Runs the phase on `dbPath` as of `now`: each command `runs` times (`BENCH_WHOLE_RUNS`, default 1), the fastest
 * counted. `wallMs` is the full check's; the details hold every time, ratio and the load average.
 */
export async function benchWholeProcess(dbPath: string, now: number, runs: number): Promise<PhaseMeasurement> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('The whole-process phase runs the compiled CLI: run `npm run build` first.');
  const nowIso = new Date(now).toISOString();
  const cli = (...command: string[]) => [BIN, '--db', dbPath, '--now', nowIso, '--json', ...command];
  const loadBefore = loadavg()[0]!;
  const sql = await fastestOf(runs, () => timeChild([SQL_PROCESS, dbPath], { BENCH_SQL_QUERIES: JSON.stringify(BASELINE_QUERIES) }));
  const check = await fastestOf(runs, () => timeChild(cli('check')));
  const metrics = await fastestOf(runs, () => timeChild(cli('metrics')));
  const group = await fastestOf(runs, () => timeChild(cli('check', '--group', firstGroupId(dbPath))));
  const loadAfter = loadavg()[0]!;

  const counts = JSON.parse(sql.stdout) as BaselineCounts;
  const report = JSON.parse(check.stdout) as { summary: { totalIssues: number }; details: Record<string, number> };
  const metricReport = JSON.parse(metrics.stdout) as Record<string, number>;
  const baselineTotal = Object.values(counts).reduce((sum, count) => sum + count, 0);
  // Each pair must agree: the engine's figure and the SQL formulation's.
  const agreements: [string, number, number][] = [
    ['check totalIssues', report.summary.totalIssues, baselineTotal],
    ['check orphaned connections', report.details.orphanedConnections!, counts.orphanedConnections],
    ['check orphaned knowledge', report.details.orphanedKnowledge!, counts.orphanedKnowledge],
    ['check cross-group', report.details.crossGroupReferences!, counts.crossGroupConnections + counts.crossGroupEvents],
    ['check missing groupIds', report.details.missingGroupIds!, counts.missingGroupIds],
    ['check invalid metadata', report.details.invalidMetadata!, counts.invalidMetadata],
    ['check malformed properties', report.details.malformedProperties!, counts.malformedProperties],
    ['metrics orphanedEntityCount', metricReport.orphanedEntityCount!, counts.orphanedConnections + counts.orphanedKnowledge],
    ['metrics crossGroupViolations', metricReport.crossGroupViolations!, counts.crossGroupConnections + counts.crossGroupEvents],
    ['metrics missingGroupIds', metricReport.missingGroupIds!, counts.missingGroupIds],
    ['metrics malformedPropertiesCount', metricReport.malformedPropertiesCount!, counts.malformedProperties],
    ['metrics invalidMetadataCount', metricReport.invalidMetadataCount!, counts.invalidMetadata],
  ];
  const mismatches = agreements.filter(([, engine, baseline]) => engine !== baseline).map(([name, engine, baseline]) => `${name} ${engine} ≠ ${baseline}`);
  return {
    name: 'whole-process',
    records: 1_000_000,
    wallMs: check.ms,
    recordsPerSecond: 1_000_000 / (check.ms / 1000),
    peakRssMb: Math.max(check.peakRssMb, metrics.peakRssMb, group.peakRssMb),
    // The phase's own event loop only waits for children.
    longestStallMs: 0,
    details: {
      sqlBaselineMs: round(sql.ms),
      checkMs: round(check.ms),
      metricsMs: round(metrics.ms),
      groupCheckMs: round(group.ms),
      checkRatio: round(check.ms / sql.ms, 3),
      metricsRatio: round(metrics.ms / sql.ms, 3),
      checkRssMb: round(check.peakRssMb),
      metricsRssMb: round(metrics.peakRssMb),
      groupCheckRssMb: round(group.peakRssMb),
      sqlBaselineRssMb: round(sql.peakRssMb),
      totalIssues: report.summary.totalIssues,
      baselineTotal,
      mismatches: mismatches.length === 0 ? 'none' : mismatches.join('; '),
      runs,
      loadAverage: `${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
    },
  };
}
