/**
 * `ontology-ops migrate [--validate-only] [--dry-run] [--backup | --no-backup] [--batch-size N]`: the v1
 * migration (pre-flight, backup, batches, validation); rerun after a crash to resume from the checkpoint.
 */
import type { Command } from 'commander';
import { ErrorCode, OpsError } from '../../errors.ts';
import type { MetricsReport } from '../../quality/metrics.ts';
import { causeText, regressionLine, regressionSummary, type RegressionReport } from '../../quality/regressions.ts';
import { textTable } from '../../quality/text.ts';
import { THRESHOLD_METRICS, type ThresholdMetric } from '../../quality/thresholds.ts';
import { progressPrinter } from '../../migration/progress.ts';
import type { Backend, ConvexRestoreOptions } from '../../backend.ts';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_LEASE_TTL_MS,
  type DryRunReport,
  type MigrationService,
  type PreflightReport,
  type RunReport,
} from '../../migration/service.ts';
import { NUMBER_LIMITS, parseWholeNumber, type CliContext } from '../context.ts';

/** Options shared by the migration commands. */
export interface MigrationCliOptions {
  backupDir?: string;
  actor?: string;
  leaseTtl?: string;
}

/** Adds `--backup-dir`, `--actor` and `--lease-ttl` to a migration command. */
export function addMigrationOptions(command: Command): Command {
  return command
    .option('--backup-dir <folder>', 'folder for backups (default: backups/ next to the store file)')
    .option('--actor <name>', 'who runs it, recorded on the run and its events (default: env USER)')
    .option('--lease-ttl <seconds>', `lock time-to-live; a dead holder's lock is taken over after it (default ${DEFAULT_LEASE_TTL_MS / 1000})`);
}

/** Opens the backend and builds the migration service for a command (close the backend when done). */
export function migrationServiceFor(
  context: CliContext,
  options: MigrationCliOptions,
  convexRestore?: Partial<ConvexRestoreOptions>,
): { backend: Backend; service: MigrationService; actor: string } {
  // Parsed before the store is opened, so a bad value opens nothing.
  const leaseTtlMs = options.leaseTtl === undefined ? undefined : parseWholeNumber(options.leaseTtl, '--lease-ttl', 1, NUMBER_LIMITS.leaseTtlSeconds) * 1000;
  const backend = context.openBackend({ mustExist: true, ...(convexRestore ? { convexRestore } : {}) });
  const service = backend.migration({ backupDir: options.backupDir, now: () => context.now(), leaseTtlMs });
  return { backend, service, actor: actorOf(context, options) };
}

/** `--actor`, else env USER, else "unknown". */
export function actorOf(context: CliContext, options: { actor?: string }): string {
  return options.actor ?? context.io.env.USER ?? context.io.env.USERNAME ?? 'unknown';
}

function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** The seven metrics with their status, now and (dry run) as predicted after the run, those that get worse marked. */
function metricsTable(now: MetricsReport, after?: MetricsReport, regressions?: RegressionReport): string {
  const cell = (report: MetricsReport, metric: ThresholdMetric) => `${report[metric]} (${report.statusByMetric[metric]})`;
  const worse = new Set(regressions?.worsened.map((change) => change.metric));
  const marked = after !== undefined && regressions !== undefined;
  const rows = THRESHOLD_METRICS.map((metric) => [metric, cell(now, metric), ...(after ? [cell(after, metric)] : []), ...(marked ? [worse.has(metric) ? WORSE_MARK : ''] : [])]);
  rows.push(['status', now.status, ...(after ? [after.status] : []), ...(marked ? [''] : [])]);
  return textTable(['Metric', 'Now', ...(after ? ['After the run'] : []), ...(marked ? [''] : [])], rows);
}

/** How a metric that gets worse is marked in the terminal. */
const WORSE_MARK = '⚠ worse';

/** What to review after a change that made metrics worse: the cross-group references behind them, else the metrics. */
function reviewStep(regressions: RegressionReport): string {
  return regressions.cause ? 'the cross-group references with `ontology-ops check --categories crossGroup`' : 'the metrics with `ontology-ops metrics`';
}

