/** The reason modal of Reject: rejects the request with the reason and answers the approver privately. */
import type { App } from '@slack/bolt';
import { userMessage } from '../../src/errors.ts';
import type { HandlerDeps } from '../../src/slack/app.ts';
import { REJECT_REASON_MIN } from '../../src/approvals/decide.ts';
import { parseRejectModalState, REJECT_REASON_CALLBACK_ID, REJECT_REASON_INPUT } from '../../src/slack/blocks/reject-modal.ts';
import { answerClick, note } from '../../src/slack/interaction.ts';

/** Registers the reason modal's submission. */
export function rejectReason(app: App, deps: HandlerDeps): void {
  app.view(REJECT_REASON_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const reason = (view.state.values[REJECT_REASON_INPUT.block]?.[REJECT_REASON_INPUT.action]?.value ?? '').trim();
    if (reason.length < REJECT_REASON_MIN) {
      await ack({ response_action: 'errors', errors: { [REJECT_REASON_INPUT.block]: `Say why the request is rejected (at least ${REJECT_REASON_MIN} characters).` } });
      return;
    }
    let state: ReturnType<typeof parseRejectModalState>;
    try {
      state = parseRejectModalState(view.private_metadata);
    } catch (error) {
      await ack({ response_action: 'errors', errors: { [REJECT_REASON_INPUT.block]: userMessage(error) } });
      return;
    }
    await ack();
    await answerClick('Reject', { responseUrl: null, channelId: state.channel, userId: body.user.id }, deps, client, async () => {
      const outcome = await deps.approvals.click({ requestId: state.requestId, planHash: state.planHash, action: 'reject', userId: body.user.id, reason });
      return note(outcome.reply);
    });
  });
}
