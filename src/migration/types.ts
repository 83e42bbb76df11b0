/**
 * The declared interface of the migration service and the reports it returns. The CLI (`migrate`, `rollback`,
 * `migration-status`) and the Slack approval flow depend on `MigrationService` only.
 */
import type { MetricsReport } from '../quality/metrics.ts';
import type { RegressionReport } from '../quality/regressions.ts';
import type { BackupVerification } from './backup.ts';
import type { AssignmentSource, MigratedTable, RunRecord, RunState, UndoConflict } from './port.ts';
import type { ProgressListener } from './progress.ts';
import type { IntegrityDetails } from './quality-probe.ts';
import type { RestoreComparison } from './restore-diff.ts';

/** Options of a migration run, dry run or pre-flight. */
export interface MigrateOptions {
  /** Who runs it (recorded on the run). */
  actor: string;
  batchSize?: number;
  /** Take a backup first (default true). */
  backup?: boolean;
  onProgress?: ProgressListener;
  /**
   * The run id an approval claimed before the run began: the run with this id is resumed when unfinished, or
   * reported as it ended; when it does not exist yet it is started with this id. No other run is started.
   */
  claimedRunId?: string;
}

/** The lock as pre-flight sees it. */
export interface LockState {
  held: boolean;
  holder: string | null;
  since: number | null;
  expiresAt: number | null;
}

/** Records to change per table. */
export interface ChangeCounts {
  entities: { records: number; missingGroupId: number; schemaVersion: number };
  connections: { records: number };
  events: { records: number };
  knowledge: { records: number };
  total: number;
}

/** The pre-flight report (`migrate --validate-only`). */
export interface PreflightReport {
  ok: boolean;
  /** Reasons the migration cannot start; empty when ok. */
  blocking: string[];
  warnings: string[];
  store: string;
  naming: 'current' | 'legacy';
  v1MigrationCompleted: boolean;
  changes: ChangeCounts;
  integrity: IntegrityDetails;
  metrics: MetricsReport;
  backup: {
    enabled: boolean;
    dir: string;
    writable: boolean;
    freeBytes: number | null;
    estimatedBytes: number;
  };
  lock: LockState;
  /** An unfinished run `migrate` would resume instead of starting a new one. */
  resumableRun: { id: string; state: RunState; phase: string | null; cursor: string | null } | null;
  estimatedSeconds: number;
}

/** The pre-flight as `migrate --validate-only` reports it: with what the run would make worse. */
export interface PlannedPreflightReport extends PreflightReport {
  /** Before → after of every metric as the run would leave them, the metrics that get worse and why. */
  regressions: RegressionReport;
}

/** The dry-run report: what a run would change and the predicted metrics after it. */
export interface DryRunReport extends PlannedPreflightReport {
  dryRun: true;
  /** How groupIds would be assigned per table. */
  assignments: Record<MigratedTable, Partial<Record<AssignmentSource, number>>>;
  legacyDefaultGroup: { id: string | null; wouldCreate: boolean };
  predicted: {
    metrics: MetricsReport;
    crossGroupReferencesCreated: { connections: number; events: number; total: number };
  };
}

/** The outcome of a run. */
export interface RunReport {
  runId: string | null;
  status: 'completed' | 'failed' | 'nothing_to_do';
  resumed: boolean;
  actor: string;
  backupFile: string | null;
  defaultGroupId: string | null;
  changed: Record<MigratedTable, number>;
  assignments: Partial<Record<AssignmentSource, number>>;
  schemaVersionsWritten: number;
  validation: {
    ok: boolean;
    problems: string[];
    metrics: MetricsReport;
    integrity: IntegrityDetails;
    crossGroupReferencesCreated: { connections: number; events: number; total: number };
  } | null;
  /**
   * Before → after of every metric over the run (before: at its pre-flight) and the metrics that got worse; a
   * completed run with any is "completed with regressions" (its status stays `completed`). Null without validation.
   */
  regressions: RegressionReport | null;
  durationMs: number;
  message: string;
}

