/** `ontology-ops check`: the five integrity categories, with counts and the first issues (critical first). */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.ts';
import { CATEGORIES, CATEGORY_LABELS, normalizeCategories, type Category } from '../../quality/categories.ts';
import type { CheckReport } from '../../quality/reports.ts';
import { DEFAULT_ISSUE_LIMIT } from '../../quality/service.ts';
import { CATEGORY_SUBJECT, formatCount, thresholdText } from '../../quality/severity.ts';
import { statusLabel, textTable } from '../../quality/text.ts';
import { DEFAULT_THRESHOLDS, type ThresholdTable } from '../../quality/thresholds.ts';
import { parseWholeNumber, type CliContext } from '../context.ts';

interface CheckCommandOptions {
  group?: string;
  limit?: string;
  categories?: string;
}

/** Text shown without `--json`: each category with the severity of its metric (the severity model), counts with separators. */
export function renderCheckReport(report: CheckReport, thresholds: ThresholdTable = DEFAULT_THRESHOLDS): string {
  const { summary, details } = report;
  const row = (label: string, count: number, category: Category): string[] => [
    label,
    formatCount(count),
    statusLabel(report.categoryStatus[category]),
    thresholdText(CATEGORY_SUBJECT[category], report.categoryStatus[category], thresholds),
  ];
  const rows = [
    row('Orphaned connections', details.orphanedConnections, 'orphaned'),
    row('Orphaned knowledge', details.orphanedKnowledge, 'orphaned'),
    row('Cross-group references', details.crossGroupReferences, 'crossGroup'),
    row('Missing groupId', details.missingGroupIds, 'missingGroupId'),
    row('Invalid metadata', details.invalidMetadata, 'invalidMetadata'),
    row('Malformed properties', details.malformedProperties, 'malformedProperties'),
  ];
  const lines = [
    `Integrity check: ${statusLabel(report.status)}: ${formatCount(summary.totalIssues)} issues ` +
      `(${formatCount(summary.criticalIssues)} critical, ${formatCount(summary.warningIssues)} warning, ${formatCount(summary.infoIssues)} info)`,
    textTable(['Category', 'Records', 'Status', 'Rule'], rows),
  ];
  if (report.issues.length > 0) {
    lines.push(`First ${formatCount(report.issues.length)} of ${formatCount(summary.totalIssues)} issues, critical first:`);
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
        const thresholds = context.thresholds();
        context.print(report, (shown) => renderCheckReport(shown, thresholds));
      } finally {
        await backend.close();
      }
    });
}

