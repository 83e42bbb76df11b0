/**
 * Body of the check threads (see `check-workers.ts`). The check worker answers whole tasks; the helper computes
 * scan pieces for it. Each task opens a fresh read-only connection (so a replaced database file is seen) and
 * answers with its result or a one-line error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckScope } from '../../quality/port.ts';
import { computePiece, openReadOnly, scanDatabaseFile, scanDatabaseWindow, type CheckTask, type PieceResult, type ScanPiece } from './check-scan.ts';
import { ScanHelper, type CheckThreadRole } from './check-workers.ts';

const port = parentPort!;
const role = (workerData as { role?: CheckThreadRole } | null)?.role ?? 'checks';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

if (role === 'helper') {
  port.postMessage({ id: 0, ready: true });
  port.on('message', ({ id, databasePath, scope, pieces }: { id: number; databasePath: string; scope: CheckScope; pieces: ScanPiece[] }) => {
    try {
      const database = openReadOnly(databasePath);
      try {
        database.exec('BEGIN');
        // The first read fixes the snapshot; the check worker compares it with its own before relying on it.
        database.prepare('SELECT count(*) FROM sqlite_master').get();
        port.postMessage({ id, begun: true });
        const results: PieceResult[] = pieces.map((piece) => computePiece(database, scope, piece));
        database.exec('COMMIT');
        const transfer = results.flatMap((result) => (ArrayBuffer.isView(result) ? [result.buffer as ArrayBuffer] : []));
        port.postMessage({ id, ok: true, results }, transfer);
      } finally {
        database.close();
      }
    } catch (error) {
      port.postMessage({ id, ok: false, message: messageOf(error) });
    }
  });
} else {
  // The helper is loaded on request (warm-up) or after the first scan, and used only once loaded: waiting for
  // it to load would cost a one-off command more than it saves.
  const helper = ScanHelper.createIfUseful();
  const startHelper = () => helper?.ready().catch(() => undefined);
  port.on('message', async ({ id, databasePath, task }: { id: number; databasePath: string; task: CheckTask }) => {
    try {
      if (task.kind === 'ready') {
        await startHelper();
        port.postMessage({ id, ok: true, result: null });
      } else if (task.window === null) {
        const result = await scanDatabaseFile(databasePath, task.scope, helper?.isReady ? helper : null);
        port.postMessage({ id, ok: true, result: { result, more: false } });
        void startHelper();
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
