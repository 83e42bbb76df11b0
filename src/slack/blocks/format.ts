/** Small formatting helpers shared by the Block Kit builders: values, instants, durations, emoji. */
import type { Severity } from '../../alerts/types.ts';
import { formatByUnit, formatSubjectValue } from '../../quality/severity.ts';
import { escapeText } from './text.ts';

/** Status emoji of a severity (Slack shortcodes, rendered in text and mrkdwn). */
export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  warning: ':large_yellow_circle:',
  info: ':information_source:',
};

/** Emoji of a resolved alert. */
export const RESOLVED_EMOJI = ':white_check_mark:';

/** A value that is no metric of the severity model (a share, a change) as people read it: `99.60%`, `1,234`. */
export const formatValue = formatByUnit;

/** An alert subject's value: a metric as the severity model shows it everywhere, anything else by its unit. */
export { formatSubjectValue };

/** A signed change: `+2`, `-0.4%`, `±0`. */
export function formatChange(delta: number, unit: 'percent' | 'count'): string {
  if (delta === 0) return '±0';
  const magnitude = formatValue(Math.abs(delta), unit);
  return `${delta > 0 ? '+' : '-'}${magnitude}`;
}

/** An instant in UTC, to the minute: `2026-11-27 19:00 UTC`. */
export function formatInstant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * An instant as Slack shows it to each reader in their own time zone (`<!date^UNIX^{date_short_pretty} {time}|…>`:
 * "Today 11:00", "Nov 27 19:00"), with the UTC text (`formatInstant`) as the fallback where dates are not rendered.
 * For mrkdwn only (a `plain_text` field shows it as typed). Every builder that shows a time in Slack uses it.
 */
export function slackDate(ms: number): string {
  const fallback = escapeText(formatInstant(ms));
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

/** A duration rounded for people: `45 min`, `4 h 10 min`, `2 d 3 h`. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** Cuts text to Slack's limit for a field, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
