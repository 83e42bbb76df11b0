/** `/ontology metrics [group]`: the seven data-quality metrics against their thresholds. */
import { metricsMessage } from '../../src/slack/blocks/answers.ts';
import { parseArgs } from '../../src/slack/command-args.ts';
import { findGroup } from '../../src/slack/group-names.ts';
import { knownSteps } from '../../src/slack/next-steps.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';

/** `metrics`. */
export const metrics = defineSubcommand({
  name: 'metrics',
  usage: 'metrics [group]',
  summary: 'the seven data-quality metrics against their thresholds',
  shareable: true,
  slow: () => true,
  parse: (tokens) => ({ group: parseArgs(tokens, { positionals: [{ name: 'group' }], flags: {} }, 'metrics').positionals.group }),
  run: async ({ group }, context) => {
    const { backend, config, now } = context.deps;
    const scope = group === undefined ? null : await findGroup(backend.documents, group);
    const report = await backend.quality.metrics({ now: now(), groupId: scope?.id });
    const scopeArg = scope ? ` ${scope.slug ?? scope.id}` : '';
    const nextSteps = knownSteps(context, [
      { label: 'Integrity check', command: `integrity${scopeArg}` },
      { label: 'Trend (7 days)', command: `trend 7${scopeArg}` },
    ]);
    await context.reply(metricsMessage({ report, scope, thresholds: config.alerts.thresholds, nextSteps }));
  },
});
