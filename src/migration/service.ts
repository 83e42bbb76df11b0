/**
 * The v1 migration as a service: pre-flight, dry run, the batched resumable run, status, the exact undo of a
 * run, and backup verification / full restore. The CLI (`migrate`, `rollback`, `migration-status`) and, later,
 * Slack buttons call exactly these functions.
 *
 * A run, in order: Step 1 pre-flight; Step 2 backup (ZIP + manifest, verified); Step 3 the `legacy-default`
 * group (found by slug or created once) and the `migration_started` event; Step 4 batches over entities,
 * connections, events, knowledge, each batch one transaction that patches its records, writes their undo
 * journal and the run's checkpoint; Step 5 validation; Step 6 `migration_completed` / `migration_failed`.
 * All state lives in the store's own file (runs, checkpoints, journal), so `migrate` after a crash continues
 * from the last committed batch.
 *
 * The store setting `META_KEYS.v1MigrationCompletedAt` (which makes missing groupIds critical in the checks) is
 * set when a run completes, cleared by an exact undo of a completed run when no other completed run remains,
 * and set back to the backup's value by a full restore.
 *
 * Group assignment reads an endpoint's groupId as it is when the batch runs. Entities go first, so by then
 * every entity that existed has a groupId (its own, else legacy-default): a connection takes its from-entity's
 * group whenever the from-entity exists, the to-entity's only when the from-entity does not exist (or is an
 * entity created since without a groupId), else legacy-default. The dry run predicts exactly this.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, statfsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCode, NotFoundError, OpsError } from '../errors.ts';
import type { ConvexValue } from '../ontology/values.ts';
import { computeMetrics, type MetricsReport } from '../quality/metrics.ts';
import type { ThresholdTable } from '../quality/thresholds.ts';
import type { QualityCounts } from '../quality/tally.ts';
import { importSnapshot } from '../snapshot/import.ts';
import { LeaseLostError, SqliteMigrationStore } from '../store/sqlite/migration-store.ts';
import { yieldToEventLoop } from '../store/sqlite/snapshot-load.ts';
import { META_KEYS, type SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Lease } from '../store/port.ts';
import { BackupInvalidError, verifyBackupFile, writeBackup, type BackupVerification } from './backup.ts';
import {
  MIGRATED_TABLES,
  type AssignmentSource,
  type BatchResult,
  type MigratedTable,
  type RunRecord,
  type RunState,
  type TableProgress,
  type UndoBatchResult,
  type UndoConflict,
} from './port.ts';
import { StepMeter, type ProgressListener, type ProgressPhase } from './progress.ts';
import { sqliteQualityProbe, type IntegrityDetails, type QualityProbe } from './quality-probe.ts';
import { noCrashPoints, type CrashPoint } from './test-hooks.ts';
import { compareWithBackup, type RestoreComparison } from './restore-diff.ts';

/** Name of the lease every migration, undo and restore takes. */
export const MIGRATION_LEASE = 'v1-migration';
/** Slug of the group for records with nowhere else to go. */
export const LEGACY_DEFAULT_SLUG = 'legacy-default';
/** Default records per batch (one transaction each; about 50 ms of blocked event loop on the reference machine). */
export const DEFAULT_BATCH_SIZE = 2000;
/** Default lease time-to-live: a crashed holder's lease can be taken over this long after its last renewal. */
export const DEFAULT_LEASE_TTL_MS = 60_000;
/** Default number of ids listed (conflicts, records a restore would lose). */
export const DEFAULT_ID_LIMIT = 20;

/**
 * Rates used for the duration estimate, measured on the 2-core reference machine with the 1M-record legacy
 * seed (`npm run bench`); rough by nature.
 */
export const ESTIMATE_RATES = {
  backupBytesPerSecond: 25_000_000,
  migratedRecordsPerSecond: 60_000,
  checkedRecordsPerSecond: 300_000,
};

const RESUMABLE_STATES: readonly RunState[] = ['backing_up', 'migrating', 'validating', 'failed'];

/** Why a run was marked superseded (kept on the run for `migration-status`). */
const SUPERSEDED_REASON =
  'superseded: none of its records holds what it wrote any more (the data was replaced since, e.g. by import --replace or seed --replace)';

/** The default backup folder of a store: `backups/` next to its file (the CLI's and Slack's default alike). */
export function defaultBackupDir(store: SqliteStore): string {
  return join(dirname(store.location), 'backups');
}

/** What the service needs besides the store. */
export interface MigrationDeps {
  /** Folder backups are written to. */
  backupDir: string;
  /** Wall clock (epoch ms) for timestamps, leases and `--now`. */
  now?: () => number;
  /** Monotonic clock (ms) for rates and ETAs. */
  monotonic?: () => number;
  /** New run ids. */
  newRunId?: () => string;
  /** Lease holder id of this process. */
  holderId?: () => string;
  leaseTtlMs?: number;
  /** The quality check used by pre-flight, dry run and validation. */
  quality?: QualityProbe;
  /** The threshold table metrics are judged by (defaults unless given). */
  thresholds?: ThresholdTable;
  /** Test crash points (see test-hooks.ts). */
  crash?: CrashPoint;
  /** Disk-space probe (tests): free bytes of the file system holding `dir`. */
  freeBytes?: (dir: string) => number;
}

/** Options of a migration run, dry run or pre-flight. */
export interface MigrateOptions {
  /** Who runs it (recorded on the run). */
  actor: string;
  batchSize?: number;
  /** Take a backup first (default true). */
  backup?: boolean;
  onProgress?: ProgressListener;
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
  resumableRun: { id: string; state: RunState; phase: string | null; cursor: number } | null;
  estimatedSeconds: number;
}

