/** `/ontology unsilence <silence>`: ends a silence now; the alerts it covered show as firing again. */
import { unsilence as endSilence } from '../../src/alerts/alert-actions.ts';
import { parseArgs } from '../../src/slack/command-args.ts';
import { groupSlugLookup } from '../../src/alerts/group-slugs.ts';
import { deliverAlertEdits } from '../../src/slack/alert-runner.ts';
import { escapeText } from '../../src/slack/blocks/text.ts';
import { note } from '../../src/slack/interaction.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';

/** `unsilence`. */
export const unsilence = defineSubcommand({
  name: 'unsilence',
  usage: 'unsilence <silence>',
  summary: 'end a silence now (its id from `status`)',
  shareable: false,
  parse: (tokens) => parseArgs(tokens, { positionals: [{ name: 'silence', required: true }], flags: {} }, 'unsilence'),
  run: async (args, context) => {
    const { deps } = context;
    const ended = await endSilence(deps.backend.monitorPorts.stores.alerts, {
      silenceId: args.positionals.silence!,
      now: deps.now(),
      config: deps.config.alerts,
        groupSlugs: groupSlugLookup(deps.backend.documents),
    });
    if (ended.refreshed > 0) await deliverAlertEdits(deps);
    await context.reply(
      note(`:bell: Silence \`#${ended.silence.id}\` (${escapeText(ended.silence.subject)}) ended; ${ended.refreshed} alert message(s) show it firing again.`),
    );
  },
});
