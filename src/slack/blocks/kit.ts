/**
 * Block Kit building blocks for command answers, kept inside Slack's limits by construction: headers are cut to
 * 150 characters, section texts to 3,000, and lists are summarised ("…and N more") at a whole line, never cut
 * mid-line. `BLOCK_KIT_LIMITS` names the limits; `limitViolations` checks a finished message against Slack's rules
 * (`validate.ts`).
 */
import type { Status } from '../../quality/categories.ts';
import { clip } from './format.ts';
import { messageProblems, SLACK_LIMITS } from './validate.ts';

/** Slack's Block Kit limits this app's builders rely on (a view of `SLACK_LIMITS`). */
export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: SLACK_LIMITS.messageBlocks,
  sectionText: SLACK_LIMITS.sectionText,
  headerText: SLACK_LIMITS.headerText,
  fieldsPerSection: SLACK_LIMITS.sectionFields,
  fieldText: SLACK_LIMITS.fieldText,
  contextElements: SLACK_LIMITS.contextElements,
  actionsElements: SLACK_LIMITS.actionsElements,
  buttonText: SLACK_LIMITS.buttonText,
  buttonValue: SLACK_LIMITS.buttonValue,
  actionId: SLACK_LIMITS.actionId,
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
 * `more` (e.g. the CLI command listing all). `total` counts the lines that exist (default: `lines.length`);
 * `'unknown'` when `lines` were cut at a limit and there may be more (the tail then says "…and more").
 */
export function listSection(heading: string, lines: readonly string[], options: { maxLines: number; total?: number | 'unknown'; more?: string }): unknown {
  const open = options.total === 'unknown';
  const total = open ? lines.length : Math.max((options.total as number | undefined) ?? lines.length, lines.length);
  const budget = BLOCK_KIT_LIMITS.sectionText - 200 - (options.more?.length ?? 0);
  const shown: string[] = [];
  let length = heading.length;
  for (const line of lines.slice(0, options.maxLines)) {
    if (length + 1 + line.length > budget) break;
    shown.push(line);
    length += 1 + line.length;
  }
  const rest = total - shown.length;
  const count = open ? '' : ` ${rest.toLocaleString('en-US')}`;
  const tail = rest > 0 ? [`…and${count} more${options.more ? `: ${options.more}` : ''}`] : [];
  return section([heading, ...shown, ...tail].join('\n'));
}

/** `1 issue`, `2 issues`. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? word : many}`;
}

/**
 * Where a message breaks Slack's Block Kit rules (`validate.ts`) or runs past the 4,000 characters of `text`
 * Slack shows in full, in words (empty when it breaks none).
 */
export function limitViolations(message: { text: string; blocks?: unknown[] }): string[] {
  const shown = message.text.length > BLOCK_KIT_LIMITS.messageText ? [`text is ${message.text.length} characters (max ${BLOCK_KIT_LIMITS.messageText})`] : [];
  return [...shown, ...messageProblems(message)];
}
