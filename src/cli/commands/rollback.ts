/**
 * `ontology-ops rollback --run <runId> [--dry-run]`: exact undo of one migration run or fix run.
 * `ontology-ops rollback --backup-file F [--verify] [--dry-run]`: full restore from a backup.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.ts';
import { progressPrinter } from '../../migration/progress.ts';
import type { IdSample } from '../../migration/restore-diff.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_ID_LIMIT, type RestoreReport, type UndoReport } from '../../migration/service.ts';
import { NUMBER_LIMITS, parseWholeNumber, type CliContext } from '../context.ts';
import type { ConvexRestoreOptions } from '../../backend.ts';
import { addMigrationOptions, migrationServiceFor, type MigrationCliOptions } from './migrate.ts';

function renderUndo(report: UndoReport): string {
  const head =
    report.status === 'dry_run'
      ? `Dry run of the exact undo of ${report.runId}: nothing was written.`
      : report.status === 'already_undone'
        ? `Run ${report.runId} was already undone by ${report.undoRunId}: nothing to do.`
        : `Undo ${report.undoRunId} of run ${report.runId} completed.`;
  const lines = [
    head,
    `Journal entries: ${report.entries}: ${report.reverted} reverted; ${report.conflictCount} conflicts (changed or deleted since the run): ` +
      `${report.partial} partly reverted, ${report.conflictCount - report.partial - report.missing} left alone, ${report.missing} deleted since`,
  ];
  if (Object.keys(report.byTable).length > 0) {
    lines.push(`Reverted (fully or partly) per table: ${Object.entries(report.byTable).map(([table, count]) => `${table} ${count}`).join(', ')}`);
  }
  for (const conflict of report.conflicts) {
    lines.push(`  conflict: ${conflict.table} ${conflict.recordId} ${conflict.outcome}${conflict.fields.length ? ` (${conflict.fields.join(', ')} changed since the run)` : ''}`);
  }
  if (report.conflictCount > report.conflicts.length) lines.push(`  … and ${report.conflictCount - report.conflicts.length} more (raise --limit to list them)`);
  const group = report.legacyDefaultGroup;
  if (group.id !== null) {
    const verb = report.status === 'dry_run' ? (group.removed ? 'would be removed' : 'would stay') : group.removed ? 'removed' : 'kept';
    lines.push(`legacy-default group ${group.id}: ${verb} (${group.references} references${report.status === 'dry_run' ? ' after the undo' : ''})`);
  }
  if (report.v1MigrationCompletedCleared) lines.push('v1 migration marker cleared: missing groupIds count as info again.');
  return lines.join('\n');
}

/** `: table id, table id … and N more (raise --limit)` for a sample of ids; empty when it holds none. */
function listIds(sample: IdSample): string {
  if (sample.ids.length === 0) return '';
  const more = sample.count - sample.ids.length;
  return `: ${sample.ids.map((id) => `${id.table} ${id.id}`).join(', ')}${more > 0 ? ` … and ${more} more (raise --limit to list them)` : ''}`;
}

function renderRestore(report: RestoreReport): string {
  const lines: string[] = [];
  const backup = report.backup;
  lines.push(
    `Backup ${backup.path} verified: ${backup.documents} documents in ${backup.tables.length} tables, taken ${backup.manifest.createdAtIso} from ${backup.manifest.source}`,
  );
  for (const table of backup.tables) lines.push(`  ${table.name.padEnd(16)} ${table.documents}`);
  if (report.status === 'dry_run' && report.comparison) {
    const c = report.comparison;
    lines.push('Dry run: nothing was written. A restore would:');
    lines.push(`  lose ${c.createdSinceBackup.count} records created since the backup${listIds(c.createdSinceBackup)}`);
    lines.push(`  revert ${c.changedSinceBackup.count} records changed since the backup${listIds(c.changedSinceBackup)}`);
    lines.push(`  bring back ${c.deletedSinceBackup.count} records deleted since the backup${listIds(c.deletedSinceBackup)}`);
    lines.push(`  keep ${c.unchanged} records as they are`);
  }
  if (report.status === 'completed') lines.push(`Restore ${report.restoreRunId} completed: ${report.documentsRestored} documents restored.`);
  return lines.join('\n');
}

/**
 * How a full restore of a Convex deployment runs (`npx convex import --replace` of the backup): printed with
 * `--print-command`, run at once with `--yes`, else run after a yes typed on the terminal; without a terminal
 * the command refuses rather than replace a deployment's data unasked.
 */
