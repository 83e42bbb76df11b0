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
import { createQualityService } from '../src/quality/service.ts';
import { SqliteCheckPort } from '../src/store/sqlite/check-port.ts';
import { stopCheckWorker, warmUpCheckWorker } from '../src/store/sqlite/check-scan.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
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
  const store = SqliteStore.open(options.dbPath, { readonly: true });
  const service = createQualityService({ checks: new SqliteCheckPort(store, { useWorker: true }), documents: store });
  const records = ['entities', 'connections', 'events', 'knowledge'].reduce(
    (sum, table) => sum + store.countSync(table as 'entities'),
    0,
  );
  try {
    const started = performance.now();
    await warmUpCheckWorker();
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
    store.close();
    await stopCheckWorker();
  }
}
