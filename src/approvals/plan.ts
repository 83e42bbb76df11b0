/**
 * The plan an approval binds to: a summary of the dry run (counts only, never record contents) and the hash of its
 * stable part. The hash leaves out what moves without the data moving (ETA, backup size estimate, predicted metric
 * values and regressions that the bot's own events nudge), so a fresh dry run at start hashes the same unless what the run would
 * change has changed.
 */
import { createHash } from 'node:crypto';
import type { FixPlan } from '../fix/types.ts';
import type { DryRunReport, RestoreReport, UndoReport } from '../migration/types.ts';
import type { Status } from '../quality/categories.ts';
import type { CrossGroupCause, MetricChange } from '../quality/regressions.ts';

/** What a migration would do, as an approval shows it. */
export interface MigrationPlanSummary {
  kind: 'migrate';
  /** Records to change per table, and in all. */
  changes: { entities: number; connections: number; events: number; knowledge: number; total: number };
  /** How groupIds would be assigned (source → records), all tables summed. */
  assignments: Record<string, number>;
  crossGroupReferencesCreated: { connections: number; events: number; total: number };
  wouldCreateLegacyDefaultGroup: boolean;
  predicted: { status: Status; referentialIntegrityScore: number; missingGroupIds: number; crossGroupViolations: number; schemaComplianceScore: number };
  /**
   * The metrics the run would make worse (before → after, statuses) and the records behind them, so the request,
   * its confirm dialog and its result show the same lines. Absent from plans stored before it was kept.
   */
  regressions?: PlanRegressions;
  backupBytes: number;
  etaSeconds: number;
  blocking: string[];
}

/** What a plan predicts getting worse. */
export interface PlanRegressions {
  worsened: MetricChange[];
  cause: CrossGroupCause | null;
}

/** What an exact undo of a run would do. */
export interface UndoPlanSummary {
  kind: 'undo';
  runId: string;
  entries: number;
  reverted: number;
  partial: number;
  conflicts: number;
  missing: number;
  byTable: Record<string, number>;
  alreadyUndone: boolean;
}

/** What a full restore from a backup would do. */
export interface RestorePlanSummary {
  kind: 'restore';
  backupFile: string;
  backupDocuments: number;
  /** Checksums of the backup's tables, so another file with the same counts is another plan. */
  backupTables: { name: string; documents: number; sha256: string }[];
  createdSinceBackup: number;
  changedSinceBackup: number;
  deletedSinceBackup: number;
  unchanged: number;
}

/** What a named fix would do: records per table, the metrics it changes, and why it would be refused. */
export interface FixPlanSummary {
  kind: 'fix';
  fix: string;
  groupId: string | null;
  counts: Record<string, number>;
  total: number;
  /** Every metric that changes: before → after. */
  changes: { metric: string; before: number; after: number }[];
  /** Metrics it would make worse (then it is refused). */
  regressions: string[];
  refused: string | null;
  /** Hash of the ids of the records it would change, so other records with the same counts are another plan. */
  recordsHash: string;
}

/** Any plan. */
export type PlanSummary = MigrationPlanSummary | UndoPlanSummary | RestorePlanSummary | FixPlanSummary;

/** The summary of a fix plan (counts and metric values; the record ids only as a hash). */
export function fixPlan(plan: FixPlan, recordIds: readonly string[]): FixPlanSummary {
  const changes: FixPlanSummary['changes'] = [];
  for (const [metric, before] of Object.entries(plan.before)) {
    const after = (plan.after as unknown as Record<string, unknown>)[metric];
    if (typeof before === 'number' && typeof after === 'number' && before !== after && metric !== 'timestamp') changes.push({ metric, before, after });
  }
  return {
    kind: 'fix',
    fix: plan.fix,
    groupId: plan.groupId,
    counts: { ...plan.counts },
    total: plan.total,
    changes,
    regressions: plan.regressions.map((regression) => regression.metric),
    refused: plan.refused,
    recordsHash: createHash('sha256').update([...recordIds].sort().join('\n')).digest('hex').slice(0, 32),
  };
}

