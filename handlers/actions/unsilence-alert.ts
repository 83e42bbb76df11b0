/** The Unsilence button of a silenced alert message: ends its silences, so it shows, posts and reminds again. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { unsilenceNotification } from '../../src/alerts/alert-actions.ts';
import { groupSlugLookup } from '../../src/alerts/group-slugs.ts';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { deliverAlertEdits } from '../../src/slack/alert-runner.ts';
import { ALERT_ACTION_IDS, parseNotificationRef } from '../../src/slack/blocks/alert.ts';
import { answerClick, clickTarget, note } from '../../src/slack/interaction.ts';

/** Registers the Unsilence button. */
export function unsilenceAlert(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ALERT_ACTION_IDS.unsilence, async ({ ack, body, action, client }) => {
    await ack();
    await answerClick('Unsilence', clickTarget(body), deps, client, async () => {
      const outcome = await unsilenceNotification(deps.backend.monitorPorts.stores.alerts, {
        ref: parseNotificationRef(action.value ?? ''),
        now: deps.now(),
        config: deps.config.alerts,
        groupSlugs: groupSlugLookup(deps.backend.documents),
      });
      if (outcome.kind === 'not_silenced') return note('This alert is not silenced: nothing changed.');
      if (outcome.refreshed > 0) await deliverAlertEdits(deps);
      const ids = outcome.silences.map((silence) => `\`#${silence.id}\``).join(', ');
      return note(`:bell: You ended silence ${ids}: the alert shows as firing again and reminds as usual.`);
    });
  });
}