/**
 * The metrics a migration makes (or would make) worse, one highlighted line each with before → after, the records
 * that cause them, and the next step; one line saying so when nothing gets worse.
 */
export function renderRegressions(regressions: RegressionReport, tense: 'predicted' | 'done', runId: string | null = null): string[] {
  if (regressions.worsened.length === 0) return [tense === 'predicted' ? 'No metric is predicted to get worse.' : 'No metric got worse.'];
  const worse = regressions.worsened.length;
  const lines = [tense === 'predicted' ? `Predicted to get worse (${worse}):` : `Got worse (${worse}):`];
  for (const change of regressions.worsened) lines.push(`  ${WORSE_MARK}: ${regressionLine(change)}`);
  if (regressions.cause) lines.push(`  Caused by ${causeText(regressions.cause)}.`);
  lines.push(
    tense === 'predicted'
      ? `After the run: review ${reviewStep(regressions)}, or undo the run with \`ontology-ops rollback --run <runId>\`.`
      : `Next: review ${reviewStep(regressions)}, or undo the run with \`ontology-ops rollback --run ${runId ?? '<runId>'}\`.`,
  );
  return lines;
}

/** Text of a pre-flight; a dry run passes its predicted metrics to show them next to today's. */
export function renderPreflight(report: PreflightReport & { regressions?: RegressionReport }, predicted?: MetricsReport): string {
  const lines = [
    `Pre-flight of ${report.store} (${report.naming} naming): ${report.ok ? 'OK' : 'BLOCKED'}`,
    `Records to change: ${report.changes.total}`,
    `  entities     ${report.changes.entities.records} (missing groupId ${report.changes.entities.missingGroupId}, schemaVersion → 1 ${report.changes.entities.schemaVersion})`,
    `  connections  ${report.changes.connections.records}`,
    `  events       ${report.changes.events.records}`,
    `  knowledge    ${report.changes.knowledge.records}`,
    `Integrity: orphaned ${report.integrity.orphanedConnections + report.integrity.orphanedKnowledge}, cross-group ${report.integrity.crossGroupReferences}, ` +
      `missing groupId ${report.integrity.missingGroupIds}, invalid metadata ${report.integrity.invalidMetadata}, malformed properties ${report.integrity.malformedProperties}`,
    metricsTable(report.metrics, predicted, report.regressions),
    ...(report.regressions && report.changes.total > 0 ? renderRegressions(report.regressions, 'predicted') : []),
    `Backup: ${
      report.backup.enabled
        ? `about ${formatBytes(report.backup.estimatedBytes)} (uncompressed; the ZIP is smaller) in ${report.backup.dir} ` +
          `(${report.backup.writable ? 'writable' : 'NOT writable'}, ${formatBytes(report.backup.freeBytes)} free)`
        : 'disabled (--no-backup)'
    }`,
    `Lock: ${report.lock.held ? `held by ${report.lock.holder} since ${new Date(report.lock.since!).toISOString()}` : 'free'}`,
  ];
  if (report.resumableRun) {
    lines.push(`Unfinished run ${report.resumableRun.id} (${report.resumableRun.state}, at ${report.resumableRun.phase ?? '-'} position ${report.resumableRun.cursor ?? 0}): migrate resumes it`);
  }
  lines.push(`Estimated duration: ${report.estimatedSeconds} s`);
  for (const warning of report.warnings) lines.push(`Warning: ${warning}`);
  for (const reason of report.blocking) lines.push(`Blocking: ${reason}`);
  return lines.join('\n');
}

