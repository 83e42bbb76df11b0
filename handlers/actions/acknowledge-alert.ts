/** The Acknowledge button of an alert message: no reminders until it resolves; the message says who and when. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { acknowledgeNotification } from '../../src/alerts/alert-actions.ts';
import { groupSlugLookup } from '../../src/alerts/group-slugs.ts';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { deliverAlertEdits } from '../../src/slack/alert-runner.ts';
import { ALERT_ACTION_IDS, parseNotificationRef, personName } from '../../src/slack/blocks/alert.ts';
import { slackDate } from '../../src/slack/blocks/format.ts';
import { answerClick, clickTarget, note } from '../../src/slack/interaction.ts';

/** Registers the Acknowledge button. */
export function acknowledgeAlert(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ALERT_ACTION_IDS.acknowledge, async ({ ack, body, action, client }) => {
    await ack();
    await answerClick('Acknowledge', clickTarget(body), deps, client, async () => {
      const outcome = await acknowledgeNotification(deps.backend.monitorPorts.stores.alerts, {
        ref: parseNotificationRef(action.value ?? ''),
        by: body.user.id,
        now: deps.now(),
        config: deps.config.alerts,
        groupSlugs: groupSlugLookup(deps.backend.documents),
      });
      if (outcome.kind === 'already') {
        return note(`Already acknowledged by ${personName(outcome.by)} at ${slackDate(outcome.at)}: nothing changed.`);
      }
      await deliverAlertEdits(deps);
      return note(`:eyes: You acknowledged ${outcome.alerts.length} firing scope(s): no reminders until they resolve.`);
    });
  });
}
