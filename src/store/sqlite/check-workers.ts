/**
 * The threads checks run in. The check worker (one per process, started on first use, kept) runs whole check
 * tasks on its own read-only connection, so the main thread's event loop stays free. For a platform-wide scan
 * the check worker asks a helper thread (its own child, also kept) to compute part of the scan from the same
 * snapshot, so a check uses two cores.
 *
 * Only message passing lives here; what the threads compute is in `check-scan.ts`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CheckScope } from '../../quality/port.ts';
import type { CheckTask, CheckTaskResult, PieceResult, ScanPiece } from './check-scan.ts';
import { workerEntry } from './worker-entry.ts';

/** Entry of both threads: the compiled worker body, or a shim that loads its TypeScript source. */
const WORKER_ENTRY = workerEntry(import.meta.url, 'check-worker');

/** What a thread is for (passed as `workerData.role`). */
export type CheckThreadRole = 'checks' | 'helper';

type CheckReply = { id: number; ok: true; result: CheckTaskResult } | { id: number; ok: false; message: string };

interface Waiting<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/**
 * The check worker thread: started on first use and kept for later tasks (starting one costs far more than a
 * check of a small store), shared by every store in the process. While idle it does not keep the process alive.
 */
class CheckWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Waiting<CheckTaskResult>>();

  run(databasePath: string, task: CheckTask): Promise<CheckTaskResult> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, databasePath, task });
    });
  }

  async warmUp(): Promise<void> {
    await this.run('', { kind: 'ready' });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    await worker.terminate();
    this.failAll(new Error('The check worker was stopped before the task finished.'));
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_ENTRY, { workerData: { role: 'checks' satisfies CheckThreadRole } });
    worker.unref();
    worker.on('message', (reply: CheckReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new Error(`The check failed: ${reply.message}`));
    });
    worker.on('error', (error) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(error);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error(`The check worker exited with code ${code} before answering.`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of waiting) reject(error);
  }
}

const sharedWorker = new CheckWorker();

/** Runs a task in the shared check worker, which opens its own read-only connection to the database file. */
export function runCheckTaskInWorker(databasePath: string, task: CheckTask): Promise<CheckTaskResult> {
  return sharedWorker.run(databasePath, task);
}

/**
 * Starts the shared check worker and its helper ahead of the first check (e.g. when the bot boots); resolves
 * when both can take work.
 */
export function warmUpCheckWorker(): Promise<void> {
  return sharedWorker.warmUp();
}

/** Stops the shared check worker and its helper (shutdown, tests); the next check starts a new one. */
export function stopCheckWorker(): Promise<void> {
  return sharedWorker.stop();
}

type HelperReply =
  | { id: number; ready: true }
  | { id: number; begun: true }
  | { id: number; ok: true; results: PieceResult[] }
  | { id: number; ok: false; message: string };

/** One job given to the helper: resolves `begun` once its read snapshot is fixed, then `results`. */
export interface HelperJob {
  begun: Promise<void>;
  results: Promise<PieceResult[]>;
}

/** What a scan needs from a helper: compute these pieces of this scope from a snapshot of its own. */
export interface PieceHelper {
  compute(databasePath: string, scope: CheckScope, pieces: ScanPiece[]): HelperJob;
}

/**
 * The helper thread of the check worker: computes scan pieces on its own read-only connection, one job after
 * another. Created by the check worker; never needed on a single-core machine.
 */
export class ScanHelper implements PieceHelper {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly jobs = new Map<number, { begun: Waiting<void>; results: Waiting<PieceResult[]> }>();
  private readyWaiters: Waiting<void>[] = [];
  /** True once the thread has loaded and can take jobs. */
  isReady = false;

  /** A helper, or null when the machine has a single core (a second thread would only compete). */
  static createIfUseful(): ScanHelper | null {
    return availableParallelism() > 1 ? new ScanHelper() : null;
  }

  /** Starts the thread (if needed) and resolves once it has loaded and can take jobs. */
  ready(): Promise<void> {
    this.start();
    if (this.isReady) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  compute(databasePath: string, scope: CheckScope, pieces: ScanPiece[]): HelperJob {
    const worker = this.start();
    const id = this.nextId++;
    let begun!: Waiting<void>;
    let results!: Waiting<PieceResult[]>;
    const job: HelperJob = {
      begun: new Promise<void>((resolve, reject) => {
        begun = { resolve, reject };
      }),
      results: new Promise<PieceResult[]>((resolve, reject) => {
        results = { resolve, reject };
      }),
    };
    this.jobs.set(id, { begun, results });
    worker.ref();
    worker.postMessage({ id, databasePath, scope, pieces });
    return job;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_ENTRY, { workerData: { role: 'helper' satisfies CheckThreadRole } });
    worker.unref();
    worker.on('message', (reply: HelperReply) => {
      if ('ready' in reply) {
        this.isReady = true;
        for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
        return;
      }
      const job = this.jobs.get(reply.id);
      if (!job) return;
      if ('begun' in reply) {
        job.begun.resolve();
        return;
      }
      this.jobs.delete(reply.id);
      if (this.jobs.size === 0) worker.unref();
      // A job that failed before its snapshot was fixed never reports `begun`.
      job.begun.reject(new Error('The helper failed before reading.'));
      if (reply.ok) job.results.resolve(reply.results);
      else job.results.reject(new Error(reply.message));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) {
        this.worker = null;
        this.isReady = false;
      }
      for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const job of jobs) {
        job.begun.reject(error);
        job.results.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The check helper exited with code ${code}.`)));
    this.worker = worker;
    return worker;
  }
}
