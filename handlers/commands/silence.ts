/** `/ontology silence <alert> <duration> [reason]`: silences one firing alert; it ends early when the alert resolves. */
import { parseSilenceDuration, silenceEnd, silenceFiringAlert } from '../../src/alerts/alert-actions.ts';
import { InvalidArgumentError } from '../../src/errors.ts';
import { groupSlugLookup } from '../../src/alerts/group-slugs.ts';
import { deliverAlertEdits } from '../../src/slack/alert-runner.ts';
import { personName } from '../../src/slack/blocks/alert.ts';
import { silenceReasonProblem } from '../../src/slack/blocks/silence-modal.ts';
import { code } from '../../src/slack/blocks/text.ts';
import { note } from '../../src/slack/interaction.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';

/** The reason recorded when none is given. */
const NO_REASON = 'no reason given';

/** `silence`. */
export const silence = defineSubcommand({
  name: 'silence',
  usage: 'silence <alert> <duration> [reason]',
  summary: 'silence a firing alert (id or key from `status`) for 30m…7d or `resolved`',
  shareable: false,
  parse: (tokens) => {
    const [alert, duration, ...reason] = tokens;
    if (!alert) throw new InvalidArgumentError('silence needs <alert>: an alert id or key as `/ontology status` lists it.');
    if (!duration) throw new InvalidArgumentError('silence needs <duration>: 30m, 1h, 4h, 24h, 2d or "resolved".');
    // Checked here so a bad duration is answered in the ack; the time is taken again when it runs.
    parseSilenceDuration(duration, 0);
    const why = reason.join(' ').trim();
    const problem = silenceReasonProblem(why);
    if (problem) throw new InvalidArgumentError(`silence [reason]: ${problem}`);
    return { alert, duration, reason: why || NO_REASON };
  },
  run: async (args, context) => {
    const { deps } = context;
    const outcome = await silenceFiringAlert(deps.backend.monitorPorts.stores.alerts, {
      alert: args.alert,
      duration: args.duration,
      reason: args.reason,
      by: context.userId,
      now: deps.now(),
      config: deps.config.alerts,
        groupSlugs: groupSlugLookup(deps.backend.documents),
    });
    if (outcome.kind === 'already') {
      await context.reply(
        note(`Already silenced by ${personName(outcome.silence.createdBy)} ${silenceEnd(outcome.silence)} (silence \`#${outcome.silence.id}\`): nothing changed.`),
      );
      return;
    }
    await deliverAlertEdits(deps);
    await context.reply(
      note(
        `:no_bell: Silenced ${code(outcome.alert.key)} ${silenceEnd(outcome.silence)} (silence \`#${outcome.silence.id}\`); ` +
          `it ends early when the alert resolves. \`/ontology unsilence ${outcome.silence.id}\` ends it now.`,
      ),
    );
  },
});