/** The summary of a migration dry run. */
export function migrationPlan(report: DryRunReport): MigrationPlanSummary {
  const assignments: Record<string, number> = {};
  for (const table of Object.values(report.assignments)) {
    for (const [source, count] of Object.entries(table)) assignments[source] = (assignments[source] ?? 0) + (count ?? 0);
  }
  const predicted = report.predicted.metrics;
  return {
    kind: 'migrate',
    changes: {
      entities: report.changes.entities.records,
      connections: report.changes.connections.records,
      events: report.changes.events.records,
      knowledge: report.changes.knowledge.records,
      total: report.changes.total,
    },
    assignments,
    crossGroupReferencesCreated: report.predicted.crossGroupReferencesCreated,
    wouldCreateLegacyDefaultGroup: report.legacyDefaultGroup.wouldCreate,
    predicted: {
      status: predicted.status,
      referentialIntegrityScore: predicted.referentialIntegrityScore,
      missingGroupIds: predicted.missingGroupIds,
      crossGroupViolations: predicted.crossGroupViolations,
      schemaComplianceScore: predicted.schemaComplianceScore,
    },
    regressions: { worsened: report.regressions.worsened, cause: report.regressions.cause },
    backupBytes: report.backup.enabled ? report.backup.estimatedBytes : 0,
    etaSeconds: report.estimatedSeconds,
    blocking: report.blocking,
  };
}

/** The summary of an exact-undo dry run. */
export function undoPlan(report: UndoReport): UndoPlanSummary {
  return {
    kind: 'undo',
    runId: report.runId,
    entries: report.entries,
    reverted: report.reverted,
    partial: report.partial,
    conflicts: report.conflictCount,
    missing: report.missing,
    byTable: report.byTable,
    alreadyUndone: report.status === 'already_undone',
  };
}

/** The summary of a full-restore dry run. */
export function restorePlan(report: RestoreReport): RestorePlanSummary {
  const comparison = report.comparison;
  return {
    kind: 'restore',
    backupFile: report.backup.path,
    backupDocuments: report.backup.documents,
    backupTables: report.backup.tables,
    createdSinceBackup: comparison?.createdSinceBackup.count ?? 0,
    changedSinceBackup: comparison?.changedSinceBackup.count ?? 0,
    deletedSinceBackup: comparison?.deletedSinceBackup.count ?? 0,
    unchanged: comparison?.unchanged ?? 0,
  };
}

/**
 * True when the plan would change nothing (a migration with no record to change, an undo of a run already undone or
 * with no journal entry): such a plan is refused at request and at approval. A restore always replaces the data.
 */
export function isEmptyPlan(plan: PlanSummary): boolean {
  switch (plan.kind) {
    case 'migrate':
      return plan.changes.total === 0;
    case 'undo':
      return plan.alreadyUndone || plan.entries === 0;
    case 'restore':
      return false;
    case 'fix':
      return plan.total === 0;
  }
}

/** The part of a plan the hash covers. */
function stablePart(plan: PlanSummary): unknown {
  switch (plan.kind) {
    case 'migrate':
      return [plan.kind, plan.changes, plan.assignments, plan.crossGroupReferencesCreated, plan.wouldCreateLegacyDefaultGroup];
    case 'undo':
      return [plan.kind, plan.runId, plan.entries, plan.reverted, plan.partial, plan.conflicts, plan.missing, plan.byTable, plan.alreadyUndone];
    case 'restore':
      // Records created since the backup are left out: the bot's own approval events land in the events table
      // between the request and the start, and would make every restore look changed.
      return [plan.kind, plan.backupFile, plan.backupTables, plan.changedSinceBackup, plan.deletedSinceBackup];
    case 'fix':
      return [plan.kind, plan.fix, plan.groupId, plan.counts, plan.recordsHash, plan.refused];
  }
}

/** JSON with object keys sorted, so equal plans serialise equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash an approval binds to (hex SHA-256 of the plan's stable part). */
export function planHash(plan: PlanSummary): string {
  return createHash('sha256').update(canonical(stablePart(plan))).digest('hex').slice(0, 32);
}
