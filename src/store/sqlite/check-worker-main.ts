/**
 * Body of the check threads (see `check-workers.ts`). The check worker answers whole tasks; the helpers compute
 * scan pieces for it. Each task opens a fresh read-only connection (so a replaced database file is seen) and
 * answers with its result or a one-line error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { computeClaimedPieces, openReadOnly, scanDatabaseFile, scanDatabaseWindow } from './check-scan.ts';
import { ScanHelper, type CheckRequest, type CheckThreadRole, type SharedScanJob } from './check-workers.ts';

const port = parentPort!;
const role = (workerData as { role?: CheckThreadRole } | null)?.role ?? 'checks';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

if (role === 'helper') {
  port.postMessage({ id: 0, ready: true });
  port.on('message', ({ id, job }: { id: number; job: SharedScanJob }) => {
    try {
      const results = computeClaimedPieces(job);
      const transfer = results.flatMap(([, result]) => (ArrayBuffer.isView(result) && result.buffer instanceof ArrayBuffer ? [result.buffer] : []));
      port.postMessage({ id, ok: true, results }, transfer);
    } catch (error) {
      port.postMessage({ id, ok: false, message: messageOf(error) });
    }
  });
} else {
  // Helpers are started by the first task that may use them and kept; a scan posts them its job at once, and a
  // helper still loading joins in when it can (the pieces left by then are shared out as usual).
  const helpers: ScanHelper[] = [];
  const helpersFor = (threads: number): ScanHelper[] => {
    while (helpers.length < threads - 1) helpers.push(new ScanHelper());
    return helpers.slice(0, Math.max(0, threads - 1));
  };
  port.on('message', async ({ id, databasePath, task, threads }: CheckRequest) => {
    try {
      if (task.kind === 'ready') {
        await Promise.all(helpersFor(threads).map((helper) => helper.ready()));
        port.postMessage({ id, ok: true, result: null });
      } else if (task.window === null) {
        const usable = task.scope.groupId === null ? helpersFor(threads) : [];
        const result = await scanDatabaseFile(databasePath, task.scope, usable);
        port.postMessage({ id, ok: true, result: { result, more: false } });
      } else {
        const database = openReadOnly(databasePath);
        try {
          port.postMessage({ id, ok: true, result: scanDatabaseWindow(database, task.scope, task.window) });
        } finally {
          database.close();
        }
      }
    } catch (error) {
      port.postMessage({ id, ok: false, message: messageOf(error) });
    }
  });
}
