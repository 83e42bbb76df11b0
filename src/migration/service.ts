/**
 * The v1 migration as a service over ports only: pre-flight and dry run (`plan.ts`), the batched resumable run
 * (`run.ts`), the exact undo of a run (`undo.ts`), backup verification and full restore (`restore.ts`), and
 * status (`runs.ts`). The CLI (`migrate`, `rollback`, `migration-status`) and the Slack approval flow call the
 * `MigrationService` it returns.
 *
 * The store setting `V1_MIGRATION_COMPLETED_KEY` (which makes missing groupIds critical in the checks) is set
 * when a run completes, cleared by an exact undo of a completed run when no other completed run remains, and
 * set back to the backup's value by a full restore.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { ThresholdTable } from '../quality/thresholds.ts';
import type { DocumentStore, LeaseStore, MetaStore } from '../store/port.ts';
import { scoped, type MigrationContext } from './context.ts';
import { dryRun, preflight, statfsFreeBytes } from './plan.ts';
import type { BackupPort, MigrationStore } from './port.ts';
import type { QualityProbe } from './quality-probe.ts';
import { restoreBackup, verifyBackup } from './restore.ts';
import { runMigration } from './run.ts';
import { status } from './runs.ts';
import { noCrashPoints, type CrashPoint } from './test-hooks.ts';
import type { MigrationService } from './types.ts';
import { undoRun } from './undo.ts';

export type * from './types.ts';
export { LeaseLostError, LockHeldError, MIGRATION_LEASE } from './lease.ts';
export { ESTIMATE_RATES, LEGACY_DEFAULT_SLUG } from './plan.ts';
export { DEFAULT_BATCH_SIZE } from './run.ts';
export { DEFAULT_ID_LIMIT } from './undo.ts';

/** Default lease time-to-live: a crashed holder's lease can be taken over this long after its last renewal. */
export const DEFAULT_LEASE_TTL_MS = 60_000;

/** What the service is built from: the store's ports, the quality probe, clocks and ids. */
export interface MigrationDeps {
  migrations: MigrationStore;
  backups: BackupPort;
  leases: LeaseStore;
  meta: MetaStore;
  documents: DocumentStore;
  /** The quality check used by pre-flight, dry run and validation. */
  quality: QualityProbe;
  /** The threshold table predicted metrics are judged by (defaults unless given). */
  thresholds?: ThresholdTable;
  /** Folder backups are written to (default: the backup port's default folder). */
  backupDir?: string;
  /** Wall clock (epoch ms) for timestamps, leases and `--now`. */
  now?: () => number;
  /** Monotonic clock (ms) for rates and ETAs. */
  monotonic?: () => number;
  /** New run ids. */
  newRunId?: () => string;
  /** Lease holder id of this process. */
  holderId?: () => string;
  leaseTtlMs?: number;
  /** Test crash points (see test-hooks.ts). */
  crash?: CrashPoint;
  /** Disk-space probe (tests): free bytes of the file system holding `dir`. */
  freeBytes?: (dir: string) => number;
}

/** A new run id (`mig_<time>_<random>`), as runs get them unless told otherwise. */
export function newRunId(): string {
  return `mig_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

function defaultHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** The context the use cases share, resolved from `deps` (the fix service runs on the same one). */
export function migrationContextOf(deps: MigrationDeps): MigrationContext {
  return {
    migrations: deps.migrations,
    backups: deps.backups,
    leases: deps.leases,
    meta: deps.meta,
    documents: deps.documents,
    quality: deps.quality,
    thresholds: deps.thresholds,
    backupDir: resolve(deps.backupDir ?? deps.backups.defaultDir()),
    now: deps.now ?? Date.now,
    monotonic: deps.monotonic ?? (() => performance.now()),
    newRunId: deps.newRunId ?? newRunId,
    holderId: deps.holderId ?? defaultHolderId,
    leaseTtlMs: deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
    crash: deps.crash ?? noCrashPoints,
    freeBytes: deps.freeBytes ?? statfsFreeBytes,
  };
}

/** The migration service over the given ports. */
export function createMigrationService(deps: MigrationDeps): MigrationService {
  const context = migrationContextOf(deps);
  return {
    preflight: (options = {}) => scoped(context, () => preflight(context, options)),
    dryRun: (options = {}) => scoped(context, () => dryRun(context, options)),
    run: (options) => scoped(context, () => runMigration(context, options)),
    getRun: (runId) => context.migrations.getRun(runId),
    status: (options = {}) => status(context, options),
    undoRun: (runId, options) => scoped(context, () => undoRun(context, runId, options)),
    verifyBackup: (file) => verifyBackup(context, file),
    restoreBackup: (file, options) => scoped(context, () => restoreBackup(context, file, options)),
  };
}
