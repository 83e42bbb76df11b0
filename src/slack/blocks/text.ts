/**
 * Text that goes into Slack, escaped by construction. Slack reads `<…>` in mrkdwn and in a message's top-level
 * `text` as a mention, a broadcast (`<!channel>`), a user group or a link, and `&` as the start of an entity; so
 * data and user text (slugs, ids, types, reasons, names, error messages) go in only through `escapeText` or
 * `code`, and only the bot's own mentions, links and dates are built as markup, here. `plain_text` objects
 * (headers, button labels) are shown as typed and never read as markup, so they take data as it is.
 */

/** Escapes `&`, `<` and `>` so Slack shows the text as typed and reads nothing in it as markup. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * `value` as an inline code span, escaped; a backtick in it becomes `ˋ` and a line break a space, so the data
 * cannot close the span early and format what follows.
 */
export function code(value: string | number): string {
  const inner = escapeText(String(value)).replace(/`/g, 'ˋ').replace(/\s*[\r\n]+\s*/g, ' ');
  return inner.trim() === '' ? '`""`' : `\`${inner}\``;
}

/** A Slack user id (`U…`, `W…`) the bot may mention. */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** A mention of a Slack user id (`<@U123>`); anything else (the CLI's `--by` name) as escaped text. */
export function personName(by: string): string {
  return USER_ID.test(by) ? `<@${by}>` : escapeText(by);
}

/** A mention of a channel id (`<#C123>`), escaped text when it is not one. */
export function channelMention(channelId: string): string {
  return /^[CGD][A-Z0-9]{2,}$/.test(channelId) ? `<#${channelId}>` : escapeText(channelId);
}

/** A link the bot builds (its own URL) with a label; the label is escaped, a URL Slack could misread is shown as text. */
export function link(url: string, label: string): string {
  return /^https?:\/\/[^\s<>|]+$/.test(url) ? `<${url}|${escapeText(label)}>` : escapeText(label);
}
