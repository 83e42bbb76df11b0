/** The Unacknowledge button of an acknowledged alert message: reminders resume and the message shows it open again. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { unacknowledgeNotification } from '../../src/alerts/alert-actions.ts';
import { groupSlugLookup } from '../../src/alerts/group-slugs.ts';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { deliverAlertEdits } from '../../src/slack/alert-runner.ts';
import { ALERT_ACTION_IDS, parseNotificationRef, personName } from '../../src/slack/blocks/alert.ts';
import { answerClick, clickTarget, note } from '../../src/slack/interaction.ts';

/** Registers the Unacknowledge button. */
export function unacknowledgeAlert(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<ButtonAction>>(ALERT_ACTION_IDS.unacknowledge, async ({ ack, body, action, client }) => {
    await ack();
    await answerClick('Unacknowledge', clickTarget(body), deps, client, async () => {
      const outcome = await unacknowledgeNotification(deps.backend.monitorPorts.stores.alerts, {
        ref: parseNotificationRef(action.value ?? ''),
        by: body.user.id,
        now: deps.now(),
        config: deps.config.alerts,
        groupSlugs: groupSlugLookup(deps.backend.documents),
      });
      if (outcome.kind === 'not_acknowledged') return note('Nobody has acknowledged this alert: nothing changed.');
      await deliverAlertEdits(deps);
      const who = [...new Set(outcome.alerts.map((alert) => personName(alert.acknowledgedBy!)))].join(', ');
      return note(`:bell: You took back the acknowledgement of ${who} on ${outcome.alerts.length} firing scope(s): reminders resume.`);
    });
  });
}
