/**
 * What the migration's use cases (plan, run, undo, restore, runs) share: the ports and clocks resolved from
 * `MigrationDeps`, the lock, run lookups paged through the port, and the superseded-run rule.
 */
import type { ConvexValue } from '../ontology/values.ts';
import type { ThresholdTable } from '../quality/thresholds.ts';
import type { DocumentStore, LeaseStore, MetaStore } from '../store/port.ts';
import { LockHeldError, MIGRATION_LEASE } from './lease.ts';
import {
  V1_MIGRATION_COMPLETED_KEY,
  type AuditEvent,
  type BackupPort,
  type LeaseFence,
  type MigrationStore,
  type RunKind,
  type RunRecord,
  type RunState,
} from './port.ts';
import type { QualityProbe } from './quality-probe.ts';
import type { CrashPoint } from './test-hooks.ts';
import type { LockState } from './types.ts';

/** States of a migration run that `migrate` resumes. */
export const RESUMABLE_STATES: readonly RunState[] = ['backing_up', 'migrating', 'validating', 'failed'];

/** Why a run was marked superseded (kept on the run for `migration-status`). */
export const SUPERSEDED_REASON =
  'superseded: none of its records holds what it wrote any more (the data was replaced since, e.g. by import --replace or seed --replace)';

/** Runs read per page when the service walks the run registry. */
const RUN_PAGE = 100;

/** Everything a use case needs, resolved. */
export interface MigrationContext {
  migrations: MigrationStore;
  backups: BackupPort;
  leases: LeaseStore;
  meta: MetaStore;
  documents: DocumentStore;
  quality: QualityProbe;
  thresholds: ThresholdTable | undefined;
  backupDir: string;
  now: () => number;
  monotonic: () => number;
  newRunId: () => string;
  holderId: () => string;
  leaseTtlMs: number;
  crash: CrashPoint;
  freeBytes: (dir: string) => number;
}

/** Lets the event loop run (Slack acks, progress output) between two steps of a long operation. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The lock as of `at`. */
export async function lockState(context: MigrationContext, at: number): Promise<LockState> {
  const lease = await context.leases.getLease(MIGRATION_LEASE);
  if (!lease || lease.expiresAt <= at) return { held: false, holder: lease?.holder ?? null, since: lease?.acquiredAt ?? null, expiresAt: lease?.expiresAt ?? null };
  return { held: true, holder: lease.holder, since: lease.acquiredAt, expiresAt: lease.expiresAt };
}

/** Takes the migration lock for `holder` or throws `LockHeldError`. */
export async function takeLease(context: MigrationContext, holder: string): Promise<void> {
  const result = await context.leases.acquireLease(MIGRATION_LEASE, holder, context.leaseTtlMs, context.now());
  if (!result.acquired) throw new LockHeldError(result.heldBy);
}

/** Gives the migration lock up. */
export async function releaseLease(context: MigrationContext, holder: string): Promise<void> {
  await context.leases.releaseLease(MIGRATION_LEASE, holder);
}

/** The fence of a write step by `holder`, as of now. */
export function fenceFor(context: MigrationContext, holder: string): LeaseFence {
  return { name: MIGRATION_LEASE, holder, ttlMs: context.leaseTtlMs, now: context.now() };
}

/** The store's v1-migration-completed marker (ISO time) or null. */
export function v1Marker(context: MigrationContext): Promise<string | null> {
  return context.meta.getMeta(V1_MIGRATION_COMPLETED_KEY);
}

/** An audit event stamped now. */
export function auditEvent(context: MigrationContext, type: string, groupId: string | null, metadata: Record<string, ConvexValue>): AuditEvent {
  return { type, groupId, timestamp: context.now(), metadata };
}

/** Every run matching `query`, newest first, read one page at a time (the registry holds few runs). */
export async function allRuns(context: MigrationContext, query: { kind?: RunKind; states?: readonly RunState[]; targetRunId?: string }): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: { runs: RunRecord[]; continueCursor: string | null } = await context.migrations.findRuns(query, cursor, RUN_PAGE);
    runs.push(...page.runs);
    cursor = page.continueCursor;
  } while (cursor !== null);
  return runs;
}

/** The newest run matching `query`, or null. */
export async function latestRun(context: MigrationContext, query: { kind: RunKind; states?: readonly RunState[]; targetRunId?: string }): Promise<RunRecord | null> {
  return (await context.migrations.findRuns(query, null, 1)).runs[0] ?? null;
}

/** True when `run`'s data is gone and it must be marked superseded (see `supersedeStaleRuns`). */
export async function isStale(context: MigrationContext, run: RunRecord): Promise<boolean> {
  // An unfinished undo reverted part or all of the run's journal already: the run's own undo must finish it.
  if ((await latestRun(context, { kind: 'undo', targetRunId: run.id }))?.state === 'running') return false;
  const unfinishedWithoutGroup =
    RESUMABLE_STATES.includes(run.state) && run.defaultGroupId !== null && (await context.documents.get('groups', run.defaultGroupId)) === null;
  return (run.state === 'completed' || unfinishedWithoutGroup) && !(await context.migrations.holdsWrittenValues(run.id));
}

/**
 * Marks as superseded the migration runs whose data is gone (replaced by `import --replace`, `seed --replace`
 * or an outside restore): a completed run none of whose records holds what it wrote, or an unfinished run in
 * the same case whose legacy-default group no longer exists. Such a run must not be resumed (it would assign
 * a group that is gone), undone, or count as a completed migration. When that leaves no completed run, the
 * v1 marker set by the superseded runs no longer describes the data and is cleared. Call with the lease held.
 */
export async function supersedeStaleRuns(context: MigrationContext, holder: string): Promise<string[]> {
  const runs = await allRuns(context, { kind: 'migrate' });
  const stale: RunRecord[] = [];
  for (const run of runs) if (await isStale(context, run)) stale.push(run);
  if (stale.length === 0) return [];
  const completedLeft = runs.some((run) => run.state === 'completed' && !stale.includes(run));
  await context.migrations.markSuperseded({
    runIds: stale.map((run) => run.id),
    fence: fenceFor(context, holder),
    reason: SUPERSEDED_REASON,
    v1Marker: !completedLeft && stale.some((run) => run.state === 'completed') ? 'clear' : 'keep',
  });
  return stale.map((run) => run.id);
}

/** Completed migration runs other than `runId` whose changes are still in the data. */
export async function otherCompletedRuns(context: MigrationContext, runId: string): Promise<number> {
  let count = 0;
  for (const run of await allRuns(context, { kind: 'migrate', states: ['completed'] })) {
    if (run.id !== runId && (await context.migrations.holdsWrittenValues(run.id))) count++;
  }
  return count;
}

/** Runs `operation` inside the migration store's operation scope. */
export async function scoped<T>(context: MigrationContext, operation: () => Promise<T>): Promise<T> {
  const scope = context.migrations.operationScope();
  try {
    return await operation();
  } finally {
    scope.end();
  }
}
