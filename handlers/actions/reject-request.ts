/** The Reject button of an approval request: ack, then the approval service decides and answers the clicker. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { parseButtonValue, REJECT_ACTION } from '../../src/slack/blocks/approval.ts';
import { answeringErrors, buttonClick } from './approval-click.ts';

/** Registers Reject. */
export function rejectRequest(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(REJECT_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const click = buttonClick(body, action, client, deps);
    await answeringErrors(click, deps, 'Reject', async () => {
      const value = parseButtonValue(click.value);
      if (!value) return click.answer('This button does not belong to an approval request of this bot: nothing changed.');
      const outcome = await deps.approvals.click({ ...value, action: 'reject', userId: click.userId });
      await click.answer(outcome.reply);
    });
  });
}
