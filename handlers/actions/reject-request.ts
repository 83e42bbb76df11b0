/** The Reject button of an approval request: ack, then open the modal that asks why (the requester is told). */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { parseButtonValue, REJECT_ACTION } from '../../src/slack/blocks/approval.ts';
import { rejectReasonModal } from '../../src/slack/blocks/reject-modal.ts';
import { answeringErrors, buttonClick, fromHome, requestChannel } from './approval-click.ts';

/** Registers Reject. */
export function rejectRequest(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(REJECT_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    const homeChannel = fromHome(body) ? await requestChannel(deps, action.value).catch(() => '') : '';
    const click = buttonClick(body, action, client, deps, homeChannel);
    await answeringErrors(click, deps, 'Reject', async () => {
      const value = parseButtonValue(click.value);
      if (!value) return click.answer('This button does not belong to an approval request of this bot: nothing changed.');
      const channel = body.channel?.id ?? body.container?.channel_id ?? homeChannel;
      await client.views.open({ trigger_id: body.trigger_id, view: rejectReasonModal({ ...value, channel }) as never });
    });
  });
}
