import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LEADER_LEASE } from '../../monitors/scheduler.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { sqliteMonitorStores } from '../../src/store/sqlite/monitor-stores.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers/temp-store.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A local Slack Web API whose `chat.*` calls never answer (`auth.test` says who the bot is). `firstPost` resolves
 * when the first message arrives.
 */
async function hungSlack(): Promise<{ url: string; firstPost: Promise<void> }> {
  const open: ServerResponse[] = [];
  let arrived!: () => void;
  const firstPost = new Promise<void>((resolve) => (arrived = resolve));
  const server = createServer((request, response) => {
    if (request.url?.endsWith('/auth.test')) {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ ok: true, user: 'ontology-bot', team: 'Acme' }));
      return;
    }
    open.push(response);
    arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, firstPost };
}

/** Spawns `args` (an entry point) and waits for it to end on its own; says how and how fast. */
async function runToEnd(args: string[], env: NodeJS.ProcessEnv) {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  return { code, out, tookMs: Date.now() - started };
}

/** Spawns `args` (an entry point), sends SIGINT once Slack has the first message, and says how it ended and how fast. */
async function interruptWhileSlackHangs(args: string[], env: NodeJS.ProcessEnv, firstPost: Promise<void>) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await Promise.race([firstPost, exited]);
  const interruptedAt = Date.now();
  child.kill('SIGINT');
  const ended = await exited;
  return { ...ended, out, stopMs: Date.now() - interruptedAt };
}

async function outboxAndRuns(db: string) {
  const store = SqliteStore.open(db);
  try {
    const stores = sqliteMonitorStores(store);
    return { outbox: await stores.outbox.outboxCounts(), runs: await stores.jobRuns.recentJobRuns({ limit: 100 }), leader: await store.getLease(LEADER_LEASE) };
  } finally {
    store.close();
  }
}

async function seeded(): Promise<string> {
  const db = join(tempDir(), 'ontology.db');
  const store = SqliteStore.open(db);
  await seedStore(store, { entities: 60, seed: 5, now: Date.parse('2026-11-27T02:00:00Z') });
  store.close();
  return db;
}

describe('a Slack that never answers does not hold a job', () => {
  it('monitor run daily records its run and ends within a few SLACK_TIMEOUTs; exit 75 says the messages wait in the outbox', async () => {
    const slack = await hungSlack();
    const db = await seeded();
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', ALERT_CHANNEL_CRITICAL: 'C_CRIT', SLACK_API_URL: slack.url, SLACK_TIMEOUT: '1s' };
    const result = await runToEnd(['src/cli.ts', '--db', db, '--now', '2026-11-27T02:00:00Z', 'monitor', 'run', 'daily'], env);
    expect(result.tookMs).toBeLessThan(15_000);
    expect(result.out).toMatch(/outbox: row 1 \(post to C_CRIT\) will be retried in \d+ ms \(timed_out\): chat\.postMessage: Slack did not answer within 1000 ms/);
    // Not 0: the alerts did not reach anyone.
    expect(result.code).toBe(75);
    const after = await outboxAndRuns(db);
    expect(after.outbox).toMatchObject({ sent: 0, failed: 0 });
    expect(after.outbox.pending).toBeGreaterThan(0);
    expect(result.out).toContain(
      `ontology-ops: monitor daily succeeded, but ${after.outbox.pending} message(s) wait in the outbox (Slack did not take them yet): \`ontology-ops monitor flush\` sends them once Slack answers again.`,
    );
    expect(after.runs.map((run) => [run.job, run.outcome])).toEqual([['daily', 'succeeded']]);
  });

  it('with a minute-long SLACK_TIMEOUT, monitor run daily still ends within a minute (the default delivery bound), exit 75', async () => {
    const slack = await hungSlack();
    const db = await seeded();
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', ALERT_CHANNEL_CRITICAL: 'C_CRIT', SLACK_API_URL: slack.url, SLACK_TIMEOUT: '1m' };
    const result = await runToEnd(['src/cli.ts', '--db', db, '--now', '2026-11-27T02:00:00Z', 'monitor', 'run', 'daily'], env);
    expect(result.tookMs).toBeLessThan(60_000);
    expect(result.code).toBe(75);
    expect(result.out).toMatch(/message\(s\) wait in the outbox \(Slack did not take them within the 45s of --delivery-timeout\): `ontology-ops monitor flush` sends them/);
    const after = await outboxAndRuns(db);
    expect(after.outbox).toMatchObject({ sent: 0, failed: 0 });
    expect(after.outbox.pending).toBeGreaterThan(0);
  }, 90_000);
});

describe('one SIGINT stops within seconds while Slack never answers, and the messages stay in the outbox', () => {
  it('monitor run daily', async () => {
    const slack = await hungSlack();
    const db = await seeded();
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', ALERT_CHANNEL_CRITICAL: 'C_CRIT', SLACK_API_URL: slack.url, SLACK_TIMEOUT: '1m' };
    const result = await interruptWhileSlackHangs(['src/cli.ts', '--db', db, '--now', '2026-11-27T02:00:00Z', 'monitor', 'run', 'daily'], env, slack.firstPost);

    expect(result.stopMs).toBeLessThan(5_000);
    expect(result.out).toContain('SIGINT: stopping; the run is recorded and undelivered messages stay in the outbox');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/monitor daily was stopped before its messages reached Slack: \d+ message\(s\) wait in the outbox/);
    const after = await outboxAndRuns(db);
    expect(after.outbox.sent).toBe(0);
    expect(after.outbox.failed).toBe(0);
    expect(after.outbox.pending).toBeGreaterThan(0);
    expect(after.runs.map((run) => [run.job, run.outcome])).toEqual([['daily', 'succeeded']]);
  });

  it('npm start (src/main.ts)', async () => {
    const slack = await hungSlack();
    const db = join(tempDir(), 'ontology.db');
    const env = {
      ONTOLOGY_DB: db,
      MONITOR_INSTANCE_ID: 'hung-slack-test',
      SLACK_BOT_TOKEN: 'xoxb-test',
      ALERT_CHANNEL_CRITICAL: 'C_CRIT',
      SLACK_API_URL: slack.url,
      SLACK_TIMEOUT: '1m',
    };
    const result = await interruptWhileSlackHangs(['src/main.ts'], env, slack.firstPost);

    expect(result.out).toContain('Slack: posting as ontology-bot in Acme.');
    expect(result.stopMs).toBeLessThan(5_000);
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
    expect(result.out).toContain('Stopped.');
    const after = await outboxAndRuns(db);
    expect(after.outbox).toMatchObject({ sent: 0, failed: 0 });
    expect(after.outbox.pending).toBeGreaterThan(0);
    expect(after.runs.filter((run) => run.outcome === 'running')).toEqual([]);
    expect(after.leader).toBeNull();
  });
});
