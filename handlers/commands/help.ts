/** `/ontology help`: what every subcommand does and how to call it. */
import { parseArgs } from '../../src/slack/command-args.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';

/** `help`. */
export const help = defineSubcommand({
  name: 'help',
  usage: 'help',
  summary: 'this list',
  shareable: true,
  parse: (tokens) => parseArgs(tokens, { positionals: [], flags: {} }, 'help'),
  run: async (_args, context) => {
    await context.reply(context.usage());
  },
});
