/**
 * The modal that asks why an alert is silenced (opened by the Silence menu of an alert message). Its
 * `private_metadata` carries the choice, the notification's episode and where to answer, so the submission
 * handler needs nothing else.
 */
import { InvalidArgumentError } from '../../errors.ts';
import type { NotificationRef } from '../../alerts/types.ts';
import { SILENCE_CHOICES, type SilenceChoice } from './alert.ts';
import { escapeText } from './text.ts';

/** `callback_id` of the modal (`handlers/views/silence-reason.ts`). */
export const SILENCE_REASON_CALLBACK_ID = 'alert_silence_reason';
/** Block and action id of the reason input. */
export const SILENCE_REASON_INPUT = { block: 'reason', action: 'reason' } as const;
/** Longest reason kept (shown on the alert message), from the modal and the `silence` command alike. */
export const MAX_REASON = 200;

/** Why a silence reason is refused (longer than `MAX_REASON`), in one line; null when it is fine. */
export function silenceReasonProblem(reason: string): string | null {
  return reason.length > MAX_REASON
    ? `The reason is ${reason.length.toLocaleString('en-US')} characters: keep it to ${MAX_REASON} (say why in a sentence; details belong in the incident channel).`
    : null;
}

/** What the modal carries to its submission. */
export interface SilenceModalState {
  choice: SilenceChoice;
  ref: NotificationRef;
  /** The channel of the alert message, to answer the submitter in. */
  channel: string;
}

/** The modal for `state`. */
export function silenceReasonModal(state: SilenceModalState, subjectTitle: string): unknown {
  const label = SILENCE_CHOICES.find((choice) => choice.value === state.choice)!.label.toLowerCase();
  return {
    type: 'modal',
    callback_id: SILENCE_REASON_CALLBACK_ID,
    private_metadata: JSON.stringify(state),
    title: { type: 'plain_text', text: 'Silence alert' },
    submit: { type: 'plain_text', text: 'Silence' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `Silence *${escapeText(subjectTitle.slice(0, 200))}* (every scope of the message) for *${label}*. It ends early when the alert resolves.` },
      },
      {
        type: 'input',
        block_id: SILENCE_REASON_INPUT.block,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'plain_text_input',
          action_id: SILENCE_REASON_INPUT.action,
          min_length: 3,
          max_length: MAX_REASON,
          placeholder: { type: 'plain_text', text: 'e.g. backfill of grp_a running until 14:00' },
        },
      },
    ],
  };
}

/** Reads the modal's `private_metadata`; a payload this app did not write is refused. */
export function parseSilenceModalState(raw: string): SilenceModalState {
  try {
    const state = JSON.parse(raw) as SilenceModalState;
    if (
      SILENCE_CHOICES.some((choice) => choice.value === state.choice) &&
      typeof state.ref?.key === 'string' &&
      Number.isFinite(state.ref?.openedAt) &&
      typeof state.channel === 'string'
    ) {
      return { choice: state.choice, ref: { key: state.ref.key, openedAt: state.ref.openedAt }, channel: state.channel };
    }
  } catch {
    // Falls through to the refusal below.
  }
  throw new InvalidArgumentError('This form does not name an alert: use the Silence menu of an alert message.');
}
