/** `/ontology trend [days] [group]`: the metrics over the last days, from the daily `dataQualitySnapshots`. */
import { trendsOf } from '../../monitors/trend.ts';
import { trendMessage } from '../../src/slack/blocks/answers.ts';
import { parseArgs, wholeNumberArg } from '../../src/slack/command-args.ts';
import { findGroup } from '../../src/slack/group-names.ts';
import { knownSteps } from '../../src/slack/next-steps.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';

/** Days a trend covers when none are given. */
export const DEFAULT_TREND_DAYS = 7;
/** The longest window (the archive keeps daily snapshots; a quarter is plenty for a chat answer). */
export const MAX_TREND_DAYS = 90;
const DAY_MS = 86_400_000;

/** `trend`. */
export const trend = defineSubcommand({
  name: 'trend',
  usage: 'trend [days] [group]',
  summary: `each metric over the last days (default ${DEFAULT_TREND_DAYS}, at most ${MAX_TREND_DAYS}) from the daily snapshots`,
  shareable: true,
  slow: () => true,
  parse: (tokens) => {
    const { positionals } = parseArgs(tokens, { positionals: [{ name: 'days' }, { name: 'group' }], flags: {} }, 'trend');
    // `trend acme-eu` reads as a group: days are digits, so a first argument that is not is the group.
    if (positionals.days !== undefined && !/^\d+$/.test(positionals.days) && positionals.group === undefined) {
      return { days: DEFAULT_TREND_DAYS, group: positionals.days };
    }
    const days = positionals.days === undefined ? DEFAULT_TREND_DAYS : wholeNumberArg(positionals.days, '[days]', 1, MAX_TREND_DAYS);
    return { days, group: positionals.group };
  },
  run: async ({ days, group }, context) => {
    const { backend, now } = context.deps;
    const scope = group === undefined ? null : await findGroup(backend.documents, group);
    const to = now();
    const from = to - days * DAY_MS;
    const snapshots = (await backend.monitorPorts.stores.snapshots.snapshotsBetween(from, to)).filter(
      (snapshot) => (snapshot.groupId ?? null) === (scope?.id ?? null),
    );
    const nextSteps = knownSteps(context, [{ label: 'Metrics now', command: `metrics${scope ? ` ${scope.slug ?? scope.id}` : ''}` }]);
    await context.reply(trendMessage({ scope, days, from, to, snapshots: snapshots.length, trends: trendsOf(snapshots), nextSteps }));
  },
});
