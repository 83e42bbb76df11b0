/** The reason modal of the Silence menu: silences the alert message and says until when. */
import type { App } from '@slack/bolt';
import { silenceEnd, silenceNotification } from '../../src/alerts/alert-actions.ts';
import { groupSlugLookup } from '../../src/alerts/group-slugs.ts';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { deliverAlertEdits } from '../../src/slack/alert-runner.ts';
import { personName } from '../../src/slack/blocks/alert.ts';
import { parseSilenceModalState, SILENCE_REASON_CALLBACK_ID, SILENCE_REASON_INPUT, silenceReasonProblem } from '../../src/slack/blocks/silence-modal.ts';
import { shownError } from '../../src/slack/handler-error.ts';
import { answerClick, note } from '../../src/slack/interaction.ts';

/** Registers the reason modal's submission. */
export function silenceReason(app: App, deps: HandlerDeps): void {
  app.view(SILENCE_REASON_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const reason = (view.state.values[SILENCE_REASON_INPUT.block]?.[SILENCE_REASON_INPUT.action]?.value ?? '').trim();
    const problem = reason.length < 3 ? 'Say why the alert is silenced (at least 3 characters).' : silenceReasonProblem(reason);
    if (problem) {
      await ack({ response_action: 'errors', errors: { [SILENCE_REASON_INPUT.block]: problem } });
      return;
    }
    let state: ReturnType<typeof parseSilenceModalState>;
    try {
      state = parseSilenceModalState(view.private_metadata);
    } catch (error) {
      await ack({ response_action: 'errors', errors: { [SILENCE_REASON_INPUT.block]: shownError(error) } });
      return;
    }
    await ack();
    await answerClick('Silence', { responseUrl: null, channelId: state.channel, userId: body.user.id }, deps, client, async () => {
      const outcome = await silenceNotification(deps.backend.monitorPorts.stores.alerts, {
        ref: state.ref,
        choice: state.choice,
        reason,
        by: body.user.id,
        now: deps.now(),
        config: deps.config.alerts,
        groupSlugs: groupSlugLookup(deps.backend.documents),
      });
      const answer =
        outcome.kind === 'already'
          ? note(`Already silenced by ${personName(outcome.silence.createdBy)} ${silenceEnd(outcome.silence)}: nothing changed.`)
          : note(`:no_bell: Silenced ${silenceEnd(outcome.silence)} (silence \`#${outcome.silence.id}\`; \`/ontology unsilence ${outcome.silence.id}\` ends it).`);
      if (outcome.kind === 'silenced') await deliverAlertEdits(deps);
      return answer;
    });
  });
}
