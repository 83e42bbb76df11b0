/** `/ontology versions [group]`: entities in the v0 and v1 shapes (how far the v1 migration has come). */
import { schemaComplianceOf } from '../../src/quality/reports.ts';
import { readingOf } from '../../src/quality/severity.ts';
import { versionsMessage } from '../../src/slack/blocks/answers.ts';
import { parseArgs } from '../../src/slack/command-args.ts';
import { findGroup } from '../../src/slack/group-names.ts';
import { knownSteps } from '../../src/slack/next-steps.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';

/** `versions`. */
export const versions = defineSubcommand({
  name: 'versions',
  usage: 'versions [group]',
  summary: 'entities by schema version (v0 / v1)',
  shareable: true,
  slow: () => true,
  parse: (tokens) => ({ group: parseArgs(tokens, { positionals: [{ name: 'group' }], flags: {} }, 'versions').positionals.group }),
  run: async ({ group }, context) => {
    const { backend, config, now } = context.deps;
    const scope = group === undefined ? null : await findGroup(backend.documents, group);
    const [report, v1MigrationCompleted] = await Promise.all([backend.quality.versions({ now: now(), groupId: scope?.id }), backend.checks.v1MigrationCompleted()]);
    const compliance = readingOf('schemaComplianceScore', schemaComplianceOf(report), { v1MigrationCompleted }, config.alerts.thresholds);
    const nextSteps = knownSteps(context, report.v0Entities > 0 ? [{ label: 'Plan the v1 migration', command: 'migrate --dry-run' }] : []);
    await context.reply(versionsMessage({ report, scope, compliance, nextSteps }));
  },
});
