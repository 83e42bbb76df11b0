/**
 * `/ontology rollback <runId | backupFile> [--dry-run | --verify]`: exact undo of a migration run, or full restore
 * from a backup in the backup folder. `--dry-run` (both) and `--verify` (backups) answer directly and privately;
 * without a flag an approval request is posted, and nothing runs until it is approved.
 */
import { InvalidArgumentError } from '../../src/errors.ts';
import { planAnswer, verifyAnswer } from '../../src/slack/blocks/approval.ts';
import { parseArgs } from '../../src/slack/command-args.ts';
import { defineSubcommand } from '../../src/slack/subcommand.ts';
import { slackDate } from '../../src/slack/blocks/format.ts';

interface RollbackArgs {
  target: string;
  mode: 'dry-run' | 'verify' | 'request';
}

const looksLikeBackup = (target: string) => /\.(zip|manifest\.json)$/i.test(target) || target.includes('/');

/** `rollback`. */
export const rollback = defineSubcommand<RollbackArgs>({
  name: 'rollback',
  usage: 'rollback <runId | backupFile> [--dry-run | --verify]',
  summary: 'undo a migration run or restore a backup: check now; without a flag, ask approvers to run it',
  shareable: false,
  parse: (tokens) => {
    const { positionals, flags } = parseArgs(
      tokens,
      { positionals: [{ name: 'runId | backupFile', required: true }], flags: { 'dry-run': { value: false }, verify: { value: false } } },
      'rollback',
    );
    const target = positionals['runId | backupFile']!;
    if (flags['dry-run'] && flags.verify) throw new InvalidArgumentError('`rollback` takes --dry-run or --verify, not both: pick one.');
    if (flags.verify && !looksLikeBackup(target)) {
      throw new InvalidArgumentError(`\`rollback --verify\` checks a backup file (…zip or …manifest.json), got "${target}": name a backup, or use --dry-run for a run.`);
    }
    return { target, mode: flags['dry-run'] ? 'dry-run' : flags.verify ? 'verify' : 'request' };
  },
  run: async ({ target, mode }, context) => {
    const { deps } = context;
    if (mode === 'verify') {
      await context.reply(verifyAnswer(await deps.backend.migration({ now: deps.now }).verifyBackup(deps.approvals.backupFile(target))));
      return;
    }
    if (mode === 'dry-run') {
      const plan = await deps.approvals.preview('rollback', target);
      await context.reply(planAnswer(plan.kind === 'restore' ? `full restore from ${target}` : `exact undo of run ${target}`, plan));
      return;
    }
    const request = await deps.approvals.request({ kind: 'rollback', target, userId: context.userId });
    await context.reply({
      text: `Approval requested (request \`${request.id}\`): the rollback runs once ${request.requiredApprovals} approver(s) approve it in <#${request.channel}>, before ${slackDate(request.expiresAt)}.`,
    });
  },
});
