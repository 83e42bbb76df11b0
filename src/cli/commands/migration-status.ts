/** `ontology-ops migration-status`: migration runs, fix runs, undos and restores with state, progress, checkpoint, backup, who and when. */
import type { Command } from 'commander';
import type { StatusReport } from '../../migration/service.ts';
import { NUMBER_LIMITS, parseWholeNumber, type CliContext } from '../context.ts';
import { migrationServiceFor } from './migrate.ts';

function iso(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

/** Seconds between two instants, for durations. */
function seconds(from: number, to: number): string {
  return `${((to - from) / 1000).toFixed(1)} s`;
}

/** What a run achieved, from its recorded result: counts and ids only. */
function outcomeOf(run: StatusReport['runs'][number]): string | null {
  const result = (run.result ?? {}) as {
    validation?: { ok: boolean; problems: string[]; crossGroupReferencesCreated: { total: number } };
    totals?: { reverted?: number; partial?: number; conflictCount?: number; missing?: number };
    legacyDefaultGroupRemoved?: boolean;
    v1MigrationCompletedCleared?: boolean;
    documentsRestored?: number;
    backupRunId?: string | null;
  };
  const parts: string[] = [];
  if (run.kind === 'migrate' && result.validation) {
    const changed = Object.values(run.progress).reduce((sum, entry) => sum + entry.done, 0);
    parts.push(`${changed} records changed`);
    parts.push(result.validation.ok ? 'validation passed' : `validation failed (${result.validation.problems.join('; ')})`);
    parts.push(`${result.validation.crossGroupReferencesCreated.total} cross-group references created`);
  }
  if (run.kind === 'undo' && result.totals) {
    const totals = result.totals;
    parts.push(`reverted ${totals.reverted ?? 0}, partly ${totals.partial ?? 0}, conflicts ${totals.conflictCount ?? 0} (deleted since ${totals.missing ?? 0})`);
    if (run.state === 'completed') {
      parts.push(`legacy-default group ${result.legacyDefaultGroupRemoved ? 'removed' : 'kept'}`);
      if (result.v1MigrationCompletedCleared) parts.push('v1 marker cleared');
    }
  }
  if (run.kind === 'fix') {
    const plan = (run.plan ?? {}) as { fix?: string; groupId?: string | null };
    const fixed = (result as { validation?: { ok: boolean; problems: string[] } }).validation;
    parts.push(`fix ${plan.fix ?? '?'}${plan.groupId ? ` of group ${plan.groupId}` : ''}: ${Object.entries(run.progress).map(([table, entry]) => `${table} ${entry.done}`).join(', ')} changed`);
    if (fixed) parts.push(fixed.ok ? 'validation passed' : `validation failed (${fixed.problems.join('; ')})`);
  }
  if (run.kind === 'restore' && result.documentsRestored !== undefined) {
    parts.push(`${result.documentsRestored} documents restored${result.backupRunId ? ` (backup taken for run ${result.backupRunId})` : ''}`);
  }
  if (run.finishedAt !== null) parts.push(`took ${seconds(run.startedAt, run.finishedAt)}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

function renderStatus(report: StatusReport): string {
  const lines = [
    `Lock: ${report.lock.held ? `held by ${report.lock.holder} since ${iso(report.lock.since)} (expires ${iso(report.lock.expiresAt)})` : 'free'}`,
    `v1 migration completed: ${report.v1MigrationCompletedAt ?? 'no'}`,
  ];
  if (report.runs.length === 0) lines.push('No migration runs yet.');
  for (const run of report.runs) {
    lines.push(`${run.id}  ${run.kind}${run.targetRunId ? ` of ${run.targetRunId}` : ''}  ${run.state}  ${run.percent}%  by ${run.actor}`);
    lines.push(`    started ${iso(run.startedAt)}, updated ${iso(run.updatedAt)}, finished ${iso(run.finishedAt)}`);
    lines.push(`    checkpoint: ${run.phase ?? '-'} after position ${run.cursor ?? 0}, ${run.batches} batches; holder ${run.holder}`);
    const tables = Object.entries(run.progress).map(([table, entry]) => `${table} ${entry.done}/${entry.total}`);
    if (tables.length) lines.push(`    progress: ${tables.join(', ')}`);
    const outcome = outcomeOf(run);
    if (outcome) lines.push(`    outcome: ${outcome}`);
    if (run.backupFile) lines.push(`    backup: ${run.backupFile}`);
    if (run.error) lines.push(`    error: ${run.error}`);
  }
  return lines.join('\n');
}

/** Registers `migration-status`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('migration-status')
    .description('migration runs, undos and restores: state, progress, checkpoint, backup file, who and when')
    .option('--limit <n>', 'runs shown, newest first (default 20)')
    .action(async (options: { limit?: string }) => {
      const limit = options.limit === undefined ? 20 : parseWholeNumber(options.limit, '--limit', 1, NUMBER_LIMITS.listLimit);
      const { backend, service } = migrationServiceFor(context, {});
      try {
        context.print(await service.status({ limit }), renderStatus);
      } finally {
        await backend.close();
      }
    });
}
