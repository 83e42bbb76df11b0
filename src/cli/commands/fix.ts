/**
 * `ontology-ops fix <orphans|cross-group|legacy-default> [--group G] [--dry-run] [--no-backup] [--batch-size N]`:
 * a named fix of the data, run directly like `migrate` (backup, batches, validation; rerun after a crash to
 * resume) and undone exactly by `ontology-ops rollback --run <id>`. `--dry-run` prints the plan: each record it
 * would change with the ids it names that do not exist, and every metric before → after.
 */
import type { Command } from 'commander';
import { ErrorCode, InvalidArgumentError, OpsError } from '../../errors.ts';
import { DEFAULT_PLAN_LIMIT, FIX_NAMES, type FixName, type FixPlan, type FixRunReport } from '../../fix/service.ts';
import { METRIC_KEYS } from '../../fix/regressions.ts';
import { progressPrinter } from '../../migration/progress.ts';
import { DEFAULT_BATCH_SIZE } from '../../migration/service.ts';
import { textTable } from '../../quality/text.ts';
import { NUMBER_LIMITS, parseWholeNumber, type CliContext } from '../context.ts';
import { actorOf, addMigrationOptions, type MigrationCliOptions } from './migrate.ts';

/** The name as a fix, or a one-line error listing the fixes. */
export function parseFixName(name: string): FixName {
  if ((FIX_NAMES as readonly string[]).includes(name)) return name as FixName;
  throw new InvalidArgumentError(`Unknown fix "${name.slice(0, 40)}": name one of ${FIX_NAMES.join(', ')} (e.g. \`ontology-ops fix orphans --dry-run\`).`);
}

/** Text of a fix plan: counts, each record with its missing ids, every metric before → after, and any refusal. */
export function renderFixPlan(plan: FixPlan): string {
  const lines = [
    `Plan of fix ${plan.fix}${plan.groupId ? ` in group ${plan.groupId}` : ''}: ${plan.total} records ` +
      `(connections to archive ${plan.counts.connections}, knowledge records to unlink ${plan.counts.knowledge}). Nothing was written.`,
  ];
  for (const record of plan.records) lines.push(`  ${record.table.padEnd(12)} ${record.recordId}  missing ${record.missingIds.join(', ')}`);
  if (plan.total > plan.records.length) lines.push(`  … and ${plan.total - plan.records.length} more (raise --limit to list them)`);
  const regressed = new Set(plan.regressions.map((regression) => regression.metric));
  lines.push(
    textTable(
      ['Metric', 'Now', 'After the fix', ''],
      METRIC_KEYS.map((metric) => [metric, String(plan.before[metric]), String(plan.after[metric]), regressed.has(metric) ? 'WORSE' : '']),
    ),
  );
  lines.push(plan.refused ? `Refused: ${plan.refused}.` : `Run it with \`ontology-ops fix ${plan.fix}${plan.groupId ? ` --group ${plan.groupId}` : ''}\`; undo it with \`ontology-ops rollback --run <id>\`.`);
  return lines.join('\n');
}

function renderFixRun(report: FixRunReport): string {
  const lines = [report.message];
  if (report.runId) {
    lines.push(`Run ${report.runId}${report.resumed ? ' (resumed)' : ''} by ${report.actor}`);
    lines.push(`Changed: connections archived ${report.changed.connections}, knowledge records unlinked ${report.changed.knowledge}`);
    lines.push(`Backup: ${report.backupFile ?? 'none'}`);
    lines.push(`Undo: \`ontology-ops rollback --run ${report.runId}\``);
  }
  if (report.validation) {
    const { after } = report.validation;
    lines.push(
      `Validation: ${report.validation.ok ? 'passed' : 'FAILED'}; orphaned left ${report.validation.remaining}, orphanedEntityCount ${after.orphanedEntityCount}, ` +
        `referentialIntegrityScore ${after.referentialIntegrityScore}, status ${after.status}`,
    );
    for (const problem of report.validation.problems) lines.push(`  ${problem}`);
  }
  return lines.join('\n');
}

/** Registers `fix`. */
export function register(program: Command, context: CliContext): void {
  addMigrationOptions(
    program
      .command('fix')
      .description(`a named fix with backup and exact undo: ${FIX_NAMES.join(' | ')} (orphans: archive dangling connections, unlink dead knowledge sources)`)
      .argument('<name>', `the fix: ${FIX_NAMES.join(', ')}`)
      .option('--group <groupId>', 'only the records of this group')
      .option('--dry-run', 'print the plan (records, missing ids, metrics before → after); change nothing')
      .option('--backup', 'take a verified backup first (default)')
      .option('--no-backup', 'skip the backup (only `rollback --run <id>` can revert the run)')
      .option('--limit <n>', `records listed by --dry-run (default ${DEFAULT_PLAN_LIMIT})`)
      .option('--batch-size <n>', `records per batch, one transaction each (default ${DEFAULT_BATCH_SIZE})`),
  ).action(async (name: string, options: MigrationCliOptions & { group?: string; dryRun?: boolean; backup?: boolean; limit?: string; batchSize?: string }) => {
    const fix = parseFixName(name);
    if (options.group !== undefined && options.group.trim() === '') throw new InvalidArgumentError('--group needs a group id (see `ontology-ops check` for the ids).');
    const idLimit = options.limit === undefined ? DEFAULT_PLAN_LIMIT : parseWholeNumber(options.limit, '--limit', 0, NUMBER_LIMITS.listLimit);
    const batchSize = options.batchSize === undefined ? DEFAULT_BATCH_SIZE : parseWholeNumber(options.batchSize, '--batch-size', 1, NUMBER_LIMITS.batchSize);
    const leaseTtlMs = options.leaseTtl === undefined ? undefined : parseWholeNumber(options.leaseTtl, '--lease-ttl', 1, NUMBER_LIMITS.leaseTtlSeconds) * 1000;
    const backend = context.openBackend({ mustExist: true });
    try {
      const service = backend.fixes({ backupDir: options.backupDir, now: () => context.now(), leaseTtlMs });
      const groupId = options.group ?? null;
      if (options.dryRun) {
        const plan = await service.plan(fix, { groupId, idLimit });
        context.print(plan, renderFixPlan);
        if (plan.refused) throw new OpsError(ErrorCode.PreflightFailed, `The ${fix} fix is refused: ${plan.refused}.`);
        return;
      }
      const backup = options.backup !== false;
      if (!backup) context.log('Warning: --no-backup: no backup will be taken; only `ontology-ops rollback --run <id>` can revert this run.');
      const printer = progressPrinter({ isTty: context.io.isTty && !context.json, log: (line) => context.log(line) });
      let report: FixRunReport;
      try {
        report = await service.run(fix, { actor: actorOf(context, options), groupId, backup, batchSize, onProgress: printer.listener });
      } finally {
        printer.stop();
      }
      context.print(report, renderFixRun);
      if (report.status === 'failed') throw new OpsError(ErrorCode.MigrationFailed, report.message);
    } finally {
      await backend.close();
    }
  });
}
