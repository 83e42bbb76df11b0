import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LEADER_LEASE } from '../monitors/scheduler.ts';
import { SqliteJobRunStore } from '../src/store/sqlite/sqlite-job-run-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { tempDir } from './helpers/temp-store.ts';

const ROOT = join(import.meta.dirname, '..');

/** Runs `npm start`'s entry point, sends `signal` once stdout shows `when`, and resolves with how it ended. */
function startAndSignal(
  db: string,
  when: string,
  signal: NodeJS.Signals,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: string | null; out: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ONTOLOGY_DB: db, MONITOR_INSTANCE_ID: 'main-test', PORT: '0', ...extraEnv };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let sent = false;
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
    if (!sent && out.includes(when)) {
      sent = true;
      child.kill(signal);
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) => child.on('exit', (code, ended) => resolve({ code, signal: ended, out })));
}

describe('npm start (src/main.ts)', () => {
  it.each<[string, NodeJS.Signals, string]>([
    ['monitor hourly: catching up', 'SIGINT', 'Ctrl-C while the start-up catch-up runs a job'],
    ['Created a demo store', 'SIGTERM', 'a stop request before the monitors have started'],
  ])('stops cleanly on a signal after "%s" (%s: %s)', async (when, signal, _reason) => {
    const db = join(tempDir(), 'ontology.db');
    const result = await startAndSignal(db, when, signal);
    expect(result.out).toContain(when);
    expect({ code: result.code, signal: result.signal }).toEqual({ code: 0, signal: null });
    expect(result.out).toContain('Stopped.');

    // Nothing left behind: no run stuck "running", the leader lease given up.
    const store = SqliteStore.open(db);
    try {
      const runs = await new SqliteJobRunStore(store).recentJobRuns({ limit: 100 });
      expect(runs.filter((run) => run.outcome === 'running')).toEqual([]);
      expect(await store.getLease(LEADER_LEASE)).toBeNull();
    } finally {
      store.close();
    }
  });
});

describe('npm start with a Slack token', () => {
  /** A local stand-in for the Slack Web API answering `auth.test` with `answer`; every other call fails. */
  async function slackApi(answer: Record<string, unknown>): Promise<string> {
    const server = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(request.url?.endsWith('/auth.test') ? answer : { ok: false, error: 'not_in_this_test' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  }

  it.each<[Record<string, unknown>, number, string, string]>([
    [{ ok: false, error: 'invalid_auth' }, 1, 'ontology-ops: Slack rejected SLACK_BOT_TOKEN (auth.test: Slack answered invalid_auth): set a valid bot token, or unset it to print alerts on the console.', 'a rejected token would lose every alert: refuse to start'],
    [{ ok: true, user: 'ontology-bot', team: 'Acme' }, 0, 'Slack: posting as ontology-bot in Acme.', 'say where alerts go, then run'],
  ])('auth.test answering %o exits %d: %s (%s)', async (answer, code, line, _reason) => {
    const api = await slackApi(answer);
    const db = join(tempDir(), 'ontology.db');
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', ALERT_CHANNEL_CRITICAL: 'C1', SLACK_API_URL: api, MONITOR_ENABLED: 'true' };
    const result = await startAndSignal(db, 'Slack: posting as', 'SIGTERM', env);
    expect(result.out.split('\n')).toContain(line);
    expect(result.code).toBe(code);
  });
});

describe('npm start without Slack credentials', () => {
  it('stops with one line naming PORT when the local workspace cannot listen, before printing any report', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as AddressInfo).port;
    const result = await startAndSignal(join(tempDir(), 'ontology.db'), 'never printed', 'SIGTERM', { PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.out.split('\n')).toContain(`ontology-ops: Port ${port} on 127.0.0.1 is in use: stop what listens there, or set PORT to another port.`);
    expect(result.out).not.toContain('Integrity check');
    expect(result.out).not.toContain('Unexpected error');
  });
});

describe('npm start over a file that is not an ontology-ops store', () => {
  it("refuses another application's database with one line and leaves it byte for byte as it was", async () => {
    const db = join(tempDir(), 'shop.db');
    const database = new Database(db);
    database.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);');
    database.close();
    const before = readFileSync(db);
    const result = await startAndSignal(db, 'never printed', 'SIGTERM');
    expect(result.code).toBe(1);
    expect(result.out.trim().split('\n')).toEqual([
      `ontology-ops: ${db} is not an ontology-ops store (it holds another application's tables: users); it was left unchanged: ` +
        'pass --db with a store made by `ontology-ops seed` or `ontology-ops import`, or a new path to create one.',
    ]);
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(existsSync(`${db}-wal`)).toBe(false);
  });
});
