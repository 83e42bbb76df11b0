/**
 * "Request rollback" on a failed migration, or one that succeeded with regressions: ack, then a new approval request
 * for the exact undo of its run (posted to the approval channel like any other; nothing runs until it is approved).
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { REQUEST_ROLLBACK_ACTION } from '../../src/slack/blocks/approval.ts';
import { channelMention, code } from '../../src/slack/blocks/text.ts';
import { answeringErrors, buttonClick } from './approval-click.ts';

/** Registers Request rollback. */
export function requestRollback(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(REQUEST_ROLLBACK_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const click = buttonClick(body, action, client, deps);
    await answeringErrors(click, deps, 'Request rollback', async () => {
      if (!click.value) return click.answer('This button does not belong to a run of this bot: nothing changed.');
      const request = await deps.approvals.requestRollbackOf(click.value, click.userId);
      await click.answer(`Rollback of run ${code(request.target ?? '')} requested (request ${code(request.id)}): approvers were asked in ${channelMention(request.channel ?? '')}.`);
    });
  });
}
