/**
 * "Propose fix" on an alert for which a fix exists (orphaned references): ack, then an approval request for that
 * fix in the alert's scope, posted to the approval channel like `/ontology fix` (nothing runs until it is approved).
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { ALERT_ACTION_IDS } from '../../src/slack/blocks/alert.ts';
import { channelMention, code } from '../../src/slack/blocks/text.ts';
import { answeringErrors, buttonClick } from './approval-click.ts';

/** Registers Propose fix. */
export function proposeFix(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ALERT_ACTION_IDS.proposeFix, async ({ ack, body, action, client }) => {
    await ack();
    const click = buttonClick(body, action, client, deps);
    await answeringErrors(click, deps, 'Propose fix', async () => {
      if (!click.value) return click.answer('This button does not name a fix: nothing changed.');
      const request = await deps.approvals.request({ kind: 'fix', target: click.value, userId: click.userId });
      await click.answer(`Fix ${code(click.value.replace(':', ' '))} requested (request ${code(request.id)}): approvers were asked in ${channelMention(request.channel ?? '')}.`);
    });
  });
}
