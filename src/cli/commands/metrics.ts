/** `ontology-ops metrics`: the seven data-quality metrics of the platform or one group, with their statuses. */
import type { Command } from 'commander';
import type { MetricsReport } from '../../quality/metrics.ts';
import { formatCount, reportReadings } from '../../quality/severity.ts';
import { isoInstant, statusLabel, textTable } from '../../quality/text.ts';
import { DEFAULT_THRESHOLDS, type ThresholdTable } from '../../quality/thresholds.ts';
import type { CliContext } from '../context.ts';

interface MetricsCommandOptions {
  group?: string;
}

/** Text shown without `--json`: one row per subject of the severity model (value, status, rule), as Slack shows them. */
export function renderMetricsReport(report: MetricsReport, thresholds: ThresholdTable = DEFAULT_THRESHOLDS): string {
  const rows = reportReadings(report, thresholds).map((reading) => [reading.title, reading.display, statusLabel(reading.status), reading.rule]);
  return [
    `Data-quality metrics ${report.groupId === null ? 'platform-wide' : `of group ${report.groupId}`} as of ${isoInstant(report.timestamp)}: ${statusLabel(report.status)}`,
    textTable(['Metric', 'Value', 'Status', 'Rule'], rows),
    `Malformed properties: ${formatCount(report.malformedPropertiesCount)} ${report.malformedPropertiesCount === 1 ? 'entity' : 'entities'}.`,
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
        const thresholds = context.thresholds();
        context.print(await backend.quality.metrics({ now, groupId: options.group }), (report) => renderMetricsReport(report, thresholds));
      } finally {
        await backend.close();
      }
    });
}
