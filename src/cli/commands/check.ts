/** `ontology-ops check`: the five integrity categories, with counts and the first issues (critical first). */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.ts';
import { CATEGORIES, CATEGORY_LABELS, normalizeCategories, type Category } from '../../quality/categories.ts';
import type { CheckReport } from '../../quality/reports.ts';
import { DEFAULT_ISSUE_LIMIT } from '../../quality/service.ts';
import { statusLabel, textTable } from '../../quality/text.ts';
import { parseWholeNumber, type CliContext } from '../context.ts';

interface CheckCommandOptions {
  group?: string;
  limit?: string;
  categories?: string;
}

/** Text shown without `--json`. */
export function renderCheckReport(report: CheckReport): string {
  const { summary, details } = report;
  // Only missing groupIds can be info issues, so the summary tells their severity whenever there are any.
  const missingSeverity =
    details.missingGroupIds === 0 ? 'critical (info before the v1 migration)' : summary.infoIssues > 0 ? 'info' : 'critical';
  const rows: [string, number, string][] = [
    ['Orphaned connections', details.orphanedConnections, 'critical'],
    ['Orphaned knowledge', details.orphanedKnowledge, 'critical'],
    ['Cross-group references', details.crossGroupReferences, 'critical'],
    ['Missing groupId', details.missingGroupIds, missingSeverity],
    ['Invalid metadata', details.invalidMetadata, 'warning'],
    ['Malformed properties', details.malformedProperties, 'warning'],
  ];
  const lines = [
    `Integrity check: ${statusLabel(report.status)}: ${summary.totalIssues} issues ` +
      `(${summary.criticalIssues} critical, ${summary.warningIssues} warning, ${summary.infoIssues} info)`,
    textTable(['Category', 'Records', 'Severity'], rows),
  ];
  if (report.issues.length > 0) {
    lines.push(`First ${report.issues.length} of ${summary.totalIssues} issues, critical first:`);
    lines.push(
      textTable(
        ['Severity', 'Category', 'Table', 'Record', 'What is wrong'],
        report.issues.map((issue) => [issue.severity, CATEGORY_LABELS[issue.category], issue.table, issue.recordId, issue.description]),
        [null, null, null, null, 64],
      ),
    );
  }
  return lines.join('\n');
}

/** `--categories a,b`: blanks around names and empty items (a trailing comma) are ignored; no name at all is an error. */
function parseCategories(raw: string): Category[] {
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new InvalidArgumentError(`--categories names no category: pass a comma-separated subset of ${CATEGORIES.join(', ')}.`);
  return normalizeCategories(names);
}

/** Registers `check`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('check')
    .description('Check referential integrity, tenant isolation, groupIds, metadata and properties; list the first issues.')
    .option('--group <groupId>', 'only records whose own groupId is this group (id or slug)')
    .option('--limit <n>', `issues to list, critical first (default ${DEFAULT_ISSUE_LIMIT})`)
    .option('--categories <list>', `comma-separated subset of ${CATEGORIES.join(', ')} (default all)`)
    .action(async (options: CheckCommandOptions) => {
      const limit = options.limit === undefined ? undefined : parseWholeNumber(options.limit, '--limit', 1);
      const categories = options.categories === undefined ? undefined : parseCategories(options.categories);
      const now = context.now();
      const backend = context.openBackend({ mustExist: true, readOnly: true });
      try {
        const report = await backend.quality.check({ now, groupId: options.group, limit, categories });
        context.print(report, renderCheckReport);
      } finally {
        await backend.close();
      }
    });
}

