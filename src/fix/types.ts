/**
 * The declared interface of the fix service and the reports it returns. The CLI (`fix`, `rollback --run`) and
 * Slack depend on `FixService` only.
 */
import type { MetricsReport } from '../quality/metrics.ts';
import type { ProgressListener } from '../migration/progress.ts';
import type { UndoOptions, UndoReport } from '../migration/types.ts';
import type { FixName, OrphanRecord, OrphanTable } from './port.ts';
import type { MetricRegression } from './regressions.ts';

/** Options of a fix plan. */
export interface FixPlanOptions {
  /** Only records of this group; null or absent: every group. */
  groupId?: string | null;
  /** Records listed at most (all are counted). */
  idLimit?: number;
}

/** What a fix would change, the metrics now and predicted after it, and why it would be refused. */
export interface FixPlan {
  fix: FixName;
  groupId: string | null;
  /** Records the fix would change, per table. */
  counts: Record<OrphanTable, number>;
  total: number;
  /** The records with the ids they name that do not exist, up to the listing limit. */
  records: OrphanRecord[];
  before: MetricsReport;
  after: MetricsReport;
  /** Metrics the fix would make worse (then it is refused). */
  regressions: MetricRegression[];
  /** Why a run of this plan is refused, or null when it may run. */
  refused: string | null;
}

/** Options of a fix run. */
export interface FixRunOptions extends FixPlanOptions {
  actor: string;
  /** Take a backup first (default true). */
  backup?: boolean;
  batchSize?: number;
  onProgress?: ProgressListener;
  /** The run id an approval claimed: resumed when unfinished, reported when ended, else started with this id. */
  claimedRunId?: string;
}

/** The outcome of a fix run. */
export interface FixRunReport {
  runId: string | null;
  fix: FixName;
  groupId: string | null;
  status: 'completed' | 'failed' | 'nothing_to_do';
  resumed: boolean;
  actor: string;
  backupFile: string | null;
  /** Records changed per table. */
  changed: Record<OrphanTable, number>;
  validation: { ok: boolean; problems: string[]; remaining: number; before: MetricsReport | null; after: MetricsReport; regressions: MetricRegression[] } | null;
  durationMs: number;
  message: string;
}

/** The named fixes as the CLI and Slack see them. */
export interface FixService {
  /** What `fix` would change and the metrics before and after; writes nothing. */
  plan(fix: FixName, options?: FixPlanOptions): Promise<FixPlan>;
  /** Backup, batches, validation; resumes the unfinished run of the same fix and scope. */
  run(fix: FixName, options: FixRunOptions): Promise<FixRunReport>;
  /** Exact undo of a fix run (`rollback --run <id>`). */
  undo(runId: string, options: UndoOptions): Promise<UndoReport>;
}
