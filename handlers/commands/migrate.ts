/**
 * `/ontology migrate [--dry-run | --validate-only]`: the dry run and the pre-flight answer directly and privately;
 * without a flag the migration never runs directly: an approval request is posted to the approval channel.
 */
import { InvalidArgumentError } from '../../src/errors.ts';
import { planAnswer, preflightAnswer } from '../../src/slack/blocks/approval.ts';
import { parseArgs } from '../../src/slack/command-args.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';
import { slackDate } from '../../src/slack/blocks/format.ts';

type MigrateMode = 'dry-run' | 'validate-only' | 'request';

/** `migrate`. */
export const migrate = defineSubcommand<MigrateMode>({
  name: 'migrate',
  usage: 'migrate [--dry-run | --validate-only]',
  summary: 'v1 groupId migration: dry run or pre-flight now; without a flag, ask approvers to run it',
  shareable: false,
  // Every mode reads the whole store: a dry run (also behind a request) or the pre-flight checks.
  slow: () => true,
  parse: (tokens) => {
    const { flags } = parseArgs(tokens, { positionals: [], flags: { 'dry-run': { value: false }, 'validate-only': { value: false } } }, 'migrate');
    if (flags['dry-run'] && flags['validate-only']) throw new InvalidArgumentError('`migrate` takes --dry-run or --validate-only, not both: pick one.');
    return flags['dry-run'] ? 'dry-run' : flags['validate-only'] ? 'validate-only' : 'request';
  },
  run: async (mode, context) => {
    const { deps } = context;
    if (mode === 'dry-run') {
      await context.reply(planAnswer('v1 groupId migration', await deps.approvals.preview('migrate', null)));
      return;
    }
    if (mode === 'validate-only') {
      await context.reply(preflightAnswer(await deps.backend.migration({ now: deps.now }).preflight()));
      return;
    }
    const request = await deps.approvals.request({ kind: 'migrate', userId: context.userId });
    await context.reply({
      text: `Approval requested (request \`${request.id}\`): the migration runs once ${request.requiredApprovals} approver(s) approve it in <#${request.channel}>, before ${slackDate(request.expiresAt)}.`,
    });
  },
});