/** Exact-undo plan or outcome. */
export interface UndoReport {
  runId: string;
  undoRunId: string | null;
  status: 'dry_run' | 'completed' | 'already_undone';
  entries: number;
  reverted: number;
  partial: number;
  /** Entries left alone in whole or in part (changed since the run, or deleted). */
  conflictCount: number;
  missing: number;
  conflicts: UndoConflict[];
  byTable: Record<string, number>;
  legacyDefaultGroup: { id: string | null; removed: boolean; references: number };
  v1MigrationCompletedCleared: boolean;
}

/** Full-restore plan or outcome. */
export interface RestoreReport {
  status: 'verified' | 'dry_run' | 'completed';
  restoreRunId: string | null;
  backup: BackupVerification;
  comparison: RestoreComparison | null;
  documentsRestored: number;
}

/** `migration-status`. */
export interface StatusReport {
  lock: LockState;
  v1MigrationCompletedAt: string | null;
  runs: (RunRecord & { percent: number })[];
}

/** Options of an exact undo. */
export interface UndoOptions {
  actor: string;
  /** Count and list what the undo would do, write nothing. */
  dryRun?: boolean;
  batchSize?: number;
  /** Conflict ids listed at most. */
  idLimit?: number;
  onProgress?: ProgressListener;
  /**
   * The run id an approval claimed before the run began: the run with this id is resumed when unfinished, or
   * reported as it ended; when it does not exist yet it is started with this id. No other run is started.
   */
  claimedRunId?: string;
}

/** Options of a full restore. */
export interface RestoreOptions {
  actor: string;
  /** Check the backup only. */
  verify?: boolean;
  /** Check and compare with the store, write nothing. */
  dryRun?: boolean;
  idLimit?: number;
  /** Restore a backup taken of another store. */
  allowOtherStore?: boolean;
  onProgress?: ProgressListener;
  /**
   * The run id an approval claimed before the run began: the run with this id is resumed when unfinished, or
   * reported as it ended; when it does not exist yet it is started with this id. No other run is started.
   */
  claimedRunId?: string;
  /**
   * Audit events written again in the step that ends the restore (the restore replaces the events table): an
   * approval's own trail. They belong to the group with `slug` (the legacy-default group when the backup has none).
   */
  keepEvents?: KeptEvents;
}

/** Events a restore writes again with its last step. */
export interface KeptEvents {
  slug: string;
  events: { type: string; timestamp: number; metadata: Record<string, string | number | boolean | null> }[];
}

/** The v1 migration as the CLI and Slack see it. */
export interface MigrationService {
  /** Step 1: everything `migrate --validate-only` checks, and what the run would make worse; writes nothing. */
  preflight(options?: { backup?: boolean }): Promise<PlannedPreflightReport>;
  /** Exactly what a run would change, and the metrics after it; writes nothing. */
  dryRun(options?: { backup?: boolean }): Promise<DryRunReport>;
  /** Steps 2–6 of a run; resumes the newest unfinished run when there is one. */
  run(options: MigrateOptions): Promise<RunReport>;
  /** The run with this id in the run registry, or null. */
  getRun(runId: string): Promise<RunRecord | null>;
  /** Runs with state, progress, checkpoint, backup file, who and when; newest first. */
  status(options?: { limit?: number }): Promise<StatusReport>;
  /** Exact undo of one run (`dryRun`: counts and conflicts only, nothing written). */
  undoRun(runId: string, options: UndoOptions): Promise<UndoReport>;
  /** Checks a backup (manifest, checksums, every line, counts); changes nothing. */
  verifyBackup(file: string): Promise<BackupVerification>;
  /**
   * Full restore from a backup. `verify`: check only. `dryRun`: check and report what would change, including
   * records written since the backup that would be lost. Otherwise replace the ontology atomically.
   */
  restoreBackup(file: string, options: RestoreOptions): Promise<RestoreReport>;
}
