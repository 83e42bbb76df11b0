/**
 * `POST /dashboard/api/run-daily`: runs the daily check now through this process's monitor runner (the one the
 * scheduler uses, so it queues behind a scheduled run and is recorded as a manual run) and answers when it has
 * finished. The one thing the dashboard starts; it writes nothing itself.
 */
import { HttpError } from '../local/http.ts';
import type { DashboardDeps } from './deps.ts';
import type { RunDailyAnswer } from './types.ts';

/** Runs the daily job; 503 without a runner, 409 when it is already running here or in another process. */
export async function runDaily(deps: DashboardDeps): Promise<RunDailyAnswer> {
  const { runner } = deps;
  if (!runner) {
    throw new HttpError(503, 'No monitors run in this process (MONITOR_ENABLED=false?): run `ontology-ops monitor run daily` instead.');
  }
  if (runner.isRunning('daily')) throw new HttpError(409, 'The daily check is already running: wait for it to finish, the dashboard refreshes then.');
  const startedAt = deps.now();
  const result = await runner.runJob('daily', 'manual');
  const finishedAt = deps.now();
  if (result.outcome === 'skipped_overlap') {
    const where = result.heldBy ? ` in ${result.heldBy.holder} since ${new Date(result.heldBy.since).toISOString()}` : '';
    throw new HttpError(409, `The daily check is already running${where}: wait for it to finish.`);
  }
  if (result.outcome === 'failed') {
    // The error's text may quote a record's value: it stays in the run record and the process log.
    deps.log?.(`dashboard: the daily check failed: ${result.error}`);
    throw new HttpError(500, 'The daily check failed: `ontology-ops monitor status` shows the error of the run.');
  }
  return { outcome: 'succeeded', startedAt, finishedAt, counts: result.counts, deliveryHeld: result.deliveryHeld ?? null };
}
