/**
 * Slack ack latency under load, for `npm run bench`: the real Bolt app (`createSlackApp`, HTTP mode) runs in this
 * process over the bench store while a long operation runs in the same process (a full check, or the migration
 * as it runs once approved); meanwhile waves of 20 concurrent `/ontology help` slash commands, signed exactly as
 * Slack signs them, are sent over HTTP and the time to each acknowledgement is recorded. Reports p50/p99.
 *
 * The client runs in a child process (`slack-ack-client.cjs`), as Slack is outside the bot's process: a stall of
 * this process's event loop shows in the latencies only through the server's answers, and the client's memory is
 * not counted in this phase's peak RSS. The same process serves the local Slack Web API (`auth.test`, the
 * `response_url` answers), so the app's own calls never leave 127.0.0.1.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openBackend, type Backend } from '../src/backend.ts';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_BATCH_SIZE } from '../src/migration/service.ts';
import { createSlackApp } from '../src/slack/app.ts';
import { measure, type PhaseMeasurement, type PhaseOutcome } from './measure.ts';

/** Slash commands sent at once in each wave. */
export const ACK_CONCURRENCY = 20;
/** Pause between two waves. */
const WAVE_PAUSE_MS = 100;
const SIGNING_SECRET = 'b3nch5ecret0123456789abcdef012345';

/** What runs while the commands are sent: nothing for `IDLE_MS` (the baseline), a full check, or the migration. */
export type AckLoad = 'idle' | 'check-full' | 'migrate';
/** How long the baseline sends commands with nothing else running. */
const IDLE_MS = 3_000;

/** Ack latencies of one run. */
export interface AckLatencies {
  samples: number;
  waves: number;
  /** Requests not answered 200 (e.g. refused signatures): must be 0. */
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The `q` quantile (nearest rank) of ascending `sorted`. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}


/** Starts the client process (`slack-ack-client.cjs`); resolves once its local Slack listens. */
async function startClient(): Promise<{ worker: ChildProcess; apiPort: number }> {
  const worker = fork(fileURLToPath(new URL('./slack-ack-client.cjs', import.meta.url)), [], {
    env: { ...process.env, BENCH_ACK_CLIENT: JSON.stringify({ concurrency: ACK_CONCURRENCY, pauseMs: WAVE_PAUSE_MS, secret: SIGNING_SECRET }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const apiPort = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The ack client exited (code ${code}) before listening.`)));
    worker.once('message', (message) => resolve((message as { port: number }).port));
  });
  return { worker, apiPort };
}

/**
 * Sends a few unmeasured waves first: the first requests of a fresh process load and compile Bolt's code paths
 * and verify the token, which a bot that has been up for a while did long ago.
 */
async function warmUp(worker: ChildProcess, url: string, waves: number): Promise<void> {
  const warm = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    const onMessage = (message: unknown) => {
      if ((message as { type: string }).type !== 'warm') return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
  });
  worker.send({ type: 'warm-up', url, waves });
  await warm;
}

/** Sends waves of slash commands to the app at `url` while `work` runs; returns the latencies and the work's result. */
async function whileSending<T>(worker: ChildProcess, url: string, work: () => Promise<T>): Promise<{ latencies: AckLatencies; result: T }> {
  const done = new Promise<{ samples: number[]; failures: number; waves: number }>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message) => {
      const answer = message as { type: string; samples: number[]; failures: number; waves: number };
      if (answer.type === 'done') resolve(answer);
    });
  });
  worker.send({ type: 'start', url });
  let result: T;
  try {
    result = await work();
  } finally {
    worker.send({ type: 'stop' });
  }
  const { samples, failures, waves } = await done;
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    latencies: { samples: sorted.length, waves, failures, p50Ms: round(quantile(sorted, 0.5)), p99Ms: round(quantile(sorted, 0.99)), maxMs: round(sorted.at(-1) ?? Number.NaN) },
    result,
  };
}

/** Copies a closed SQLite store (with its WAL, if any) so a phase can change the copy. */
function copyStore(from: string, to: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    rmSync(`${to}${suffix}`, { force: true });
    if (existsSync(`${from}${suffix}`)) copyFileSync(`${from}${suffix}`, `${to}${suffix}`);
  }
}

/** Options of one ack-latency phase. */
export interface AckBenchOptions {
  /** `idle`, `check-full`: the store (read only; checked by `check-full`). `migrate`: a legacy store, copied to `workPath` and migrated there. */
  dbPath: string;
  load: AckLoad;
  now: number;
  /** Where the migrated copy goes (removed afterwards); `migrate` only. */
  workPath?: string;
  backupDir?: string;
}

/** Runs one phase: the app and the load in this process, commands from the worker; measures the load. */
export async function benchSlackAck(options: AckBenchOptions): Promise<PhaseMeasurement> {
  const { worker, apiPort } = await startClient();
  const migrating = options.load === 'migrate';
  if (migrating) copyStore(options.dbPath, options.workPath!);
  let backend: Backend | null = null;
  try {
    backend = migrating
      ? openBackend({ dbPath: options.workPath!, mustExist: true })
      : openBackend({ dbPath: options.dbPath, mustExist: true, useWorker: true });
    await backend.warmUp();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-bench-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      ALERT_CHANNEL_CRITICAL: 'C0BENCH',
      SLACK_API_URL: `http://127.0.0.1:${apiPort}/api/`,
    });
    const app = createSlackApp({ backend, config, now: Date.now, log: (line) => process.stderr.write(`${line}\n`) }, { port: 0, host: '127.0.0.1' });
    const { port } = await app.start();
    const url = `http://127.0.0.1:${port}/slack/events`;
    await warmUp(worker, url, 5);
    const open = backend;
    try {
      let latencies: AckLatencies | null = null;
      const measured = await measure(`slack-ack-${options.load}`, async () => {
        const sent = await whileSending(worker, url, async (): Promise<PhaseOutcome> => {
          if (options.load === 'idle') {
            await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
            return { records: 0 };
          }
          if (!migrating) {
            const report = await open.quality.check({ now: options.now });
            return { records: await recordsOf(open), details: { totalIssues: report.summary.totalIssues } };
          }
          const report = await open.migration({ backupDir: options.backupDir }).run({ actor: 'bench', batchSize: DEFAULT_BATCH_SIZE });
          const changed = Object.values(report.changed).reduce((sum, count) => sum + count, 0);
          return { records: await recordsOf(open), details: { changed, batchSize: DEFAULT_BATCH_SIZE } };
        });
        latencies = sent.latencies;
        return sent.result;
      });
      return { ...measured, details: { ...measured.details, ...latencies! } };
    } finally {
      // Lets the last answers through response_url go out before the app stops.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await app.stop();
    }
  } finally {
    await backend?.close();
    worker.kill();
    if (migrating) for (const suffix of ['', '-wal', '-shm']) rmSync(`${options.workPath!}${suffix}`, { force: true });
  }
}

async function recordsOf(backend: Backend): Promise<number> {
  let records = 0;
  for (const table of ['entities', 'connections', 'events', 'knowledge'] as const) records += await backend.documents.count(table);
  return records;
}
