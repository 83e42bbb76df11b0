/** `migration-status`: the lock, the v1 marker, and the newest runs with their progress. */
import { lockState, v1Marker, type MigrationContext } from './context.ts';
import type { StatusReport } from './types.ts';

/** Runs with state, progress, checkpoint, backup file, who and when; newest first (one page of `limit`). */
export async function status(context: MigrationContext, options: { limit?: number } = {}): Promise<StatusReport> {
  const { runs } = await context.migrations.findRuns({}, null, options.limit ?? 20);
  return {
    lock: await lockState(context, context.now()),
    v1MigrationCompletedAt: await v1Marker(context),
    runs: runs.map((run) => {
      const totals = Object.values(run.progress).reduce((acc, entry) => ({ total: acc.total + entry.total, done: acc.done + entry.done }), { total: 0, done: 0 });
      const percent = run.state === 'completed' || run.state === 'rolled_back' ? 100 : totals.total > 0 ? Math.floor((100 * totals.done) / totals.total) : 0;
      return { ...run, percent };
    }),
  };
}
