/**
 * Planning a run without changing anything: the pre-flight (`migrate --validate-only`) and the dry run
 * (`migrate --dry-run`), which predicts per table how groupIds would be assigned and the metrics after the run.
 * Counts and predictions page through the migration store one bounded page per call, so memory stays flat
 * however large the store is.
 */
import { accessSync, constants, existsSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { computeMetrics } from '../quality/metrics.ts';
import { compareMetrics, type CrossGroupCause } from '../quality/regressions.ts';
import type { QualityCounts } from '../quality/tally.ts';
import { isStale, latestRun, lockState, nextTurn, RESUMABLE_STATES, v1Marker, type MigrationContext } from './context.ts';
import type { AssignmentCounts, MigratedTable } from './port.ts';
import type { ChangeCounts, DryRunReport, PlannedPreflightReport, PreflightReport } from './types.ts';

/** Slug of the group for records with nowhere else to go. */
export const LEGACY_DEFAULT_SLUG = 'legacy-default';

/**
 * Rates used for the duration estimate, measured on the 2-core reference machine with the 1M-record legacy
 * seed (`npm run bench`); rough by nature.
 */
export const ESTIMATE_RATES = {
  backupBytesPerSecond: 25_000_000,
  migratedRecordsPerSecond: 60_000,
  checkedRecordsPerSecond: 300_000,
};

/** Free bytes of the file system holding `dir` (its nearest existing ancestor). */
export function statfsFreeBytes(dir: string): number {
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

/** Pending records of `table` after the batch cursor `after`, summed over the store's count pages. */
export async function pendingCounts(
  context: Pick<MigrationContext, 'migrations'>,
  table: MigratedTable,
  after: string | null = null,
): Promise<{ records: number; missingGroupId: number; schemaVersion: number }> {
  const totals = { records: 0, missingGroupId: 0, schemaVersion: 0 };
  let page: string | null = null;
  do {
    const counts: Awaited<ReturnType<typeof context.migrations.countPendingPage>> = await context.migrations.countPendingPage(table, after, page);
    totals.records += counts.records;
    totals.missingGroupId += counts.missingGroupId;
    totals.schemaVersion += counts.schemaVersion;
    page = counts.continueCursor;
    await nextTurn();
  } while (page !== null);
  return totals;
}

async function changeCounts(context: MigrationContext): Promise<ChangeCounts> {
  const counts: ChangeCounts = {
    entities: await pendingCounts(context, 'entities'),
    connections: { records: (await pendingCounts(context, 'connections')).records },
    events: { records: (await pendingCounts(context, 'events')).records },
    knowledge: { records: (await pendingCounts(context, 'knowledge')).records },
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

/** Step 1 with the exact quality counts it took; `ownHolder` ignores our own lease. */
export async function preflightWithCounts(
  context: MigrationContext,
  options: { backup?: boolean; ownHolder?: string },
): Promise<{ report: PreflightReport; counts: QualityCounts }> {
  const at = context.now();
  const backup = options.backup ?? true;
  const changes = await changeCounts(context);
  const snapshot = await context.quality(at);
  const lock = await lockState(context, at);
  const estimate = await context.backups.estimate();
  const estimatedBytes = estimate.bytes;
  const backupDir = context.backupDir;
  const writable = isWritable(backupDir);
  let free: number | null = null;
  try {
    free = context.freeBytes(backupDir);
  } catch {
    free = null;
  }
  const blocking: string[] = [];
  const warnings: string[] = [];
  if (lock.held && lock.holder !== options.ownHolder) {
    blocking.push(`lock held by ${lock.holder} since ${new Date(lock.since!).toISOString()} (expires ${new Date(lock.expiresAt!).toISOString()})`);
  }
  const needsBackup = backup && changes.total > 0;
  if (needsBackup && !writable) blocking.push(`backup folder ${backupDir} is not a writable folder and cannot be created: pass --backup-dir <writable folder>`);
  if (needsBackup && free !== null && free < estimatedBytes) {
    blocking.push(`backup folder ${backupDir} has ${free} bytes free, the backup needs about ${estimatedBytes}: free space or pass --backup-dir`);
  }
  if (!backup && changes.total > 0) warnings.push('no backup will be taken (--no-backup): only the exact undo can revert this run');
  const undoing = await latestRun(context, { kind: 'undo', states: ['running'] });
  if (undoing) blocking.push(`exact undo ${undoing.id} of run ${undoing.targetRunId} is unfinished: rerun \`ontology-ops rollback --run ${undoing.targetRunId}\` first`);
  let resumable = await latestRun(context, { kind: 'migrate', states: RESUMABLE_STATES });
  if (resumable && (await isStale(context, resumable))) {
    warnings.push(`unfinished run ${resumable.id} will be marked superseded, not resumed: its data was replaced since`);
    resumable = null;
  }
  if (snapshot.details.orphanedConnections + snapshot.details.orphanedKnowledge > 0) {
    warnings.push('orphaned records exist: their groupIds come from the endpoint that exists, else legacy-default');
  }
  const report: PreflightReport = {
    ok: blocking.length === 0,
    blocking,
    warnings,
    store: context.documents.location,
    naming: (await context.documents.naming()).generation,
    v1MigrationCompleted: (await v1Marker(context)) !== null,
    changes,
    integrity: snapshot.details,
    metrics: snapshot.metrics,
    backup: { enabled: backup, dir: backupDir, writable, freeBytes: free, estimatedBytes },
    lock,
    resumableRun: resumable ? { id: resumable.id, state: resumable.state, phase: resumable.phase, cursor: resumable.cursor } : null,
    estimatedSeconds: estimateSeconds(changes.total, estimatedBytes, estimate.ontologyRecords, needsBackup),
  };
  return { report, counts: snapshot.counts };
}

/**
 * How a run would assign the groupIds of a table's records without one, and the cross-group references it
 * would create there (in all and per group on the other side), summed over the store's plan pages.
 */
async function predictTable(
  context: MigrationContext,
  table: Exclude<MigratedTable, 'entities'>,
  defaultGroupId: string | null,
): Promise<{ assignments: AssignmentCounts; crossGroupCreated: number; byGroup: Map<string, number> }> {
  const assignments: AssignmentCounts = {};
  let crossGroupCreated = 0;
  const byGroup = new Map<string, number>();
  let page: string | null = null;
  do {
    const plan: Awaited<ReturnType<typeof context.migrations.planPage>> = await context.migrations.planPage(table, page, defaultGroupId);
    for (const [source, count] of Object.entries(plan.assignments)) {
      assignments[source as keyof AssignmentCounts] = (assignments[source as keyof AssignmentCounts] ?? 0) + count;
    }
    crossGroupCreated += plan.crossGroupCreated;
    for (const { groupId, count } of plan.crossGroupByGroup) byGroup.set(groupId, (byGroup.get(groupId) ?? 0) + count);
    page = plan.continueCursor;
    await nextTurn();
  } while (page !== null);
  return { assignments, crossGroupCreated, byGroup };
}

/** Groups whose slug a cause looks up at most (one read each); the others are named by id. */
const CAUSE_SLUG_LOOKUPS = 20;

/** The cross-group references a run would create, per table and per group on the other side, slugs looked up. */
async function crossGroupCause(
  context: MigrationContext,
  connections: Map<string, number>,
  events: Map<string, number>,
): Promise<CrossGroupCause> {
  const groupIds = [...new Set([...connections.keys(), ...events.keys()])];
  const rows = groupIds.map((groupId) => ({ groupId, slug: null as string | null, connections: connections.get(groupId) ?? 0, events: events.get(groupId) ?? 0 }));
  rows.sort((a, b) => b.connections + b.events - (a.connections + a.events) || (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  for (const row of rows.slice(0, CAUSE_SLUG_LOOKUPS)) {
    const group = await context.documents.get('groups', row.groupId);
    row.slug = typeof group?.slug === 'string' && group.slug !== '' ? group.slug : null;
  }
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n, 0);
  const connectionCount = total(connections);
  const eventCount = total(events);
  return { connections: connectionCount, events: eventCount, total: connectionCount + eventCount, into: LEGACY_DEFAULT_SLUG, byGroup: rows };
}

/** What a run would do beyond the pre-flight's counts: assignments, the predicted metrics and what gets worse. */
async function predict(context: MigrationContext, report: PreflightReport, counts: QualityCounts): Promise<Omit<DryRunReport, keyof PreflightReport | 'dryRun'>> {
  // The predicted metrics are for the same instant as today's, so the two can be compared line by line.
  const at = report.metrics.timestamp;
  const existingGroup = await context.documents.findGroupBySlug(LEGACY_DEFAULT_SLUG);
  const defaultGroupId = existingGroup?._id ?? null;
  const connections = await predictTable(context, 'connections', defaultGroupId);
  const events = await predictTable(context, 'events', defaultGroupId);
  const knowledge = await predictTable(context, 'knowledge', defaultGroupId);
  const created = { connections: connections.crossGroupCreated, events: events.crossGroupCreated };
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
  const metrics = computeMetrics(predictedCounts, {
    now: at,
    groupId: null,
    v1MigrationCompleted: report.changes.total > 0 || report.v1MigrationCompleted,
    thresholds: context.thresholds,
  });
  return {
    assignments: {
      entities: report.changes.entities.missingGroupId > 0 ? { legacyDefault: report.changes.entities.missingGroupId } : {},
      connections: connections.assignments,
      events: events.assignments,
      knowledge: knowledge.assignments,
    },
    legacyDefaultGroup: { id: defaultGroupId, wouldCreate: existingGroup === null && report.changes.total > 0 },
    predicted: { metrics, crossGroupReferencesCreated: { ...created, total: created.connections + created.events } },
    regressions: compareMetrics(report.metrics, metrics, await crossGroupCause(context, connections.byGroup, events.byGroup)),
  };
}

/** The pre-flight (`migrate --validate-only`) with what the run would make worse; writes nothing. */
export async function preflight(context: MigrationContext, options: { backup?: boolean } = {}): Promise<PlannedPreflightReport> {
  const { report, counts } = await preflightWithCounts(context, options);
  const { regressions } = await predict(context, report, counts);
  return { ...report, regressions };
}

/** Exactly what a run would change, the metrics after it and what gets worse; writes nothing. */
export async function dryRun(context: MigrationContext, options: { backup?: boolean } = {}): Promise<DryRunReport> {
  const { report, counts } = await preflightWithCounts(context, options);
  const { regressions, ...prediction } = await predict(context, report, counts);
  return { ...report, regressions, dryRun: true, ...prediction };
}
