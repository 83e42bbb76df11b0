/** `/ontology status`: the last run of each monitor, the last snapshot, firing alerts, silences, migration and approvals. */
import { parseArgs } from '../../src/slack/command-args.ts';
import { statusMessage } from '../../src/slack/blocks/status.ts';
import { overviewDeps } from '../../src/slack/home.ts';
import { gatherOverview } from '../../src/slack/overview.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';

/** `status`. */
export const status = defineSubcommand({
  name: 'status',
  usage: 'status',
  summary: 'last run of each monitor, last snapshot, firing alerts and silences, migration and approval state',
  shareable: true,
  parse: (tokens) => parseArgs(tokens, { positionals: [], flags: {} }, 'status'),
  run: async (_args, context) => {
    const overview = await gatherOverview(overviewDeps(context.deps), context.userId);
    await context.reply(statusMessage(overview));
  },
});
