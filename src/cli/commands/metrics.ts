/** `ontology-ops metrics`: the seven data-quality metrics of the platform or one group, with their statuses. */
import type { Command } from 'commander';
import type { MetricsReport } from '../../quality/metrics.ts';
import { isoInstant, statusLabel, textTable } from '../../quality/text.ts';
import type { CliContext } from '../context.ts';

interface MetricsCommandOptions {
  group?: string;
}

/** Text shown without `--json`. */
export function renderMetricsReport(report: MetricsReport): string {
  const byMetric = report.statusByMetric;
  const rows: (string | number)[][] = [
    ['Referential integrity score', `${report.referentialIntegrityScore}%`, statusLabel(byMetric.referentialIntegrityScore)],
    ['Orphaned references', report.orphanedEntityCount, statusLabel(byMetric.orphanedEntityCount)],
    ['Cross-group violations', report.crossGroupViolations, statusLabel(byMetric.crossGroupViolations)],
    ['Missing groupIds', report.missingGroupIds, statusLabel(byMetric.missingGroupIds)],
    [
      'Malformed properties',
      `${report.malformedPropertiesCount} (${report.malformedPropertiesPercent}%)`,
      statusLabel(byMetric.malformedPropertiesPercent),
    ],
    ['Schema compliance (v1)', `${report.schemaComplianceScore}%`, statusLabel(byMetric.schemaComplianceScore)],
    ['Event archival progress', `${report.eventArchivalProgress}%`, statusLabel(byMetric.eventArchivalProgress)],
    ['Invalid metadata', report.invalidMetadataCount, '(no threshold)'],
  ];
  return [
    `Data-quality metrics ${report.groupId === null ? 'platform-wide' : `of group ${report.groupId}`} as of ${isoInstant(report.timestamp)}: ${statusLabel(report.status)}`,
    textTable(['Metric', 'Value', 'Status'], rows),
  ].join('\n');
}

/** Registers `metrics`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('metrics')
    .description('Compute the seven data-quality metrics and their status (platform-wide, or of one group).')
    .option('--group <groupId>', 'only records whose own groupId is this group (id or slug)')
    .action(async (options: MetricsCommandOptions) => {
      const now = context.now();
      const backend = context.openBackend({ mustExist: true, readOnly: true });
      try {
        context.print(await backend.quality.metrics({ now, groupId: options.group }), renderMetricsReport);
      } finally {
        await backend.close();
      }
    });
}
