/**
 * The threads checks run in. The check worker (one per process, started on first use, kept until idle for
 * `CHECK_THREADS_IDLE_MS`) runs whole check tasks on its own read-only connection, so the main thread's event
 * loop stays free. For a platform-wide scan the check worker shares the heavy pieces of the scan with helper
 * threads (its own children, kept and stopped with it), one per further core by default, that compute them from
 * the same snapshot: a check uses every core.
 *
 * Only message passing lives here; what the threads compute is in `check-scan.ts`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CheckScope } from '../../quality/port.ts';
import type { CheckTask, CheckTaskResult, PieceResult, ScanPiece } from './check-scan.ts';
import type { EntityIndex } from './entity-index.ts';
import { workerEntry } from './worker-entry.ts';

/** Entry of both threads: the compiled worker body, or a shim that loads its TypeScript source. */
const WORKER_ENTRY = workerEntry(import.meta.url, 'check-worker');

/**
 * Heap limits of every check thread. The young generation (where a scan's short-lived strings and objects live)
 * is V8's default of 48 MB per thread otherwise, which each thread keeps resident once used; a third of it
 * keeps the process's peak memory down (the bench's 512 MB bound) for a few more, cheap, scavenges.
 */
const CHECK_THREAD_LIMITS = { maxYoungGenerationSizeMb: 16 };

/** What a thread is for (passed as `workerData.role`). */
export type CheckThreadRole = 'checks' | 'helper';

type CheckReply = { id: number; ok: true; result: CheckTaskResult } | { id: number; ok: false; message: string };

interface Waiting<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/**
 * How long the check threads stay after their last task. Starting them again costs a fraction of a second, while
 * threads that have scanned a large store keep tens of megabytes each (their heaps, their allocator's free
 * lists): kept for good, they would sit on that memory through a migration between its pre-flight and its
 * validation checks, or between hourly checks.
 */
export const CHECK_THREADS_IDLE_MS = 10_000;

/**
 * The check worker thread: started on first use and kept for later tasks (starting one costs far more than a
 * check of a small store) until it has been idle for `CHECK_THREADS_IDLE_MS`, shared by every store in the
 * process. While idle it does not keep the process alive.
 */
class CheckWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Waiting<CheckTaskResult>>();
  private idleTimer: NodeJS.Timeout | null = null;

  run(databasePath: string, task: CheckTask, threads: number): Promise<CheckTaskResult> {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, databasePath, task, threads } satisfies CheckRequest);
    });
  }

  async warmUp(threads: number): Promise<void> {
    await this.run('', { kind: 'ready' }, threads);
  }

  async stop(): Promise<void> {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    await worker.terminate();
    this.failAll(new Error('The check worker was stopped before the task finished.'));
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_ENTRY, { workerData: { role: 'checks' satisfies CheckThreadRole }, resourceLimits: CHECK_THREAD_LIMITS });
    worker.unref();
    worker.on('message', (reply: CheckReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) {
        worker.unref();
        this.idleTimer = setTimeout(() => {
          if (this.pending.size === 0 && this.worker === worker) void this.stop();
        }, CHECK_THREADS_IDLE_MS);
        this.idleTimer.unref();
      }
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

/** What the check worker is asked: a task, and how many threads a platform-wide scan may use (itself included). */
export interface CheckRequest {
  id: number;
  databasePath: string;
  task: CheckTask;
  threads: number;
}

/** Threads a platform-wide scan uses by default: one per core the process may use. */
export function defaultCheckThreads(): number {
  return availableParallelism();
}

/**
 * Runs a task in the shared check worker, which opens its own read-only connection to the database file; a
 * platform-wide scan shares its pieces among `threads` threads (the check worker and `threads - 1` helpers).
 */
export function runCheckTaskInWorker(databasePath: string, task: CheckTask, threads = defaultCheckThreads()): Promise<CheckTaskResult> {
  return sharedWorker.run(databasePath, task, threads);
}

/**
 * Starts the shared check worker and its `threads - 1` helpers ahead of the first check (e.g. when the bot
 * boots); resolves when all can take work.
 */
export function warmUpCheckWorker(threads = defaultCheckThreads()): Promise<void> {
  return sharedWorker.warmUp(threads);
}

/** Stops the shared check worker and its helpers (shutdown, tests); the next check starts new ones. */
export function stopCheckWorker(): Promise<void> {
  return sharedWorker.stop();
}

type HelperReply =
  | { id: number; ready: true }
  | { id: number; ok: true; results: [number, PieceResult][] }
  | { id: number; ok: false; message: string };

/**
 * A helper's part of one platform-wide scan: the pieces and the shared board they are claimed on
 * (`piece-board.ts`), the helper's slot on it, and the shared entity index of the scan's snapshot.
 */
export interface SharedScanJob {
  databasePath: string;
  scope: CheckScope;
  pieces: ScanPiece[];
  /** The board's cells (shared memory) and how many threads share it. */
  board: Int32Array;
  threads: number;
  slot: number;
  entities: EntityIndex | null;
}

/** What a scan needs from a helper: claim and compute pieces of a shared scan; resolves the pieces it computed by index. */
export interface PieceHelper {
  compute(job: SharedScanJob): Promise<[number, PieceResult][]>;
}

/**
 * A helper thread of the check worker: computes scan pieces on its own read-only connection, one job after
 * another. Created by the check worker, as many as a scan may use beside it.
 */
export class ScanHelper implements PieceHelper {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly jobs = new Map<number, Waiting<[number, PieceResult][]>>();
  private readyWaiters: Waiting<void>[] = [];
  private isReady = false;

  /** Starts the thread (if needed) and resolves once it has loaded and can take jobs. */
  ready(): Promise<void> {
    this.start();
    if (this.isReady) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /**
   * Posts a job; a thread still loading takes it once loaded, when the other threads may have claimed every
   * piece already (then it answers none).
   */
  compute(job: SharedScanJob): Promise<[number, PieceResult][]> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, job });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_ENTRY, { workerData: { role: 'helper' satisfies CheckThreadRole }, resourceLimits: CHECK_THREAD_LIMITS });
    worker.unref();
    worker.on('message', (reply: HelperReply) => {
      if ('ready' in reply) {
        this.isReady = true;
        for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
        return;
      }
      const job = this.jobs.get(reply.id);
      if (!job) return;
      this.jobs.delete(reply.id);
      if (this.jobs.size === 0) worker.unref();
      if (reply.ok) job.resolve(reply.results);
      else job.reject(new Error(reply.message));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) {
        this.worker = null;
        this.isReady = false;
      }
      for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const job of jobs) job.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The check helper exited with code ${code}.`)));
    this.worker = worker;
    return worker;
  }
}
