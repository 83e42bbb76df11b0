/**
 * Block Kit building blocks for command answers, kept inside Slack's limits by construction: headers are cut to
 * 150 characters, section texts to 3,000, and lists are summarised ("…and N more") at a whole line, never cut
 * mid-line. `BLOCK_KIT_LIMITS` names the limits; `limitViolations` checks a finished message against them.
 */
import type { Status } from '../../quality/categories.ts';
import { clip } from './format.ts';

/** Slack's Block Kit limits this app relies on. */
export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  headerText: 150,
  fieldsPerSection: 10,
  fieldText: 2_000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
  /** The top-level `text` of a message Slack shows in full (longer is truncated by Slack). */
  messageText: 4_000,
} as const;

/** Emoji of a status (Slack shortcodes). */
export const STATUS_EMOJI: Record<Status, string> = {
  healthy: ':large_green_circle:',
  info: ':information_source:',
  warning: ':large_yellow_circle:',
  critical: ':red_circle:',
};

/** A header block (plain text, emoji shortcodes rendered). */
export function header(text: string): unknown {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, BLOCK_KIT_LIMITS.headerText), emoji: true } };
}

/** A section of mrkdwn text. */
export function section(text: string): unknown {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, BLOCK_KIT_LIMITS.sectionText) } };
}

/** A section of two-column fields (at most 10). */
export function fields(texts: readonly string[]): unknown {
  return {
    type: 'section',
    fields: texts.slice(0, BLOCK_KIT_LIMITS.fieldsPerSection).map((text) => ({ type: 'mrkdwn', text: clip(text, BLOCK_KIT_LIMITS.fieldText) })),
  };
}

/** A context block of small mrkdwn lines (at most 10). */
export function context(texts: readonly string[]): unknown {
  return { type: 'context', elements: texts.slice(0, BLOCK_KIT_LIMITS.contextElements).map((text) => ({ type: 'mrkdwn', text: clip(text, BLOCK_KIT_LIMITS.sectionText) })) };
}

/** An actions block (empty lists give no block). */
export function actions(elements: readonly unknown[]): unknown[] {
  return elements.length === 0 ? [] : [{ type: 'actions', elements: elements.slice(0, BLOCK_KIT_LIMITS.actionsElements) }];
}

/**
 * A heading and as many whole lines as fit in one section (at most `maxLines`), then "…and N more" with
 * `more` (e.g. the CLI command listing all). `total` counts lines that exist beyond `lines` (default: lines).
 */
export function listSection(heading: string, lines: readonly string[], options: { maxLines: number; total?: number; more?: string }): unknown {
  const total = Math.max(options.total ?? lines.length, lines.length);
  const budget = BLOCK_KIT_LIMITS.sectionText - 200 - (options.more?.length ?? 0);
  const shown: string[] = [];
  let length = heading.length;
  for (const line of lines.slice(0, options.maxLines)) {
    if (length + 1 + line.length > budget) break;
    shown.push(line);
    length += 1 + line.length;
  }
  const rest = total - shown.length;
  const tail = rest > 0 ? [`…and ${rest.toLocaleString('en-US')} more${options.more ? `: ${options.more}` : ''}`] : [];
  return section([heading, ...shown, ...tail].join('\n'));
}

/** `1 issue`, `2 issues`. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? word : many}`;
}

/** Where a message breaks a Block Kit limit, in words (empty when it breaks none). */
export function limitViolations(message: { text: string; blocks?: unknown[] }): string[] {
  const problems: string[] = [];
  const limits = BLOCK_KIT_LIMITS;
  const blocks = (message.blocks ?? []) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (message.text.length > limits.messageText) problems.push(`text is ${message.text.length} characters (max ${limits.messageText})`);
  if (blocks.length > limits.blocksPerMessage) problems.push(`${blocks.length} blocks (max ${limits.blocksPerMessage})`);
  blocks.forEach((block, index) => {
    const where = `block ${index} (${String(block.type)})`;
    if (block.type === 'header' && String(block.text?.text ?? '').length > limits.headerText) problems.push(`${where}: header of ${block.text.text.length} characters`);
    if (block.type === 'section') {
      if (block.text && String(block.text.text).length > limits.sectionText) problems.push(`${where}: text of ${block.text.text.length} characters`);
      const sectionFields = (block.fields ?? []) as { text: string }[];
      if (sectionFields.length > limits.fieldsPerSection) problems.push(`${where}: ${sectionFields.length} fields`);
      for (const field of sectionFields) if (field.text.length > limits.fieldText) problems.push(`${where}: field of ${field.text.length} characters`);
      if (!block.text && sectionFields.length === 0) problems.push(`${where}: neither text nor fields`);
    }
    if (block.type === 'context' && (block.elements ?? []).length > limits.contextElements) problems.push(`${where}: ${block.elements.length} elements`);
    if (block.type === 'actions') {
      const elements = (block.elements ?? []) as { text?: { text: string }; value?: string; action_id?: string }[];
      if (elements.length > limits.actionsElements) problems.push(`${where}: ${elements.length} elements`);
      for (const element of elements) {
        if ((element.text?.text.length ?? 0) > limits.buttonText) problems.push(`${where}: button text of ${element.text!.text.length} characters`);
        if ((element.value?.length ?? 0) > limits.buttonValue) problems.push(`${where}: button value of ${element.value!.length} characters`);
        if ((element.action_id?.length ?? 0) > limits.actionId) problems.push(`${where}: action_id of ${element.action_id!.length} characters`);
      }
    }
  });
  return problems;
}
