/**
 * The Approve button of an approval request, on its message or in the Home tab: ack, then the approval service
 * decides and answers the clicker.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { APPROVE_ACTION, parseButtonValue } from '../../src/slack/blocks/approval.ts';
import { publishHome } from '../../src/slack/home.ts';
import { answeringErrors, buttonClick, fromHome, requestChannel } from './approval-click.ts';

/** Registers Approve. */
export function approveRequest(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(APPROVE_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const home = fromHome(body);
    const click = buttonClick(body, action, client, deps, home ? await requestChannel(deps, action.value).catch(() => '') : '');
    await answeringErrors(click, deps, 'Approve', async () => {
      const value = parseButtonValue(click.value);
      if (!value) return click.answer('This button does not belong to an approval request of this bot: nothing changed.');
      const outcome = await deps.approvals.click({ ...value, action: 'approve', userId: click.userId });
      await click.answer(outcome.reply);
      // The Home tab shows the request's new state (approved, or still waiting) at once.
      if (home) await publishHome(client, click.userId, deps);
    });
  });
}
