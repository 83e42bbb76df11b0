/**
 * `/ontology fix <orphans> [groupId] [--dry-run]`: a named fix of the data. `--dry-run` answers directly and
 * privately with the plan (records per table, metrics before → after); without it the fix never runs directly:
 * an approval request is posted to the approval channel, and nothing runs until it is approved.
 */
import { InvalidArgumentError } from '../../src/errors.ts';
import { planAnswer } from '../../src/slack/blocks/approval.ts';
import { parseArgs } from '../../src/slack/command-args.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';
import { slackDate } from '../../src/slack/blocks/format.ts';
import { fixTarget } from '../../src/approvals/service.ts';

interface FixArgs {
  /** The request target: `orphans` or `orphans:<groupId>`. */
  target: string;
  dryRun: boolean;
}

/** `fix`. */
export const fix = defineSubcommand<FixArgs>({
  name: 'fix',
  usage: 'fix <orphans> [groupId] [--dry-run]',
  summary: 'repair orphaned references with a backup and exact undo: plan now; without a flag, ask approvers to run it',
  shareable: false,
  // The plan reads the whole store (orphans and a full check for the metrics before and after).
  slow: () => true,
  parse: (tokens) => {
    const { positionals, flags } = parseArgs(tokens, { positionals: [{ name: 'fix', required: true }, { name: 'groupId', required: false }], flags: { 'dry-run': { value: false } } }, 'fix');
    const name = positionals.fix!;
    const groupId = positionals.groupId ?? null;
    const target = groupId ? `${name}:${groupId}` : name;
    if (fixTarget(target).fix !== 'orphans') {
      throw new InvalidArgumentError(`fix ${name} is not available yet: only \`/ontology fix orphans [groupId]\` runs today; see the runbook for the manual steps.`);
    }
    return { target, dryRun: flags['dry-run'] === true };
  },
  run: async ({ target, dryRun }, context) => {
    const { deps } = context;
    if (dryRun) {
      const plan = await deps.approvals.preview('fix', target);
      await context.reply(planAnswer(plan.kind === 'fix' ? `fix ${plan.fix}${plan.groupId ? ` of group ${plan.groupId}` : ''}` : `fix ${target}`, plan));
      return;
    }
    const request = await deps.approvals.request({ kind: 'fix', target, userId: context.userId });
    await context.reply({
      text: `Approval requested (request \`${request.id}\`): the fix runs once ${request.requiredApprovals} approver(s) approve it in <#${request.channel}>, before ${slackDate(request.expiresAt)}.`,
    });
  },
});
