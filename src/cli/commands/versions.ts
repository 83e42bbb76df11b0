/** `ontology-ops versions`: how many entities are in the v1 shape (numeric schemaVersion ≥ 1) and how many not. */
import type { Command } from 'commander';
import type { VersionsReport } from '../../quality/reports.ts';
import { isoInstant, textTable } from '../../quality/text.ts';
import type { CliContext } from '../context.ts';

interface VersionsCommandOptions {
  group?: string;
}

/** Text shown without `--json`; `group` is the `--group` value as given (null platform-wide). */
export function renderVersionsReport(report: VersionsReport, group: string | null = null): string {
  return [
    `Entity schema versions ${group === null ? 'platform-wide' : `of group ${group}`} as of ${isoInstant(report.timestamp)}:`,
    textTable(
      ['Version', 'Entities', 'Share'],
      [
        ['v0 (no schemaVersion ≥ 1)', report.v0Entities, `${report.distributionPercentage.v0}%`],
        ['v1 (schemaVersion ≥ 1)', report.v1Entities, `${report.distributionPercentage.v1}%`],
      ],
    ),
  ].join('\n');
}

/** Registers `versions`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('versions')
    .description('Count entities by schema version (v1: numeric schemaVersion ≥ 1), platform-wide or of one group.')
    .option('--group <groupId>', 'only entities whose own groupId is this group (id or slug)')
    .action(async (options: VersionsCommandOptions) => {
      const now = context.now();
      const backend = context.openBackend({ mustExist: true, readOnly: true });
      try {
        const report = await backend.quality.versions({ now, groupId: options.group });
        context.print(report, (result) => renderVersionsReport(result, options.group ?? null));
      } finally {
        await backend.close();
      }
    });
}