/** The dry-run report: what a run would change and the predicted metrics after it. */
export interface DryRunReport extends PreflightReport {
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

/** A lock another process holds. */
export class LockHeldError extends OpsError {
  constructor(readonly lease: Lease) {
    super(
      ErrorCode.LockHeld,
      `Another migration holds the lock: holder ${lease.holder} since ${new Date(lease.acquiredAt).toISOString()} ` +
        `(expires ${new Date(lease.expiresAt).toISOString()} unless renewed); wait for it, or rerun after that if the holder died.`,
    );
    this.name = 'LockHeldError';
  }
}

function defaultRunId(): string {
  return `mig_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

function defaultHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function emptyChanged(): Record<MigratedTable, number> {
  return { entities: 0, connections: 0, events: 0, knowledge: 0 };
}

function addAssignments(into: Partial<Record<AssignmentSource, number>>, from: Partial<Record<AssignmentSource, number>>): void {
  for (const [key, value] of Object.entries(from) as [AssignmentSource, number][]) into[key] = (into[key] ?? 0) + value;
}

/** Free bytes of the file system holding `dir` (its nearest existing ancestor). */
function statfsFreeBytes(dir: string): number {
  const stats = statfsSync(existingAncestor(dir));
  return Number(stats.bavail) * Number(stats.bsize);
}

function existingAncestor(dir: string): string {
  let current = resolve(dir);
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/** True when `dir` exists as a writable folder or can be created: its nearest existing ancestor is one. */
function isWritable(dir: string): boolean {
  try {
    const ancestor = existingAncestor(dir);
    // A path below a regular file can never be created, though the file itself may be writable.
    if (!statSync(ancestor).isDirectory()) return false;
    accessSync(ancestor, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Running totals of an exact undo. */
interface UndoTotals {
  entries: number;
  reverted: number;
  partial: number;
  conflictCount: number;
  missing: number;
  byTable: Record<string, number>;
}

function undoTotalsOf(run: RunRecord): UndoTotals {
  const saved = (run.result as { totals?: UndoTotals } | null)?.totals;
  return saved ? { ...saved, byTable: { ...saved.byTable } } : { entries: 0, reverted: 0, partial: 0, conflictCount: 0, missing: 0, byTable: {} };
}

function addUndoTotals(totals: UndoTotals, batch: UndoBatchResult): void {
  totals.entries += batch.entries;
  totals.reverted += batch.reverted;
  totals.partial += batch.partial;
  totals.conflictCount += batch.conflictCount;
  totals.missing += batch.missing;
  for (const [table, count] of Object.entries(batch.byTable)) totals.byTable[table] = (totals.byTable[table] ?? 0) + count;
}

/** The migration service over one SQLite store. */
export function createMigrationService(store: SqliteStore, deps: MigrationDeps) {
  const migrations = new SqliteMigrationStore(store);
  const now = deps.now ?? Date.now;
  const monotonic = deps.monotonic ?? (() => performance.now());
  const newRunId = deps.newRunId ?? defaultRunId;
  const holderId = deps.holderId ?? defaultHolderId;
  const leaseTtlMs = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const quality = deps.quality ?? sqliteQualityProbe(store, { thresholds: deps.thresholds });
  const crash = deps.crash ?? noCrashPoints;
  const freeBytes = deps.freeBytes ?? statfsFreeBytes;
  const backupDir = resolve(deps.backupDir);
  const lean = leanFor(store);

  async function lockState(at: number): Promise<LockState> {
    const lease = await store.getLease(MIGRATION_LEASE);
    if (!lease || lease.expiresAt <= at) return { held: false, holder: lease?.holder ?? null, since: lease?.acquiredAt ?? null, expiresAt: lease?.expiresAt ?? null };
    return { held: true, holder: lease.holder, since: lease.acquiredAt, expiresAt: lease.expiresAt };
  }

  async function changeCounts(): Promise<ChangeCounts> {
    const counts: ChangeCounts = {
      entities: await migrations.entityBreakdown(),
      connections: { records: await migrations.pendingCount('connections') },
      events: { records: await migrations.pendingCount('events') },
      knowledge: { records: await migrations.pendingCount('knowledge') },
      total: 0,
    };
    counts.total = counts.entities.records + counts.connections.records + counts.events.records + counts.knowledge.records;
    return counts;
  }

  function estimateSeconds(changes: number, backupBytes: number, records: number, backup: boolean): number {
    const seconds =
      (backup ? backupBytes / ESTIMATE_RATES.backupBytesPerSecond : 0) +
      changes / ESTIMATE_RATES.migratedRecordsPerSecond +
      (2 * records) / ESTIMATE_RATES.checkedRecordsPerSecond;
    return Math.ceil(seconds);
  }

  /** Step 1: everything `--validate-only` checks; writes nothing. `ownHolder` ignores our own lease. */
  async function preflight(options: { backup?: boolean; ownHolder?: string } = {}): Promise<PreflightReport> {
    return (await preflightWithCounts(options)).report;
  }

  async function preflightWithCounts(options: { backup?: boolean; ownHolder?: string }): Promise<{ report: PreflightReport; counts: QualityCounts }> {
    const at = now();
    const backup = options.backup ?? true;
    const changes = await changeCounts();
    const snapshot = await quality(at);
    const lock = await lockState(at);
    const estimatedBytes = migrations.estimateBackupBytes();
    const writable = isWritable(backupDir);
    let free: number | null = null;
    try {
      free = freeBytes(backupDir);
    } catch {
      free = null;
    }
    const blocking: string[] = [];
    const warnings: string[] = [];
    if (lock.held && lock.holder !== options.ownHolder) {
      blocking.push(
        `lock held by ${lock.holder} since ${new Date(lock.since!).toISOString()} (expires ${new Date(lock.expiresAt!).toISOString()})`,
      );
    }
    const needsBackup = backup && changes.total > 0;
    if (needsBackup && !writable) blocking.push(`backup folder ${backupDir} is not a writable folder and cannot be created: pass --backup-dir <writable folder>`);
    if (needsBackup && free !== null && free < estimatedBytes) {
      blocking.push(`backup folder ${backupDir} has ${free} bytes free, the backup needs about ${estimatedBytes}: free space or pass --backup-dir`);
    }
    if (!backup && changes.total > 0) warnings.push('no backup will be taken (--no-backup): only the exact undo can revert this run');
    const undoing = migrations.latestRunIn('undo', ['running']);
    if (undoing) blocking.push(`exact undo ${undoing.id} of run ${undoing.targetRunId} is unfinished: rerun \`ontology-ops rollback --run ${undoing.targetRunId}\` first`);
    let resumable = migrations.latestRunIn('migrate', RESUMABLE_STATES);
    if (resumable && isStale(resumable)) {
      warnings.push(`unfinished run ${resumable.id} will be marked superseded, not resumed: its data was replaced since`);
      resumable = null;
    }
    if (snapshot.details.orphanedConnections + snapshot.details.orphanedKnowledge > 0) {
      warnings.push('orphaned records exist: their groupIds come from the endpoint that exists, else legacy-default');
    }
    const records = migrations.totalRecords();
    const report: PreflightReport = {
      ok: blocking.length === 0,
      blocking,
      warnings,
      store: store.location,
      naming: store.namingSync().generation,
      v1MigrationCompleted: store.getMetaSync(META_KEYS.v1MigrationCompletedAt) !== null,
      changes,
      integrity: snapshot.details,
      metrics: snapshot.metrics,
      backup: { enabled: backup, dir: backupDir, writable, freeBytes: free, estimatedBytes },
      lock,
      resumableRun: resumable ? { id: resumable.id, state: resumable.state, phase: resumable.phase, cursor: resumable.cursor } : null,
      estimatedSeconds: estimateSeconds(changes.total, estimatedBytes, records, needsBackup),
    };
    return { report, counts: snapshot.counts };
  }

  /** Exactly what a run would change, and the metrics after it; writes nothing. */
  async function dryRun(options: { backup?: boolean } = {}): Promise<DryRunReport> {
    const { report, counts } = await preflightWithCounts(options);
    // The predicted metrics are for the same instant as today's, so the two can be compared line by line.
    const at = report.metrics.timestamp;
    const existingGroup = await store.findGroupBySlug(LEGACY_DEFAULT_SLUG);
    const { assignments: breakdown, crossGroupCreated: created } = await migrations.predict(existingGroup?._id ?? null);
    const predictedCounts: QualityCounts = {
      ...counts,
      entitiesMissingGroupId: 0,
      connectionsMissingGroupId: 0,
      eventsMissingGroupId: 0,
      knowledgeMissingGroupId: 0,
      v1Entities: counts.entities,
      crossGroupConnections: counts.crossGroupConnections + created.connections,
      crossGroupEvents: counts.crossGroupEvents + created.events,
    };
    return {
      ...report,
      dryRun: true,
      assignments: {
        entities: report.changes.entities.missingGroupId > 0 ? { legacyDefault: report.changes.entities.missingGroupId } : {},
        ...breakdown,
      },
      legacyDefaultGroup: { id: existingGroup?._id ?? null, wouldCreate: existingGroup === null && report.changes.total > 0 },
      predicted: {
        metrics: computeMetrics(predictedCounts, {
          now: at,
          groupId: null,
          v1MigrationCompleted: report.changes.total > 0 || report.v1MigrationCompleted,
          thresholds: deps.thresholds,
        }),
        crossGroupReferencesCreated: { ...created, total: created.connections + created.events },
      },
    };
  }

  async function takeLease(holder: string): Promise<void> {
    const result = await store.acquireLease(MIGRATION_LEASE, holder, leaseTtlMs, now());
    if (!result.acquired) throw new LockHeldError(result.heldBy);
  }

  function fenceFor(holder: string) {
    return { name: MIGRATION_LEASE, holder, ttlMs: leaseTtlMs, now: now() };
  }

  function auditEvent(type: string, groupId: string | null, metadata: Record<string, ConvexValue>): void {
    const fields: Record<string, ConvexValue> = { type, timestamp: now(), metadata };
    if (groupId !== null) fields.groupId = groupId;
    store.insertSync('events', fields);
  }

  function countsValue(changed: Record<string, number>): Record<string, ConvexValue> {
    const out: Record<string, ConvexValue> = {};
    for (const [table, count] of Object.entries(changed)) out[table] = count;
    return out;
  }

  function changedOf(progress: TableProgress): Record<MigratedTable, number> {
    const changed = emptyChanged();
    for (const table of MIGRATED_TABLES) changed[table] = progress[table]?.done ?? 0;
    return changed;
  }

  /** Steps 2–6; resumes the newest unfinished run when there is one. */
  async function run(options: MigrateOptions): Promise<RunReport> {
    const holder = holderId();
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const backup = options.backup ?? true;
    const emit = options.onProgress ?? (() => {});
    await takeLease(holder);
    let current: RunRecord | null = null;
    try {
      let resumed = false;
      const undoing = migrations.latestRunIn('undo', ['running']);
      if (undoing) {
        throw new OpsError(
          ErrorCode.PreflightFailed,
          `Exact undo ${undoing.id} of run ${undoing.targetRunId} is unfinished: finish it with \`ontology-ops rollback --run ${undoing.targetRunId}\` first.`,
        );
      }
      supersedeStaleRuns();
      current = migrations.latestRunIn('migrate', RESUMABLE_STATES);
      if (current) {
        resumed = true;
        const restart: Partial<RunRecord> = { holder, updatedAt: now(), error: null };
        if (current.state === 'failed') {
          // A failed run restarts its passes from the start of each table: records done are no longer pending.
          const wantedBackup = (current.plan as { backup?: boolean } | null)?.backup ?? backup;
          if (current.defaultGroupId === null && wantedBackup && current.backupFile === null) restart.state = 'backing_up';
          else if (current.defaultGroupId === null) restart.state = 'migrating';
          else Object.assign(restart, { state: 'migrating', phase: 'entities', cursor: 0 });
        }
        migrations.updateRun(current.id, restart);
        current = migrations.getRun(current.id)!;
      } else {
        const newId = newRunId();
        const preflightMeter = new StepMeter({ runId: newId, operation: 'migrate', phase: 'preflight' }, monotonic, 1);
        emit(preflightMeter.report(0));
        const report = await preflight({ backup, ownHolder: holder });
        emit(preflightMeter.report(1, true));
        if (!report.ok) {
          throw new OpsError(ErrorCode.PreflightFailed, `Pre-flight failed: ${report.blocking.join('; ')}.`);
        }
        if (report.changes.total === 0) {
          if (!report.v1MigrationCompleted) store.setMetaSync(META_KEYS.v1MigrationCompletedAt, new Date(now()).toISOString());
          return {
            runId: null,
            status: 'nothing_to_do',
            resumed: false,
            actor: options.actor,
            backupFile: null,
            defaultGroupId: (await store.findGroupBySlug(LEGACY_DEFAULT_SLUG))?._id ?? null,
            changed: emptyChanged(),
            assignments: {},
            schemaVersionsWritten: 0,
            validation: null,
            durationMs: 0,
            message: 'Nothing to change: every record has a groupId and every entity a schemaVersion ≥ 1.',
          };
        }
        const progress: TableProgress = {};
        for (const table of MIGRATED_TABLES) progress[table] = { total: report.changes[table].records, done: 0 };
        current = migrations.createRun({
          id: newId,
          kind: 'migrate',
          state: backup ? 'backing_up' : 'migrating',
          actor: options.actor,
          holder,
          startedAt: now(),
          batchSize,
          plan: { backup, changes: report.changes },
        });
        migrations.updateRun(current.id, { progress });
        current = migrations.getRun(current.id)!;
      }
      const runId = current.id;

      // Step 2: backup (redone from scratch after a crash during it: nothing was changed yet).
      if (current.state === 'backing_up') {
        const file = join(backupDir, `${basename(store.location).replace(/\.[^.]*$/, '')}-${runId}.zip`);
        mkdirSync(backupDir, { recursive: true });
        const meter = new StepMeter({ runId, operation: 'migrate', phase: 'backup' }, monotonic, migrations.totalRecords() + otherDocuments());
        let lastRenew = monotonic();
        const result = await writeBackup(store, file, {
          now: now(),
          runId,
          v1MigrationCompletedAt: store.getMetaSync(META_KEYS.v1MigrationCompletedAt),
          crash,
          onProgress: (documents) => {
            if (monotonic() - lastRenew > leaseTtlMs / 4) {
              migrations.fence(fenceFor(holder));
              lastRenew = monotonic();
            }
            emit(meter.report(documents));
          },
        });
        emit(meter.report(result.manifest.tables.reduce((sum, table) => sum + table.documents, 0), true));
        migrations.updateRun(runId, { state: 'migrating', backupFile: result.path, updatedAt: now() });
        current = migrations.getRun(runId)!;
      }

      // Step 3: the legacy-default group and the start event, with the first checkpoint.
      if (current.defaultGroupId === null) {
        migrations.transaction(() => {
          migrations.fence(fenceFor(holder));
          const existing = store.database.prepare('SELECT id FROM groups WHERE slug = ? ORDER BY rowid LIMIT 1').pluck().get(LEGACY_DEFAULT_SLUG) as
            | string
            | undefined;
          let groupId = existing;
          if (groupId === undefined) {
            const at = now();
            groupId = store.insertSync('groups', {
              slug: LEGACY_DEFAULT_SLUG,
              name: 'Legacy default',
              type: 'organization',
              description: 'Records the v1 migration found without a group and could not place elsewhere.',
              metadata: { createdByMigrationRun: runId },
              settings: {},
              status: 'active',
              createdAt: at,
              updatedAt: at,
            })._id;
          }
          migrations.updateRun(runId, {
            defaultGroupId: groupId,
            defaultGroupCreated: existing === undefined,
            phase: MIGRATED_TABLES[0],
            cursor: 0,
            updatedAt: now(),
          });
          auditEvent('migration_started', groupId, {
            migrationRunId: runId,
            actor: current!.actor,
            plannedCounts: countsValue(Object.fromEntries(MIGRATED_TABLES.map((table) => [table, current!.progress[table]?.total ?? 0]))),
            backupFile: current!.backupFile,
          });
        });
        current = migrations.getRun(runId)!;
      }

      // Step 4: batches, from the checkpoint.
      // Assignment counts live in the checkpoint, so a resumed run reports the whole run.
      const saved = (current.result as { totals?: { assignments: Partial<Record<AssignmentSource, number>>; schemaVersions: number } } | null)?.totals;
      const totals = { assignments: { ...(saved?.assignments ?? {}) }, schemaVersions: saved?.schemaVersions ?? 0 };
      let phaseIndex = MIGRATED_TABLES.indexOf((current.phase ?? MIGRATED_TABLES[0]) as MigratedTable);
      if (current.state === 'validating') phaseIndex = MIGRATED_TABLES.length;
      let cursor = current.cursor;
      let batches = current.batches;
      const progress = current.progress;
      for (; phaseIndex >= 0 && phaseIndex < MIGRATED_TABLES.length; phaseIndex++) {
        const table = MIGRATED_TABLES[phaseIndex]!;
        const entry = progress[table] ?? { total: 0, done: 0 };
        entry.total = entry.done + (await migrations.pendingCount(table, cursor));
        progress[table] = entry;
        const meter = new StepMeter({ runId, operation: 'migrate', phase: table as ProgressPhase }, monotonic, entry.total, entry.done);
        emit(meter.report(entry.done));
        for (;;) {
          await yieldToEventLoop();
          const batchNumber = batches + 1;
          const result: BatchResult = migrations.applyBatch({
            runId,
            table,
            cursor,
            limit: batchSize,
            defaultGroupId: current.defaultGroupId!,
            fence: fenceFor(holder),
            checkpoint: (batch) => {
              entry.done += batch.changed;
              addAssignments(totals.assignments, batch.assignments);
              totals.schemaVersions += batch.schemaVersionsWritten;
              return { phase: table, cursor: batch.cursor, progress, batches: batchNumber, updatedAt: now(), result: { totals } };
            },
            beforeCommit: () => crash(`in-batch:${batchNumber}`),
          });
          batches = batchNumber;
          cursor = result.cursor;
          crash(`batch:${batchNumber}`);
          if (result.finished) break;
          emit(meter.report(entry.done));
        }
        emit(meter.report(entry.done, true));
        const next = MIGRATED_TABLES[phaseIndex + 1];
        migrations.updateRun(runId, next ? { phase: next, cursor: 0, updatedAt: now() } : { state: 'validating', phase: 'validation', cursor: 0, updatedAt: now() });
        cursor = 0;
        crash(`table:${table}`);
      }
      crash('validating');

      // Step 5: validation.
      migrations.fence(fenceFor(holder));
      const validationMeter = new StepMeter({ runId, operation: 'migrate', phase: 'validation' }, monotonic, 1);
      emit(validationMeter.report(0));
      const after = await quality(now());
      emit(validationMeter.report(1, true));
      const createdCross = await migrations.crossGroupCreatedByRun(runId);
      const problems: string[] = [];
      if (after.metrics.missingGroupIds !== 0) problems.push(`missingGroupIds is ${after.metrics.missingGroupIds}, expected 0`);
      if (after.metrics.schemaComplianceScore !== 100) problems.push(`schemaComplianceScore is ${after.metrics.schemaComplianceScore}, expected 100`);
      const ok = problems.length === 0;

      // Step 6: record the outcome.
      const finishedAt = now();
      const finalRun = migrations.getRun(runId)!;
      const changed = changedOf(finalRun.progress);
      const validation = {
        ok,
        problems,
        metrics: after.metrics,
        integrity: after.details,
        crossGroupReferencesCreated: { ...createdCross, total: createdCross.connections + createdCross.events },
      };
      migrations.transaction(() => {
        migrations.fence(fenceFor(holder));
        migrations.updateRun(runId, {
          state: ok ? 'completed' : 'failed',
          finishedAt,
          updatedAt: finishedAt,
          result: { validation, journalEntries: journalEntriesOf(finalRun), totals },
          error: ok ? null : `validation failed: ${problems.join('; ')}`,
        });
        if (ok) store.setMetaSync(META_KEYS.v1MigrationCompletedAt, new Date(finishedAt).toISOString());
        auditEvent(ok ? 'migration_completed' : 'migration_failed', finalRun.defaultGroupId, {
          migrationRunId: runId,
          actor: finalRun.actor,
          counts: countsValue(changed),
          crossGroupReferencesCreated: validation.crossGroupReferencesCreated.total,
          backupFile: finalRun.backupFile,
          durationMs: finishedAt - finalRun.startedAt,
          ...(ok ? {} : { reason: 'validation' }),
        });
      });
      return {
        runId,
        status: ok ? 'completed' : 'failed',
        resumed,
        actor: finalRun.actor,
        backupFile: finalRun.backupFile,
        defaultGroupId: finalRun.defaultGroupId,
        changed,
        assignments: totals.assignments,
        schemaVersionsWritten: totals.schemaVersions,
        validation,
        durationMs: finishedAt - finalRun.startedAt,
        message: ok
          ? `Migration ${runId} completed: ${Object.values(changed).reduce((a, b) => a + b, 0)} records changed, ` +
            `${validation.crossGroupReferencesCreated.total} cross-group references created.`
          : `Migration ${runId} failed validation: ${problems.join('; ')}. Rerun \`ontology-ops migrate\` to resume it.`,
      };
    } catch (error) {
      if (current && !(error instanceof LeaseLostError) && !(error instanceof LockHeldError)) {
        const failed = current;
        try {
          migrations.transaction(() => {
            migrations.updateRun(failed.id, { state: 'failed', error: error instanceof Error ? error.message.slice(0, 500) : String(error), updatedAt: now() });
            const latest = migrations.getRun(failed.id)!;
            if (latest.defaultGroupId !== null) {
              auditEvent('migration_failed', latest.defaultGroupId, {
                migrationRunId: failed.id,
                actor: latest.actor,
                counts: countsValue(changedOf(latest.progress)),
                backupFile: latest.backupFile,
                durationMs: now() - latest.startedAt,
                reason: 'error',
              });
            }
          });
        } catch {
          // Recording the failure is best effort: the checkpoint already holds what was committed.
        }
        if (!(error instanceof OpsError)) {
          const run = migrations.getRun(failed.id);
          throw new OpsError(
            ErrorCode.MigrationFailed,
            `Migration ${failed.id} failed in ${run?.phase ?? 'setup'} after position ${run?.cursor ?? 0}: ${(error as Error).message}. ` +
              'Committed batches are kept; rerun `ontology-ops migrate` to resume.',
            { cause: error },
          );
        }
      }
      throw error;
    } finally {
      await store.releaseLease(MIGRATION_LEASE, holder);
    }
  }

  function otherDocuments(): number {
    return (store.database.prepare('SELECT COUNT(*) AS n FROM other_documents').get() as { n: number }).n;
  }

  /** Runs with state, progress, checkpoint, backup file, who and when; newest first. */
  async function status(options: { limit?: number } = {}): Promise<StatusReport> {
    const runs = migrations.listRuns(undefined, options.limit ?? 20).map((run) => {
      const totals = Object.values(run.progress).reduce((acc, entry) => ({ total: acc.total + entry.total, done: acc.done + entry.done }), {
        total: 0,
        done: 0,
      });
      const percent = run.state === 'completed' || run.state === 'rolled_back' ? 100 : totals.total > 0 ? Math.floor((100 * totals.done) / totals.total) : 0;
      return { ...run, percent };
    });
    return { lock: await lockState(now()), v1MigrationCompletedAt: store.getMetaSync(META_KEYS.v1MigrationCompletedAt), runs };
  }

  function requireMigrationRun(runId: string): RunRecord {
    const run = migrations.getRun(runId);
    if (!run || run.kind !== 'migrate') {
      throw new NotFoundError(`No migration run ${runId}: see \`ontology-ops migration-status\` for run ids.`);
    }
    return run;
  }

  function refuseSuperseded(runId: string): never {
    throw new OpsError(
      ErrorCode.Conflict,
      `Run ${runId} is superseded: none of its records holds what it wrote any more (the data was replaced since), so there is nothing to undo; ` +
        'see `ontology-ops migration-status`.',
    );
  }

  /** Exact undo of one run (`dryRun`: counts and conflicts only, nothing written). */
  async function undoRun(
    runId: string,
    options: { actor: string; dryRun?: boolean; batchSize?: number; idLimit?: number; onProgress?: ProgressListener },
  ): Promise<UndoReport> {
    const target = requireMigrationRun(runId);
    // A dry run marks nothing, but answers as the undo itself would once it marked the run.
    if (target.state === 'superseded' || (options.dryRun && isStale(target))) refuseSuperseded(target.id);
    const idLimit = options.idLimit ?? DEFAULT_ID_LIMIT;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const emit = options.onProgress ?? (() => {});
    const defaultText = target.defaultGroupId === null ? null : JSON.stringify(target.defaultGroupId);
    const existingUndo = migrations.undoRunOf(runId);
    if (existingUndo?.state === 'completed') {
      const totals = undoTotalsOf(existingUndo);
      const recorded = migrations.recordedConflicts(existingUndo.id, idLimit);
      return {
        runId,
        undoRunId: existingUndo.id,
        status: 'already_undone',
        ...totals,
        conflicts: recorded.conflicts,
        legacyDefaultGroup: {
          id: target.defaultGroupId,
          removed: target.defaultGroupId !== null && store.getSync('groups', target.defaultGroupId) === null,
          references: target.defaultGroupId === null ? 0 : migrations.groupReferences(target.defaultGroupId),
        },
        v1MigrationCompletedCleared: (existingUndo.result as { v1MigrationCompletedCleared?: boolean } | null)?.v1MigrationCompletedCleared ?? false,
      };
    }

    const totals: UndoBatchResult = { cursor: 0, finished: false, entries: 0, reverted: 0, partial: 0, conflictCount: 0, conflicts: [], missing: 0, byTable: {}, defaultGroupReleased: 0 };
    const accumulate = (batch: UndoBatchResult) => {
      addUndoTotals(totals, batch);
      for (const conflict of batch.conflicts) if (totals.conflicts.length < idLimit) totals.conflicts.push(conflict);
    };

    if (options.dryRun) {
      // Counts what a fresh undo would do now; an interrupted undo's finished part is already reverted.
      let cursor = Math.max(existingUndo?.cursor ?? 0, target.journalStart);
      let releases = 0;
      for (;;) {
        await yieldToEventLoop();
        const batch = migrations.undoBatch({ targetRunId: runId, cursor, limit: batchSize, conflictLimit: idLimit, defaultGroupText: defaultText });
        accumulate(batch);
        releases += batch.defaultGroupReleased;
        cursor = batch.cursor;
        if (batch.finished) break;
      }
      const references = target.defaultGroupId === null ? 0 : migrations.groupReferences(target.defaultGroupId) - releases;
      return {
        runId,
        undoRunId: null,
        status: 'dry_run',
        ...pickTotals(totals),
        legacyDefaultGroup: { id: target.defaultGroupId, removed: target.defaultGroupCreated && references === 0, references },
        v1MigrationCompletedCleared: target.state === 'completed' && otherCompletedRuns(runId) === 0,
      };
    }

    const holder = holderId();
    await takeLease(holder);
    try {
      if (supersedeStaleRuns().includes(runId)) refuseSuperseded(runId);
      let undo = existingUndo;
      if (undo) {
        migrations.updateRun(undo.id, { holder, state: 'running', error: null, updatedAt: now() });
      } else {
        undo = migrations.createRun({
          id: newRunId(),
          kind: 'undo',
          state: 'running',
          actor: options.actor,
          holder,
          targetRunId: runId,
          startedAt: now(),
          batchSize,
          phase: 'undo',
        });
      }
      const undoId = undo.id;
      // Running totals live in the undo run's checkpoint, so a resumed undo reports the whole undo.
      const totals = undoTotalsOf(undo);
      const entries = journalEntriesOf(target);
      const progress: TableProgress = { undo: { total: entries, done: totals.entries } };
      const meter = new StepMeter({ runId: undoId, operation: 'undo', phase: 'undo' }, monotonic, entries, totals.entries);
      let cursor = Math.max(undo.cursor, target.journalStart);
      let batches = undo.batches;
      emit(meter.report(totals.entries));
      for (;;) {
        await yieldToEventLoop();
        const batchNumber = batches + 1;
        const batch = migrations.undoBatch({
          targetRunId: runId,
          cursor,
          limit: batchSize,
          conflictLimit: 0,
          defaultGroupText: defaultText,
          apply: {
            undoRunId: undoId,
            fence: fenceFor(holder),
            checkpoint: (result) => {
              addUndoTotals(totals, result);
              progress.undo!.done = totals.entries;
              return { phase: 'undo', cursor: result.cursor, progress, batches: batchNumber, updatedAt: now(), result: { totals } };
            },
            beforeCommit: () => crash(`in-undo-batch:${batchNumber}`),
          },
        });
        batches = batchNumber;
        cursor = batch.cursor;
        crash(`undo-batch:${batchNumber}`);
        emit(meter.report(progress.undo!.done, batch.finished));
        if (batch.finished) break;
      }

      // Finish in one transaction: the legacy-default group, the run states, the v1 marker, the event.
      const recorded = migrations.recordedConflicts(undoId, idLimit);
      let removed = false;
      let cleared = false;
      let references = 0;
      const finishedAt = now();
      migrations.transaction(() => {
        migrations.fence(fenceFor(holder));
        if (target.defaultGroupId !== null) {
          references = migrations.groupReferences(target.defaultGroupId);
          if (target.defaultGroupCreated && references === 0) removed = migrations.deleteGroup(target.defaultGroupId);
        }
        migrations.updateRun(runId, { state: 'rolled_back', updatedAt: finishedAt });
        if (otherCompletedRuns(runId) === 0 && store.getMetaSync(META_KEYS.v1MigrationCompletedAt) !== null && target.state === 'completed') {
          migrations.clearMeta(META_KEYS.v1MigrationCompletedAt);
          cleared = true;
        }
        const result = { totals, legacyDefaultGroupRemoved: removed, v1MigrationCompletedCleared: cleared };
        migrations.updateRun(undoId, { state: 'completed', finishedAt, updatedAt: finishedAt, result });
        auditEvent('rollback_completed', target.defaultGroupId, {
          migrationRunId: runId,
          rollbackRunId: undoId,
          actor: undo!.actor,
          mode: 'undo',
          reverted: totals.reverted + totals.partial,
          conflicts: totals.conflictCount,
          legacyDefaultGroupRemoved: removed,
          durationMs: finishedAt - undo!.startedAt,
        });
      });
      return {
        runId,
        undoRunId: undoId,
        status: 'completed',
        ...totals,
        conflicts: recorded.conflicts,
        legacyDefaultGroup: { id: target.defaultGroupId, removed, references },
        v1MigrationCompletedCleared: cleared,
      };
    } finally {
      await store.releaseLease(MIGRATION_LEASE, holder);
    }
  }

  /** Journal entries a migration run wrote: one per record it changed, counted with each batch. */
  function journalEntriesOf(run: RunRecord): number {
    return MIGRATED_TABLES.reduce((sum, table) => sum + (run.progress[table]?.done ?? 0), 0);
  }

  function pickTotals(totals: UndoBatchResult) {
    return {
      entries: totals.entries,
      reverted: totals.reverted,
      partial: totals.partial,
      conflictCount: totals.conflictCount,
      missing: totals.missing,
      conflicts: totals.conflicts,
      byTable: totals.byTable,
    };
  }

  /** Completed migration runs other than `runId` whose changes are still in the data. */
  function otherCompletedRuns(runId: string): number {
    return migrations
      .listRuns('migrate', 1_000_000)
      .filter((run) => run.id !== runId && run.state === 'completed' && migrations.holdsWrittenValues(run)).length;
  }

  /** True when `run`'s data is gone and it must be marked superseded (see `supersedeStaleRuns`). */
  function isStale(run: RunRecord): boolean {
    // An unfinished undo reverted part or all of the run's journal already: the run's own undo must finish it.
    if (migrations.undoRunOf(run.id)?.state === 'running') return false;
    const unfinishedWithoutGroup =
      RESUMABLE_STATES.includes(run.state) && run.defaultGroupId !== null && store.getSync('groups', run.defaultGroupId) === null;
    return (run.state === 'completed' || unfinishedWithoutGroup) && !migrations.holdsWrittenValues(run);
  }

  /**
   * Marks as superseded the migration runs whose data is gone (replaced by `import --replace`, `seed --replace`
   * or an outside restore): a completed run none of whose records holds what it wrote, or an unfinished run in
   * the same case whose legacy-default group no longer exists. Such a run must not be resumed (it would assign
   * a group that is gone), undone, or count as a completed migration. When that leaves no completed run, the
   * v1 marker set by the superseded runs no longer describes the data and is cleared. Call with the lease held.
   */
  function supersedeStaleRuns(): string[] {
    const runs = migrations.listRuns('migrate', 1_000_000);
    const stale = runs.filter(isStale);
    if (stale.length === 0) return [];
    migrations.transaction(() => {
      for (const run of stale) {
        migrations.updateRun(run.id, { state: 'superseded', updatedAt: now(), error: run.error ? `${SUPERSEDED_REASON}; before: ${run.error}` : SUPERSEDED_REASON });
      }
      const completedLeft = runs.some((run) => run.state === 'completed' && !stale.includes(run));
      if (!completedLeft && stale.some((run) => run.state === 'completed')) migrations.clearMeta(META_KEYS.v1MigrationCompletedAt);
    });
    return stale.map((run) => run.id);
  }

  /** Checks a backup (manifest, checksums, every line, counts); changes nothing. */
  async function verifyBackup(file: string): Promise<BackupVerification> {
    return verifyBackupFile(file);
  }

  /**
   * Full restore from a backup. `verify`: check only. `dryRun`: check and report what would change, including
   * records written since the backup that would be lost. Otherwise replace the ontology atomically.
   */
  async function restoreBackup(
    file: string,
    options: { actor: string; verify?: boolean; dryRun?: boolean; idLimit?: number; allowOtherStore?: boolean; onProgress?: ProgressListener },
  ): Promise<RestoreReport> {
    const verification = await verifyBackupFile(file);
    if (options.verify) return { status: 'verified', restoreRunId: null, backup: verification, comparison: null, documentsRestored: 0 };
    if (verification.manifest.source !== store.location && !options.allowOtherStore) {
      throw new BackupInvalidError(
        `${verification.path}: backup of ${verification.manifest.source}, not of ${store.location}: pass --allow-other-store to restore it here.`,
      );
    }
    if (options.dryRun) {
      const comparison = await compareWithBackup(store, verification.path, options.idLimit ?? DEFAULT_ID_LIMIT);
      return { status: 'dry_run', restoreRunId: null, backup: verification, comparison, documentsRestored: 0 };
    }
    const holder = holderId();
    await takeLease(holder);
    const emit = options.onProgress ?? (() => {});
    const runId = newRunId();
    try {
      const startedAt = now();
      // We hold the lock, so a restore still marked running was interrupted; its import rolled back whole.
      for (const stale of migrations.listRuns('restore', 1_000_000).filter((run) => run.state === 'running')) {
        migrations.updateRun(stale.id, { state: 'failed', error: 'interrupted before it completed; nothing was restored', updatedAt: startedAt });
      }
      migrations.createRun({
        id: runId,
        kind: 'restore',
        state: 'running',
        actor: options.actor,
        holder,
        startedAt,
        batchSize: 0,
        backupFile: verification.path,
        phase: 'restore',
      });
      // Progress of a restore counts bytes of the backup's documents read (what the import reports).
      let meter: StepMeter | null = null;
      let reports = 0;
      let lastBytes = 0;
      migrations.fence(fenceFor(holder));
      await importSnapshot(store, verification.path, {
        replace: true,
        onProgress: (doneBytes, totalBytes) => {
          meter ??= new StepMeter({ runId, operation: 'restore', phase: 'restore' }, monotonic, totalBytes);
          lastBytes = doneBytes;
          crash(`restore:${++reports}`);
          emit(meter.report(doneBytes));
        },
      });
      if (meter) emit((meter as StepMeter).report(lastBytes, true));
      const finishedAt = now();
      migrations.transaction(() => {
        migrations.fence(fenceFor(holder));
        const marker = verification.manifest.v1MigrationCompletedAt;
        if (marker === null) migrations.clearMeta(META_KEYS.v1MigrationCompletedAt);
        else store.setMetaSync(META_KEYS.v1MigrationCompletedAt, marker);
        // Runs from the backup on no longer describe the data: their journals must not be undone.
        for (const run of migrations.listRuns('migrate', 1_000_000)) {
          const settled = run.state === 'rolled_back' || run.state === 'superseded';
          if ((run.id === verification.manifest.runId || run.startedAt >= verification.manifest.createdAt) && !settled) {
            migrations.updateRun(run.id, { state: 'rolled_back', updatedAt: finishedAt });
          }
        }
        migrations.updateRun(runId, {
          state: 'completed',
          finishedAt,
          updatedAt: finishedAt,
          result: { documentsRestored: verification.documents, backupRunId: verification.manifest.runId },
        });
        const group = store.database.prepare('SELECT id FROM groups WHERE slug = ? ORDER BY rowid LIMIT 1').pluck().get(LEGACY_DEFAULT_SLUG) as
          | string
          | undefined;
        auditEvent('rollback_completed', group ?? null, {
          rollbackRunId: runId,
          migrationRunId: verification.manifest.runId,
          actor: options.actor,
          mode: 'restore',
          backupFile: verification.path,
          documentsRestored: verification.documents,
          durationMs: finishedAt - startedAt,
        });
      });
      return { status: 'completed', restoreRunId: runId, backup: verification, comparison: null, documentsRestored: verification.documents };
    } catch (error) {
      migrations.updateRun(runId, { state: 'failed', error: error instanceof Error ? error.message.slice(0, 500) : String(error), updatedAt: now() });
      throw error;
    } finally {
      await store.releaseLease(MIGRATION_LEASE, holder);
    }
  }

  return {
    preflight: lean(preflight),
    dryRun: lean(dryRun),
    run: lean(run),
    status,
    undoRun: lean(undoRun),
    verifyBackup,
    restoreBackup: lean(restoreBackup),
  };
}

/**
 * SQLite page cache (KiB) of the store's connection while a migration operation runs. Each record is read and
 * written about once, so a large cache buys nothing and would keep the process far above its memory budget on a
 * million-record store (measured: peak RSS 436 MB instead of 553 MB, same duration).
 */
const MIGRATION_PAGE_CACHE_KIB = 8192;

/** Wraps an operation so it runs with the migration's page cache size, restoring the previous one after. */
function leanFor(store: SqliteStore) {
  let depth = 0;
  return <Args extends unknown[], Result>(operation: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      const previous = store.database.pragma('cache_size', { simple: true }) as number;
      if (depth++ === 0) store.database.pragma(`cache_size = -${MIGRATION_PAGE_CACHE_KIB}`);
      try {
        return await operation(...args);
      } finally {
        if (--depth === 0) store.database.pragma(`cache_size = ${previous}`);
      }
    };
}

/** The migration service. */
export type MigrationService = ReturnType<typeof createMigrationService>;
