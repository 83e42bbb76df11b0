/**
 * Block Kit for alert messages: the original (edited in place while the alert fires and when it resolves),
 * the reminder and the "resolved" reply in its thread. Ids and counts only, never property values.
 */
import type { OutboundMessage } from '../../alerts/ports.ts';
import type { Severity } from '../../alerts/types.ts';
import { clip, formatChange, formatDuration, formatInstant, formatValue, RESOLVED_EMOJI, SEVERITY_EMOJI } from './format.ts';

/** Everything an alert message shows. */
export interface AlertView {
  subject: string;
  title: string;
  severity: Severity;
  /** Group id, or null platform-wide. */
  groupId: string | null;
  value: number;
  unit: 'percent' | 'count';
  threshold: string;
  /** The value at the previous evaluation (or snapshot), to say what changed; null when there is none. */
  previous: { value: number; at: number } | null;
  firstFiringAt: number;
  /** When the message was rendered (the evaluation time). */
  at: number;
  breakdown: Record<string, number>;
  topIssueIds: string[];
  remediation: string[];
  /** A line of context (e.g. a failed job's error). */
  note: string | null;
  /** `<!subteam^ID>` for critical alerts, or null. */
  mention: string | null;
  acknowledgedBy: string | null;
  /** Set once the alert has resolved. */
  resolvedAt: number | null;
  /** Which job evaluated it. */
  source: string;
  /** The alert's stable key, shown small for people searching the logs. */
  key: string;
}

const MAX_IDS = 10;

function scopeLabel(groupId: string | null): string {
  return groupId === null ? 'platform-wide' : `group \`${groupId}\``;
}

function headline(view: AlertView): string {
  if (view.resolvedAt !== null) return `${RESOLVED_EMOJI} Resolved: ${view.title} (${scopeLabel(view.groupId)})`;
  return `${SEVERITY_EMOJI[view.severity]} ${view.severity.toUpperCase()}: ${view.title} (${scopeLabel(view.groupId)})`;
}

function changeLine(view: AlertView): string {
  if (view.previous === null) return 'First seen in this run.';
  const delta = view.value - view.previous.value;
  return `${formatValue(view.previous.value, view.unit)} → ${formatValue(view.value, view.unit)} (${formatChange(delta, view.unit)}) since ${formatInstant(view.previous.at)}`;
}

function plain(text: string): { type: 'plain_text'; text: string; emoji: true } {
  return { type: 'plain_text', text: clip(text, 150), emoji: true };
}

function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: clip(text, 2900) };
}

/** The alert's main message (posted once, then edited in place). */
export function alertMessage(view: AlertView): OutboundMessage {
  const resolved = view.resolvedAt !== null;
  const since = resolved
    ? `Fired ${formatInstant(view.firstFiringAt)} → resolved ${formatInstant(view.resolvedAt!)} (${formatDuration(view.resolvedAt! - view.firstFiringAt)})`
    : `Firing since ${formatInstant(view.firstFiringAt)} (${formatDuration(view.at - view.firstFiringAt)})`;
  const fields = [
    mrkdwn(`*${resolved ? 'Last value' : 'Value'}*\n${formatValue(view.value, view.unit)}`),
    mrkdwn(`*Threshold*\n${view.threshold}`),
    mrkdwn(`*Scope*\n${scopeLabel(view.groupId)}`),
    mrkdwn(`*${resolved ? 'Duration' : 'Firing since'}*\n${since.replace(/^Firing since /, '')}`),
  ];
  const breakdown = Object.entries(view.breakdown);
  const blocks: unknown[] = [
    { type: 'header', text: plain(headline(view)) },
    ...(view.mention && !resolved ? [{ type: 'section', text: mrkdwn(`${view.mention} please take a look.`) }] : []),
    { type: 'section', fields },
    { type: 'section', text: mrkdwn(`*What changed*\n${changeLine(view)}`) },
  ];
  if (view.note && !resolved) blocks.push({ type: 'section', text: mrkdwn(`*Details*\n${clip(view.note, 500)}`) });
  if (breakdown.length > 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Counts*\n${breakdown.map(([name, count]) => `${name}: ${formatValue(count, 'count')}`).join(' · ')}`),
    });
  }
  if (view.topIssueIds.length > 0 && !resolved) {
    const ids = view.topIssueIds.slice(0, MAX_IDS).map((id) => `\`${id}\``);
    blocks.push({ type: 'section', text: mrkdwn(`*Top issues*\n${ids.join(', ')}`) });
  }
  if (view.remediation.length > 0 && !resolved) {
    const steps = view.remediation.map((step, index) => `${index + 1}. ${step}`).join('\n');
    blocks.push({ type: 'section', text: mrkdwn(`*What to do next*\n${steps}`) });
  }
  const context = [`\`${view.key}\``, `checked by ${view.source} at ${formatInstant(view.at)}`];
  if (view.acknowledgedBy && !resolved) context.push(`acknowledged by ${view.acknowledgedBy}`);
  blocks.push({ type: 'context', elements: [mrkdwn(context.join(' · '))] });

  const text = resolved
    ? `${headline(view)}. ${since}.`
    : `${view.mention && !resolved ? `${view.mention} ` : ''}${headline(view)}: ${formatValue(view.value, view.unit)} (${view.threshold}). ${since}.`;
  return { text, blocks };
}

/** A reminder in the alert's thread: it is still firing after the repeat interval. */
export function reminderMessage(view: AlertView): OutboundMessage {
  const text =
    `${view.mention ? `${view.mention} ` : ''}${SEVERITY_EMOJI[view.severity]} Still firing after ` +
    `${formatDuration(view.at - view.firstFiringAt)}: ${view.title} is ${formatValue(view.value, view.unit)} (${view.threshold}).`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** Why an alert resolved, for its thread reply. */
export type ResolutionCause = 'resolved' | 'severity_changed';

/** The "resolved" reply in the alert's thread. */
export function resolvedReply(view: AlertView, cause: ResolutionCause, otherSeverity: Severity | null): OutboundMessage {
  const text =
    cause === 'severity_changed' && otherSeverity
      ? `${RESOLVED_EMOJI} No longer ${view.severity}: ${view.title} is now ${otherSeverity} (${formatValue(view.value, view.unit)}); a new ${otherSeverity} alert follows it.`
      : `${RESOLVED_EMOJI} Resolved at ${formatInstant(view.resolvedAt ?? view.at)} after ${formatDuration((view.resolvedAt ?? view.at) - view.firstFiringAt)}: ${view.title} is back within its threshold.`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
