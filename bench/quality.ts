/**
 * Benchmark phases of the data-quality engine on an existing store (e.g. the 1M-record bench store): the
 * hourly critical subset (orphaned, cross-group, missing groupId), the full check, and the metrics of the
 * platform and every group from one scan. Each runs through the quality service exactly as the bot runs it:
 * in the check worker thread, so the measured event-loop stall is the main thread's.
 *
 * The worker threads are started before measuring (the bot starts them at boot with `warmUpCheckWorker`); their
 * start-up time is reported separately as `workerStartMs` in the details.
 */
import { CRITICAL_CATEGORIES } from '../src/quality/categories.ts';
import { openBackend } from '../src/backend.ts';
import { measure, type PhaseMeasurement, type PhaseOutcome } from './measure.ts';

/** The phases this benchmark knows. */
export const QUALITY_PHASES = ['check-critical', 'check-full', 'metrics-all-groups'] as const;
/** One phase. */
export type QualityPhase = (typeof QUALITY_PHASES)[number];

/** Options of `benchQuality`. */
export interface QualityBenchOptions {
  /** The SQLite store to check (must exist). */
  dbPath: string;
  /** Reference instant of the checks (epoch ms), e.g. the seed's `now`. */
  now: number;
  /** Phases to run, in order (default all). Peak RSS is per process: run one phase per process for clean figures. */
  phases?: readonly QualityPhase[];
}

/** Runs the quality phases and returns their measurements; prints nothing. */
export async function benchQuality(options: QualityBenchOptions): Promise<PhaseMeasurement[]> {
  const backend = openBackend({ dbPath: options.dbPath, mustExist: true, readOnly: true, useWorker: true });
  const service = backend.quality;
  let records = 0;
  for (const table of ['entities', 'connections', 'events', 'knowledge'] as const) records += await backend.documents.count(table);
  try {
    const started = performance.now();
    await backend.warmUp();
    const workerStartMs = Math.round(performance.now() - started);
    const results: PhaseMeasurement[] = [];
    for (const phase of options.phases ?? QUALITY_PHASES) {
      results.push(
        await measure(`quality ${phase}`, async (): Promise<PhaseOutcome> => {
          if (phase === 'check-critical') {
            const report = await service.check({ now: options.now, categories: CRITICAL_CATEGORIES });
            return { records, details: { workerStartMs, criticalIssues: report.summary.criticalIssues, status: report.status } };
          }
          if (phase === 'check-full') {
            const report = await service.check({ now: options.now });
            return { records, details: { workerStartMs, totalIssues: report.summary.totalIssues, status: report.status } };
          }
          const all = await service.metricsAllGroups({ now: options.now });
          return { records, details: { workerStartMs, groups: all.groups.length, status: all.platform.status } };
        }),
      );
    }
    return results;
  } finally {
    await backend.close();
  }
}
