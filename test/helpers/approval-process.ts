/**
 * Real bot processes for the approval crash tests: `test/approvals/fixtures/approval-process.ts` run as a child
 * (`node --import tsx`) over a SQLite file, talking to the test's fake Slack Web API, optionally SIGKILLing itself
 * at a named step; and the restarted bot, a fresh service in this process over the same file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import type { ApprovalRequest } from '../../src/approvals/port.ts';
import type { ApprovalService } from '../../src/approvals/service.ts';
import { sqliteBackend, type Backend } from '../../src/backend.ts';
import { KILL_AT_ENV } from '../../src/migration/test-hooks.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { APPROVAL_T0, approvalService, RecordingMessenger, seededBackend } from './approvals.ts';
import { FakeClock } from './fake-clock.ts';
import { startFakeSlackApi, type FakeSlackApi } from './slack/fake-slack-api.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'approvals', 'fixtures', 'approval-process.ts');

/** How a child bot ended. */
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** What a child bot does (see the fixture's comment). */
export interface ChildArgs {
  db: string;
  backupDir: string;
  slackApiUrl: string;
  action: 'approve' | 'tick';
  requestId: string;
  planHash?: string;
  holder?: string;
  now?: number;
  /** Wait until every edit of the request message was delivered before exiting. */
  settle?: boolean;
  /** Crash points (`approval:claimed`, `batch:1`, …): the child SIGKILLs itself at the first one it reaches. */
  killAt?: string;
}

/** A running child bot: the process and how it ends. */
export interface ChildBot {
  process: ChildProcess;
  ended: Promise<ChildEnd>;
}

/** Starts a child bot; it is killed when the test finishes, should it still run. */
export function startChildBot(args: ChildArgs): ChildBot {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[KILL_AT_ENV];
  if (args.killAt) env[KILL_AT_ENV] = args.killAt;
  const json = JSON.stringify({ holder: 'a', now: APPROVAL_T0, ...args, killAt: undefined });
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, json], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<ChildEnd>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { process: child, ended };
}

/** Runs a child bot that must kill itself at `killAt`; fails the test with its output otherwise. */
export async function killedChild(args: ChildArgs & { killAt: string }): Promise<void> {
  const end = await startChildBot(args).ended;
  expect(end.signal, `expected SIGKILL at ${args.killAt}; exit ${end.code}\n${end.stderr}${end.stdout}`).toBe('SIGKILL');
}

/** How long the restarted bot waits: the dead process's migration lease (60 s) and outbox claims (2 min) expired. */
export const RESTART_AFTER_MS = 5 * 60_000;

/** The restarted bot: a new connection to the same file and a new service, ticking after `RESTART_AFTER_MS`. */
export async function restartedBot(path: string, clock: FakeClock, backupDir: string): Promise<{ backend: Backend; store: SqliteStore; service: ApprovalService; messenger: RecordingMessenger }> {
  const store = SqliteStore.open(path);
  onTestFinished(() => store.close());
  const backend = sqliteBackend(store, { useWorker: false });
  const messenger = new RecordingMessenger();
  clock.advance(RESTART_AFTER_MS);
  const { service } = approvalService(backend, { clock, backupDir, holderId: 'b', messenger });
  await service.tick();
  await service.idle();
  // A second tick finds nothing left to do.
  await service.tick();
  await service.idle();
  return { backend, store, service, messenger };
}

/**
 * Runs a child bot (waiting for its edits: `settle`) that dies inside a `chat.update` of the request message: the
 * fake Slack SIGKILLs it when the first edit whose blocks match `showing` arrives, and never answers that edit nor
 * any later one. Resolves with the blocks of the edits Slack answered before.
 */
export async function killedMidEdit(args: ChildArgs, slack: FakeSlackApi, showing: RegExp): Promise<string[]> {
  const answered: string[] = [];
  let dying = false;
  let bot: ChildBot | null = null;
  slack.answer('chat.update', (params) => {
    const blocks = typeof params.blocks === 'string' ? params.blocks : JSON.stringify(params.blocks);
    if (!dying && showing.test(blocks)) {
      dying = true;
      bot!.process.kill('SIGKILL');
    }
    if (dying) return new Promise(() => {});
    answered.push(blocks);
    return { body: { ok: true } };
  });
  bot = startChildBot({ ...args, settle: true });
  const end = await bot.ended;
  expect(end.signal, `expected SIGKILL in an edit showing ${showing}; exit ${end.code}\n${end.stderr}${end.stdout}`).toBe('SIGKILL');
  return answered;
}

