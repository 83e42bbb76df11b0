/**
 * The modal Reject opens: it asks the approver why, since the requester is told. Its `private_metadata` carries
 * the request, the plan hash the clicked message showed and where to answer, so the submission needs nothing else.
 */
import { REJECT_REASON_MAX, REJECT_REASON_MIN } from '../../approvals/decide.ts';
import { InvalidArgumentError } from '../../errors.ts';

/** `callback_id` of the modal (`handlers/views/reject-reason.ts`). */
export const REJECT_REASON_CALLBACK_ID = 'approval_reject_reason';
/** Block and action id of the reason input. */
export const REJECT_REASON_INPUT = { block: 'reason', action: 'reason' } as const;

/** What the modal carries to its submission. */
export interface RejectModalState {
  requestId: string;
  planHash: string;
  /** The channel of the request message, to answer the submitter in. */
  channel: string;
}

/** The modal for `state`. */
export function rejectReasonModal(state: RejectModalState): unknown {
  return {
    type: 'modal',
    callback_id: REJECT_REASON_CALLBACK_ID,
    private_metadata: JSON.stringify(state),
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `Reject request \`${state.requestId.slice(0, 100)}\`? Nothing runs; the requester is told why.` } },
      {
        type: 'input',
        block_id: REJECT_REASON_INPUT.block,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'plain_text_input',
          action_id: REJECT_REASON_INPUT.action,
          min_length: REJECT_REASON_MIN,
          max_length: REJECT_REASON_MAX,
          placeholder: { type: 'plain_text', text: 'e.g. wait until the Friday backfill has finished' },
        },
      },
    ],
  };
}

/** Reads the modal's `private_metadata`; a payload this app did not write is refused. */
export function parseRejectModalState(raw: string): RejectModalState {
  try {
    const state = JSON.parse(raw) as RejectModalState;
    if (typeof state.requestId === 'string' && typeof state.planHash === 'string' && typeof state.channel === 'string') {
      return { requestId: state.requestId, planHash: state.planHash, channel: state.channel };
    }
  } catch {
    // Falls through to the refusal below.
  }
  throw new InvalidArgumentError('This form does not name an approval request: use the Reject button of a request message.');
}
