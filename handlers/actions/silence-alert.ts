/**
 * The Silence menu of an alert message (1 h / 4 h / 24 h / until resolved): opens the modal asking why
 * (`handlers/views/silence-reason.ts` does the silencing). A message already silenced is answered at once.
 */
import type { App, BlockAction, StaticSelectAction } from '@slack/bolt';
import { openEpisode } from '../../src/alerts/alert-actions.ts';
import { silenceMatches } from '../../src/alerts/types.ts';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { ALERT_ACTION_IDS, parseSilenceOption, personName, untilText } from '../../src/slack/blocks/alert.ts';
import { silenceReasonModal } from '../../src/slack/blocks/silence-modal.ts';
import { answerClick, clickTarget, note } from '../../src/slack/interaction.ts';

/** Registers the Silence menu. */
export function silenceAlert(app: App, deps: HandlerDeps): void {
  app.action<BlockAction<StaticSelectAction>>(ALERT_ACTION_IDS.silence, async ({ ack, body, action, client }) => {
    await ack();
    const target = clickTarget(body);
    await answerClick('Silence', target, deps, client, async () => {
      const { choice, ref } = parseSilenceOption(action.selected_option?.value ?? '');
      const { alerts } = deps.backend.monitorPorts.stores;
      const notification = await openEpisode(alerts, ref);
      const now = deps.now();
      const identity = { subject: notification.subject, groupId: null, severity: notification.severity };
      const existing = (await alerts.activeSilences(now)).find((silence) => silence.groupId === '*' && silenceMatches(silence, identity, now));
      if (existing) {
        return note(`Already silenced by ${personName(existing.createdBy)} ${untilText(existing.until)}: nothing changed.`);
      }
      const members = await alerts.notificationMembers(notification.id);
      const title = members.at(-1)?.title ?? notification.subject;
      await client.views.open({ trigger_id: body.trigger_id, view: silenceReasonModal({ choice, ref, channel: target.channelId }, title) as never });
      return null;
    });
  });
}