export function convexRestoreOf(context: CliContext, options: { yes?: boolean; printCommand?: boolean }): Partial<ConvexRestoreOptions> {
  return {
    mode: options.printCommand ? 'print' : 'run',
    yes: options.yes === true,
    print: (line) => context.log(line),
    async confirm(question) {
      if (!context.io.isTty) {
        throw new InvalidArgumentError(
          'A full restore replaces the Convex deployment\'s data: pass --yes to run the import, or --print-command to print it and run it yourself.',
        );
      }
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
      } finally {
        prompt.close();
      }
    },
  };
}

/** `--lease-ttl` in ms, or undefined for the default. */
function leaseTtlOf(options: MigrationCliOptions): number | undefined {
  return options.leaseTtl === undefined ? undefined : parseWholeNumber(options.leaseTtl, '--lease-ttl', 1, NUMBER_LIMITS.leaseTtlSeconds) * 1000;
}

/** Registers `rollback`. */
export function register(program: Command, context: CliContext): void {
  addMigrationOptions(
    program
      .command('rollback')
      .description('revert a migration: exact undo of one run (--run) or full restore from a backup (--backup-file)')
      .option('--run <migrationRunId>', 'exact undo: revert what that migration or fix run wrote, where nothing changed it since')
      .option('--backup-file <file>', 'full restore: replace the ontology with this backup (ZIP or its .manifest.json)')
      .option('--verify', 'with --backup-file: check manifest, checksums, every line and counts; change nothing')
      .option('--dry-run', 'report what would change; change nothing')
      .option('--limit <n>', `ids listed (conflicts, records that would be lost) (default ${DEFAULT_ID_LIMIT})`)
      .option('--batch-size <n>', `journal entries per undo batch (default ${DEFAULT_BATCH_SIZE})`)
      .option('--allow-other-store', 'with --backup-file: restore a backup taken from another store file')
      .option('--yes', 'with --backup-file against a Convex deployment (CONVEX_URL): run `npx convex import` without asking')
      .option('--print-command', 'with --backup-file against a Convex deployment: print the `npx convex import` command instead of running it'),
  ).action(
    async (
      options: MigrationCliOptions & {
        run?: string;
        backupFile?: string;
        verify?: boolean;
        dryRun?: boolean;
        limit?: string;
        batchSize?: string;
        allowOtherStore?: boolean;
        yes?: boolean;
        printCommand?: boolean;
      },
    ) => {
      if ((options.run === undefined) === (options.backupFile === undefined)) {
        throw new InvalidArgumentError('rollback needs exactly one of --run <migrationRunId> or --backup-file <file>.');
      }
      if (options.verify && options.run !== undefined) throw new InvalidArgumentError('--verify applies to --backup-file only.');
      const idLimit = options.limit === undefined ? DEFAULT_ID_LIMIT : parseWholeNumber(options.limit, '--limit', 0, NUMBER_LIMITS.listLimit);
      const batchSize = options.batchSize === undefined ? DEFAULT_BATCH_SIZE : parseWholeNumber(options.batchSize, '--batch-size', 1, NUMBER_LIMITS.batchSize);
      const { backend, service, actor } = migrationServiceFor(context, options, convexRestoreOf(context, options));
      const printer = progressPrinter({ isTty: context.io.isTty && !context.json, log: (line) => context.log(line) });
      try {
        if (options.run !== undefined) {
          const undoOptions = { actor, dryRun: options.dryRun, idLimit, batchSize, onProgress: printer.listener };
          // A fix run is undone by the fix service (its own journal); a migration run by the migration service.
          const isFix = (await service.getRun(options.run))?.kind === 'fix';
          const report = isFix
            ? await backend.fixes({ backupDir: options.backupDir, now: () => context.now(), leaseTtlMs: leaseTtlOf(options) }).undo(options.run, undoOptions)
            : await service.undoRun(options.run, undoOptions);
          context.print(report, renderUndo);
        } else {
          const report = await service.restoreBackup(options.backupFile!, {
            actor,
            verify: options.verify,
            dryRun: options.dryRun,
            idLimit,
            allowOtherStore: options.allowOtherStore,
            onProgress: printer.listener,
          });
          context.print(report, renderRestore);
        }
      } finally {
        printer.stop();
        await backend.close();
      }
    },
  );
}