/** The runs of one kind in the run registry. */
export async function runsOf(backend: Backend, kind: 'migrate' | 'undo' | 'restore') {
  return (await backend.migration().status({ limit: 50 })).runs.filter((run) => run.kind === kind);
}

/** Inserts `count` legacy entities (no groupId) through another connection, as a writer does while the bot is down. */
export async function addLegacyEntities(path: string, count: number): Promise<string[]> {
  const writer = SqliteStore.open(path);
  try {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      ids.push((await writer.insert('entities', { type: 'creator', name: `late ${n}`, properties: {}, createdAt: APPROVAL_T0, updatedAt: APPROVAL_T0 }))._id);
    }
    return ids;
  } finally {
    writer.close();
  }
}

/** The groupId an entity has now (null when it has none). */
export function groupIdOf(store: SqliteStore, id: string): unknown {
  return store.database.prepare("SELECT json_extract(doc, '$.groupId') FROM entities WHERE id = ?").pluck().get(id) ?? null;
}

/** The request's state and the run registry as a killed process left them (read through a connection closed after). */
export async function leftBehind(path: string, requestId: string): Promise<{ state: string | undefined; runs: [string, string][] }> {
  const store = SqliteStore.open(path);
  try {
    const backend = sqliteBackend(store, { useWorker: false });
    const runs = (await backend.migration().status({ limit: 50 })).runs.map((run): [string, string] => [run.id, run.state]);
    return { state: (await backend.approvals.get(requestId))?.state, runs };
  } finally {
    store.close();
  }
}

/**
 * A seeded legacy store with one migration request waiting for approval (its connection closed), the fake Slack
 * the bots talk to, and the arguments of a child bot that approves it.
 */
export async function migrationRequested() {
  const seeded = await seededBackend();
  const clock = new FakeClock(APPROVAL_T0);
  const { service } = approvalService(seeded.backend, { clock, backupDir: seeded.backupDir });
  const request = await service.request({ kind: 'migrate', userId: 'U_REQ' });
  seeded.store.close();
  const slack = await startFakeSlackApi();
  const child = { db: seeded.path, backupDir: seeded.backupDir, slackApiUrl: slack.url, action: 'approve' as const, requestId: request.id, planHash: request.planHash };
  return { path: seeded.path, backupDir: seeded.backupDir, clock, request, slack, child };
}

/**
 * A store the approved migration ran on (run `run1_m`), with a rollback request (the exact undo of that run, or a
 * restore of its backup) waiting for approval, and the arguments of a child bot that approves it.
 */
export async function rollbackRequested(target: 'run' | 'backup') {
  const seeded = await seededBackend();
  const clock = new FakeClock(APPROVAL_T0);
  const { service } = approvalService(seeded.backend, { clock, backupDir: seeded.backupDir, holderId: 'm' });
  const migration = await service.request({ kind: 'migrate', userId: 'U_REQ' });
  await service.click({ requestId: migration.id, action: 'approve', userId: 'U_A', planHash: migration.planHash });
  await service.idle();
  const [run] = await runsOf(seeded.backend, 'migrate');
  expect(run).toMatchObject({ id: 'run1_m', state: 'completed' });
  const request = await service.request({ kind: 'rollback', target: target === 'run' ? run!.id : basename(run!.backupFile!), userId: 'U_REQ' });
  seeded.store.close();
  const slack = await startFakeSlackApi();
  const child = { db: seeded.path, backupDir: seeded.backupDir, slackApiUrl: slack.url, action: 'approve' as const, requestId: request.id, planHash: request.planHash };
  return { path: seeded.path, backupDir: seeded.backupDir, clock, request, migrationRunId: run!.id, slack, child };
}

/** How many records a migration request's plan changes. */
export function plannedChanges(request: ApprovalRequest): number {
  return (request.plan as { changes: { total: number } }).changes.total;
}
