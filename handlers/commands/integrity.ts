/** `/ontology integrity [group] [--limit N]`: the integrity check, platform-wide or of one group. */
import { reportReadings } from '../../src/quality/severity.ts';
import { MAX_LIMIT } from '../../src/quality/service.ts';
import { integrityMessage, MAX_ISSUE_LINES } from '../../src/slack/blocks/answers.ts';
import { parseArgs, wholeNumberArg } from '../../src/slack/command-args.ts';
import { findGroup, groupRefs } from '../../src/slack/group-names.ts';
import { knownSteps } from '../../src/slack/next-steps.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';

/** Issues listed when no `--limit` is given. */
export const DEFAULT_SLACK_ISSUE_LIMIT = 10;

/** `integrity`. */
export const integrity = defineSubcommand({
  name: 'integrity',
  usage: 'integrity [group] [--limit N]',
  summary: 'integrity check (orphans, cross-group references, missing groupIds, …) with the top issues by id',
  shareable: true,
  slow: () => true,
  parse: (tokens) => {
    const { positionals, flags } = parseArgs(tokens, { positionals: [{ name: 'group' }], flags: { limit: { value: true } } }, 'integrity');
    const limit = typeof flags.limit === 'string' ? wholeNumberArg(flags.limit, '--limit', 1, MAX_LIMIT) : DEFAULT_SLACK_ISSUE_LIMIT;
    return { group: positionals.group, limit };
  },
  run: async ({ group, limit }, context) => {
    const { backend, config, now } = context.deps;
    const scope = group === undefined ? null : await findGroup(backend.documents, group);
    const at = now();
    // The scope's metrics too: integrity can be healthy while, say, schema compliance is critical.
    const [report, metrics] = await Promise.all([
      backend.quality.check({ now: at, groupId: scope?.id, limit }),
      backend.quality.metrics({ now: at, groupId: scope?.id }),
    ]);
    const shownIssues = report.issues.slice(0, MAX_ISSUE_LINES);
    const groups = await groupRefs(backend.documents, shownIssues.map((issue) => issue.groupId));
    const firstEntity = shownIssues.find((issue) => issue.table === 'entities' || issue.table === 'things');
    const nextSteps = knownSteps(context, [
      { label: 'Metrics', command: `metrics${scope ? ` ${scope.slug ?? scope.id}` : ''}` },
      ...(firstEntity ? [{ label: `Audit ${firstEntity.recordId}`, command: `audit ${firstEntity.recordId}` }] : []),
    ]);
    await context.reply(
      integrityMessage({
        report,
        scope,
        groups,
        at,
        metrics: { status: metrics.status, readings: reportReadings(metrics, config.alerts.thresholds) },
        nextSteps,
      }),
    );
  },
});