function renderDryRun(report: DryRunReport): string {
  const assignments = Object.entries(report.assignments)
    .map(([table, counts]) => `  ${table.padEnd(12)} ${Object.entries(counts).map(([source, count]) => `${source} ${count}`).join(', ') || '-'}`)
    .join('\n');
  return [
    'Dry run: nothing was written.',
    renderPreflight(report, report.predicted.metrics),
    `legacy-default group: ${report.legacyDefaultGroup.id ?? (report.legacyDefaultGroup.wouldCreate ? 'would be created' : 'not needed')}`,
    'groupId assignments:',
    assignments,
    `Cross-group references the run would create: ${report.predicted.crossGroupReferencesCreated.total} ` +
      `(connections ${report.predicted.crossGroupReferencesCreated.connections}, events ${report.predicted.crossGroupReferencesCreated.events})`,
  ].join('\n');
}

function renderRun(report: RunReport): string {
  const summary = report.status === 'completed' ? regressionSummary(report.regressions) : null;
  // A run that made metrics worse leads with it, not with a plain success.
  const lines = [summary !== null ? `Succeeded with regressions: ${summary}` : report.message];
  if (report.runId) {
    lines.push(`Run ${report.runId}${report.resumed ? ' (resumed)' : ''} by ${report.actor}`);
    lines.push(`Changed: ${Object.entries(report.changed).map(([table, count]) => `${table} ${count}`).join(', ')}`);
    lines.push(`Backup: ${report.backupFile ?? 'none'}`);
    lines.push(`legacy-default group: ${report.defaultGroupId ?? '-'}`);
  }
  if (report.validation) {
    const { metrics } = report.validation;
    lines.push(
      `Validation: ${report.validation.ok ? 'passed' : 'FAILED'}; missingGroupIds ${metrics.missingGroupIds}, schemaComplianceScore ${metrics.schemaComplianceScore}, ` +
        `cross-group references created by this run ${report.validation.crossGroupReferencesCreated.total}, status ${metrics.status}`,
    );
  }
  if (report.regressions && report.status === 'completed') lines.push(...renderRegressions(report.regressions, 'done', report.runId));
  return lines.join('\n');
}

/** Registers `migrate`. */
export function register(program: Command, context: CliContext): void {
  addMigrationOptions(
    program
      .command('migrate')
      .description('v1 migration: pre-flight, backup, batched groupId/schemaVersion patches, validation (resumes an interrupted run)')
      .option('--validate-only', 'pre-flight only: checks, counts, backup room, lock, estimate; changes nothing')
      .option('--dry-run', 'what a run would change and the predicted metrics; changes nothing')
      .option('--backup', 'take a verified backup first (default)')
      .option('--no-backup', 'skip the backup (a warning is printed; only the exact undo can revert the run)')
      .option('--batch-size <n>', `records per batch, one transaction each (default ${DEFAULT_BATCH_SIZE})`),
  ).action(async (options: MigrationCliOptions & { validateOnly?: boolean; dryRun?: boolean; backup?: boolean; batchSize?: string }) => {
    // Commander leaves the value unset when neither --backup nor --no-backup is given.
    const backup = options.backup !== false;
    const batchSize = options.batchSize === undefined ? DEFAULT_BATCH_SIZE : parseWholeNumber(options.batchSize, '--batch-size', 1, NUMBER_LIMITS.batchSize);
    const { backend, service, actor } = migrationServiceFor(context, options);
    try {
      if (options.validateOnly || options.dryRun) {
        const report = options.dryRun ? await service.dryRun({ backup }) : await service.preflight({ backup });
        context.print(report, (result) => ('dryRun' in result ? renderDryRun(result as DryRunReport) : renderPreflight(result)));
        if (!report.ok) throw new OpsError(ErrorCode.PreflightFailed, `Pre-flight failed: ${report.blocking.join('; ')}.`);
        return;
      }
      if (!backup) context.log('Warning: --no-backup: no backup will be taken; only `ontology-ops rollback --run <id>` can revert this run.');
      const printer = progressPrinter({ isTty: context.io.isTty && !context.json, log: (line) => context.log(line) });
      let report: RunReport;
      try {
        report = await service.run({ actor, batchSize, backup, onProgress: printer.listener });
      } finally {
        printer.stop();
      }
      context.print(report, renderRun);
      if (report.status === 'failed') throw new OpsError(ErrorCode.MigrationFailed, report.message);
    } finally {
      await backend.close();
    }
  });
}
