/**
 * Re-evaluation after a change: whenever this process changes the data (a migration, a rollback by undo or
 * restore, an archival run, an import), every metric is evaluated again at once, by the daily evaluation (all
 * metrics, platform-wide and per group). Its snapshot is what the Home tab, `/ontology status` and the dashboard
 * card show, and its alert pipeline resolves, worsens or opens the alerts; the runner's after-run listeners
 * refresh the Home tabs. So no surface keeps showing (or firing on) a value the change has just made untrue until
 * the next scheduled run.
 */
import type { JobResult, MonitorRunner } from './runner.ts';

/** What changed the data. */
export type DataChange = 'migration' | 'rollback' | 'archival' | 'import';

/** The part of a runner the hook uses. */
export type ReevaluationRunner = Pick<MonitorRunner, 'runAfterChange'>;

/**
 * Re-evaluates every metric now, after `change`: queues the daily evaluation on the runner (after whatever run is
 * going, never beside it: two runs evaluating one alert at once would both post it). A daily run already working may
 * have read the data before the change, so the evaluation then runs once more after it instead of being skipped as
 * an overlap. Never throws.
 */
export function reevaluateAfterChange(runner: ReevaluationRunner, change: DataChange, log: (line: string) => void): Promise<JobResult> {
  log(`monitor daily: re-evaluating every metric after the ${change}`);
  return runner.runAfterChange('daily', 'manual');
}

/** True when an archival run changed data (archived at least one event). */
export function archivalChangedData(job: string, result: JobResult): boolean {
  return job === 'archival' && result.outcome === 'succeeded' && (result.counts.archived ?? 0) > 0;
}

/**
 * Makes every archival run of `runner` that archived something re-evaluate at once: the archival progress the
 * daily check just alerted on is judged again a moment later, not at the next day's run.
 */
export function reevaluateAfterArchival(runner: Pick<MonitorRunner, 'runAfterChange' | 'onRunFinished'>, log: (line: string) => void): void {
  runner.onRunFinished((job, result) => {
    // Not awaited: a listener runs inside the runner's turn, and the re-evaluation queues behind that turn.
    if (archivalChangedData(job, result)) void reevaluateAfterChange(runner, 'archival', log);
  });
}
