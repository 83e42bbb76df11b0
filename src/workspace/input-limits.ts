/**
 * What Slack's client checks before it submits a modal: a text input longer than its element's `max_length` is not
 * sent to the app; the modal stays open with the error under the input. The workspace refuses the same way, so an
 * app that trusts `max_length` is tested against the client it will meet.
 */
import type { Block } from './snapshot.ts';

/** The values typed into a modal: per block id, per action id, the text, option value or date (null: empty). */
export type SubmittedValues = Record<string, Record<string, string | null>>;

/** Per input block id, the error for a typed text longer than its input's `max_length`; empty when none is. */
export function overlongInputs(blocks: readonly Block[], values: SubmittedValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const block of blocks) {
    const element = block.element as { type?: unknown; action_id?: unknown; max_length?: unknown } | undefined;
    if (block.type !== 'input' || typeof block.block_id !== 'string' || element?.type !== 'plain_text_input') continue;
    if (typeof element.action_id !== 'string' || typeof element.max_length !== 'number') continue;
    const typed = values[block.block_id]?.[element.action_id];
    // Slack counts characters as the user sees them, not UTF-16 units.
    const length = typed ? [...typed].length : 0;
    if (length > element.max_length) errors[block.block_id] = `Must be ${element.max_length} characters or fewer (this is ${length}).`;
  }
  return errors;
}
