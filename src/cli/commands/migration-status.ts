/** `ontology-ops migration-status`: migration runs, undos and restores with state, progress, checkpoint, backup, who and when. */
import type { Command } from 'commander';
import type { StatusReport } from '../../migration/service.ts';
import { parseWholeNumber, type CliContext } from '../context.ts';
import { migrationServiceFor } from './migrate.ts';

function iso(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
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
    lines.push(`    checkpoint: ${run.phase ?? '-'} after position ${run.cursor}, ${run.batches} batches; holder ${run.holder}`);
    const tables = Object.entries(run.progress).map(([table, entry]) => `${table} ${entry.done}/${entry.total}`);
    if (tables.length) lines.push(`    progress: ${tables.join(', ')}`);
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
      const limit = options.limit === undefined ? 20 : parseWholeNumber(options.limit, '--limit');
      const { store, service } = migrationServiceFor(context, {});
      try {
        context.print(await service.status({ limit }), renderStatus);
      } finally {
        store.close();
      }
    });
}
