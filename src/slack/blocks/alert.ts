/**
 * Block Kit for notification messages: ONE top-level message per notification (every alert of a subject and
 * severity routed to a channel: platform-wide first, then the affected groups), edited in place as members
 * join, change and resolve; the reminder and the "resolved" replies in its thread. Ids and counts only, never
 * property values; long member lists are cut well inside Block Kit's limits (50 blocks, 3000 characters per
 * text) with "+N more groups" and the CLI command that lists them all.
 */
import type { OutboundMessage } from '../../alerts/ports.ts';
import type { Severity } from '../../alerts/types.ts';
import { isUntilResolved, type NotificationRef } from '../../alerts/types.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { shownErrorText } from '../handler-error.ts';
import { slackStep } from './slack-steps.ts';
import { code, escapeText, personName } from './text.ts';
import { clip, formatChange, formatDuration, slackDate, formatSubjectValue, formatValue, RESOLVED_EMOJI, SEVERITY_EMOJI } from './format.ts';

/** `action_id`s of the buttons every open alert message carries (one handler file each in `handlers/actions/`). */
export const ALERT_ACTION_IDS = {
  acknowledge: 'alert_acknowledge',
  unacknowledge: 'alert_unacknowledge',
  silence: 'alert_silence',
  unsilence: 'alert_unsilence',
  runCheck: 'alert_run_check',
  proposeFix: 'alert_propose_fix',
} as const;

/** The fix that repairs what an alert of `subject` reports, or null when none exists yet. */
export function fixOfSubject(subject: string): 'orphans' | null {
  return subject === 'orphanedEntityCount' ? 'orphans' : null;
}

/**
 * The fix request a "Propose fix" button asks for (`orphans`, `orphans:<groupId>`): the alert's scope, which is
 * one group when only that group fires, else the whole platform. Null when no fix exists for the subject.
 */
export function proposedFixTarget(subject: string, firing: readonly Pick<MemberView, 'groupId'>[]): string | null {
  const fix = fixOfSubject(subject);
  if (fix === null || firing.length === 0) return null;
  const only = firing.length === 1 ? firing[0]!.groupId : null;
  return only === null ? fix : `${fix}:${only}`;
}

/**
 * `action_id` of the "Dashboard" link button (alerts, the Home tab). Slack opens the URL and still sends the
 * click; `handlers/actions/open-dashboard.ts` acknowledges it.
 */
export const DASHBOARD_ACTION_ID = 'open_dashboard';

/** The "Dashboard" link button, opening `url` (`DASHBOARD_URL`) in the browser. */
export function dashboardButton(url: string, groupId: string | null = null): unknown {
  return { type: 'button', action_id: DASHBOARD_ACTION_ID, text: plain('Dashboard'), url: groupId === null ? url : scopedDashboardUrl(url, groupId) };
}

/** The dashboard opened on one group (`?group=<id>`), keeping whatever the configured address already carries. */
export function scopedDashboardUrl(url: string, groupId: string): string {
  try {
    const scoped = new URL(url);
    scoped.searchParams.set('group', groupId);
    return scoped.toString();
  } catch {
    return `${url}${url.includes('?') ? '&' : '?'}group=${encodeURIComponent(groupId)}`;
  }
}

/** The group a notification is about when every member is that one group (its Dashboard opens on it), else null. */
export function notificationGroup(members: readonly Pick<MemberView, 'groupId'>[]): string | null {
  const groups = new Set(members.map((member) => member.groupId));
  const [only] = groups;
  return groups.size === 1 && only !== undefined ? only : null;
}

/** The durations the Silence menu offers: `resolved` lasts until the alert resolves. */
export const SILENCE_CHOICES = [
  { value: '1h', label: '1 hour', ms: 3_600_000 },
  { value: '4h', label: '4 hours', ms: 4 * 3_600_000 },
  { value: '24h', label: '24 hours', ms: 24 * 3_600_000 },
  { value: 'resolved', label: 'Until resolved', ms: null },
] as const;

/** One of the Silence menu's durations. */
export type SilenceChoice = (typeof SILENCE_CHOICES)[number]['value'];

/**
 * The value a button carries: the notification's episode (`openedAt|key`), so a click on the message of an
 * alert that has since resolved (or a stale copy) is told so rather than acting on a later alert of the same key.
 */
export function notificationRefValue(ref: NotificationRef): string {
  return `${ref.openedAt}|${ref.key}`;
}

/** Reads a button's value (`openedAt|key`); a value this app did not write is refused. */
export function parseNotificationRef(value: string): NotificationRef {
  const match = /^(\d{1,16})\|(.+\|(?:critical|warning|info)\|.+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('This button does not name an alert: use the buttons of an alert message.');
  return { openedAt: Number(match[1]), key: match[2]! };
}

/** The value of a Silence menu option: `choice|openedAt|key`. */
export function silenceOptionValue(choice: SilenceChoice, ref: NotificationRef): string {
  return `${choice}|${notificationRefValue(ref)}`;
}

/** Reads a Silence menu option's value. */
export function parseSilenceOption(value: string): { choice: SilenceChoice; ref: NotificationRef } {
  const separator = value.indexOf('|');
  const choice = value.slice(0, separator);
  const known = SILENCE_CHOICES.find((candidate) => candidate.value === choice);
  if (separator < 0 || !known) throw new InvalidArgumentError(`silence duration must be one of ${SILENCE_CHOICES.map((c) => c.value).join(', ')}.`);
  return { choice: known.value, ref: parseNotificationRef(value.slice(separator + 1)) };
}

/** A Slack user id as a mention (`<@U123>`); any other name (the CLI's `--by`) as escaped text. */
export { personName };

/** "until <date>" (a Slack date, each reader's own time zone) or "until resolved". */
export function untilText(until: number): string {
  return isUntilResolved({ until }) ? 'until resolved' : `until ${slackDate(until)}`;
}

/** Which lifecycle controls an open alert message offers, from the state of its members. */
export interface AlertControls {
  /** Whether its open members are acknowledged: Acknowledge unless all are, Unacknowledge once any is. */
  acknowledged: AcknowledgementState;
  /** Some member fires unsilenced: the Silence menu. */
  silenceable: boolean;
  /** Some member is silenced: Unsilence. */
  silenced: boolean;
}

/**
 * The Acknowledge or Unacknowledge, Silence (1 h / 4 h / 24 h / until resolved) or Unsilence and Run check now
 * controls of an open alert, and the Dashboard link when one is configured. Without `controls`: Acknowledge and
 * the Silence menu.
 */
export function alertActions(
  ref: NotificationRef,
  dashboardUrl: string | null = null,
  controls: AlertControls = { acknowledged: 'none', silenceable: true, silenced: false },
): unknown {
  const value = notificationRefValue(ref);
  return {
    type: 'actions',
    block_id: 'alert_actions',
    elements: [
      ...(controls.acknowledged !== 'all'
        ? [{ type: 'button', action_id: ALERT_ACTION_IDS.acknowledge, text: plain('Acknowledge'), style: 'primary', value }]
        : []),
      ...(controls.acknowledged !== 'none'
        ? [{ type: 'button', action_id: ALERT_ACTION_IDS.unacknowledge, text: plain('Unacknowledge'), value }]
        : []),
      ...(controls.silenceable
        ? [
            {
              type: 'static_select',
              action_id: ALERT_ACTION_IDS.silence,
              placeholder: plain('Silence…'),
              options: SILENCE_CHOICES.map((choice) => ({ text: plain(choice.label), value: silenceOptionValue(choice.value, ref) })),
            },
          ]
        : []),
      ...(controls.silenced ? [{ type: 'button', action_id: ALERT_ACTION_IDS.unsilence, text: plain('Unsilence'), value }] : []),
      { type: 'button', action_id: ALERT_ACTION_IDS.runCheck, text: plain('Run check now'), value },
      ...(dashboardUrl ? [dashboardButton(dashboardUrl)] : []),
    ],
  };
}

/** One alert as its notification shows it. */
export interface MemberView {
  /** The alert's key (`subject|scope|severity`). */
  key: string;
  /** Group id, or null platform-wide. */
  groupId: string | null;
  /** The group's slug when known: the message names it first, id after (`acme-eu` (`j57…`)). */
  groupSlug?: string | null;
  /** The group's name when known, after the slug (`acme-eu` Acme Europe (`j57…`)), escaped. */
  groupName?: string | null;
  value: number;
  /** The value at the previous evaluation (or snapshot), to say what changed; null when there is none. */
  previous: { value: number; at: number } | null;
  firstFiringAt: number;
  /** `silenced`: still firing, but silenced, so not shown as firing. */
  state: 'firing' | 'silenced' | 'resolved';
  resolvedAt: number | null;
  acknowledgedBy: string | null;
  /** When it was acknowledged (shown with who). */
  acknowledgedAt?: number | null;
  /** The silence in force for it (state `silenced`): who set it, until when, why. */
  silence?: MemberSilence | null;
  topIssueIds: string[];
  breakdown: Record<string, number>;
  /** A line of context (e.g. a failed job's error). */
  note: string | null;
}

/** The silence a member is under, as its message shows it. */
export interface MemberSilence {
  by: string;
  /** An instant, or `UNTIL_RESOLVED` for a silence that ends when the alert resolves. */
  until: number;
  reason: string;
}

/** Everything a notification message shows. */
export interface NotificationView {
  /**
   * The notification's key (`subject|severity|channel`): with `openedAt` it names the episode the buttons act on.
   * Absent for a message posted outside the store (a failing store's "monitor failed" alert), which gets no buttons.
   */
  key?: string;
  subject: string;
  title: string;
  severity: Severity;
  unit: 'percent' | 'count';
  /** The threshold the members broke, in words (one per subject and severity). */
  threshold: string;
  remediation: string[];
  /** `<!subteam^ID>` for critical notifications, or null. */
  mention: string | null;
  /** What rendered it last: the job that evaluated, or an operator action (`acknowledgement`). */
  source: string;
  /** When the message was rendered (the evaluation time). */
  at: number;
  openedAt: number;
  /** Set once every member has resolved. */
  resolvedAt: number | null;
  members: MemberView[];
  /** The dashboard the message links to (a "Dashboard" button); no link when absent. */
  dashboardUrl?: string | null;
}

/** A member that left a notification in this run, for the thread reply. */
export interface Resolution {
  member: MemberView;
  /** `severity_changed`: it now fires at `nowSeverity`, in that severity's notification. */
  cause: 'resolved' | 'severity_changed';
  nowSeverity: Severity | null;
}

/** The command a Slack user runs to see every firing scope when a list is cut. */
export const LIST_COMMAND = '/ontology status';

const MAX_IDS = 10;
/** Members listed by name per section; the rest are counted. */
const MAX_LISTED = 15;
/** Room left under Slack's 3000 characters for a section's heading and the "+N more" line. */
const SECTION_BUDGET = 2600;

/** A member's group as people know it: `acme-eu` Acme Europe (`j57…`), slug and name escaped; the id alone without them. */
function groupName(member: Pick<MemberView, 'groupId' | 'groupSlug' | 'groupName'>): string {
  const id = code(member.groupId ?? '');
  const name = member.groupName ? escapeText(clip(member.groupName, 80)) : null;
  if (member.groupSlug) return `${code(member.groupSlug)}${name ? ` ${name}` : ''} (${id})`;
  return name ? `${name} (${id})` : id;
}

/** "platform-wide" or "group `acme-eu` (`j57…`)". */
function scopeName(member: Pick<MemberView, 'groupId' | 'groupSlug' | 'groupName'>): string {
  return member.groupId === null ? 'platform-wide' : `group ${groupName(member)}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Platform first, then groups in the order they started firing (stable, so an edit never reshuffles). */
function ordered(members: readonly MemberView[]): MemberView[] {
  return [...members].sort(
    (a, b) =>
      (a.groupId === null ? 0 : 1) - (b.groupId === null ? 0 : 1) ||
      a.firstFiringAt - b.firstFiringAt ||
      (a.groupId ?? '').localeCompare(b.groupId ?? ''),
  );
}

/** "platform-wide + 7 groups", "group `g1`", "3 groups". */
export function scopeSummary(members: readonly MemberView[]): string {
  const platform = members.some((member) => member.groupId === null);
  const groups = members.filter((member) => member.groupId !== null);
  if (groups.length === 0) return platform ? 'platform-wide' : 'no scope';
  const groupText = groups.length === 1 ? `group ${groupName(groups[0]!)}` : plural(groups.length, 'group');
  return platform ? `platform-wide + ${groupText}` : groupText;
}

function plain(text: string): { type: 'plain_text'; text: string; emoji: true } {
  return { type: 'plain_text', text: clip(text, 150), emoji: true };
}

function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: clip(text, 2900) };
}

/** Lines up to the budget and `MAX_LISTED`, then "+N more groups" with the command that lists them all. */
function listed(lines: readonly string[], separator: string): string {
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (kept.length >= MAX_LISTED || length + line.length + separator.length > SECTION_BUDGET) break;
    kept.push(line);
    length += line.length + separator.length;
  }
  const more = lines.length - kept.length;
  if (more === 0) return kept.join(separator);
  // Platform-wide is always listed first, so what is cut is groups.
  return `${kept.join(separator)}${separator}+${more} more group${more === 1 ? '' : 's'}: \`${LIST_COMMAND}\` lists the firing scopes`;
}

/** "3 → 5 (+2) since …", or the value alone when there is nothing to compare with. */
function valueWithChange(member: MemberView, view: Pick<NotificationView, 'subject' | 'unit'>): string {
  const { unit } = view;
  const value = formatSubjectValue(view.subject, member.value, unit);
  if (member.previous === null) return value;
  const change = formatChange(member.value - member.previous.value, unit);
  return `${formatSubjectValue(view.subject, member.previous.value, unit)} → ${value} (${change}) since ${slackDate(member.previous.at)}`;
}

/**
 * One firing member; its start is named only when it differs from the message's. Who acknowledged is said once,
 * under the header; a member is marked only when it is the one not acknowledged among acknowledged ones.
 */
function memberLine(member: MemberView, view: NotificationView, messageSince: number, acknowledged: AcknowledgementState): string {
  const since = member.firstFiringAt !== messageSince ? ` · firing since ${slackDate(member.firstFiringAt)}` : '';
  const ack = acknowledged === 'some' && !member.acknowledgedBy ? ' · not acknowledged' : '';
  const label = member.groupId === null ? '*Platform-wide*' : groupName(member);
  return `${label}: ${valueWithChange(member, view)}${since}${ack}`;
}

/** Whether the open members of a message are acknowledged: none, some or all of them. */
export type AcknowledgementState = 'none' | 'some' | 'all';

/** Who acknowledged a message's open (firing or silenced) members, first acknowledgement first, and when. */
export interface Acknowledgement {
  state: AcknowledgementState;
  /** Everyone who acknowledged, in the order they did. */
  by: string[];
  /** The first acknowledgement, or null. */
  at: number | null;
  acknowledgedCount: number;
  openCount: number;
}

/** The acknowledgement of a message's open members, as its header and buttons show it. */
export function acknowledgementOf(members: readonly MemberView[]): Acknowledgement {
  const open = members.filter((member) => member.state !== 'resolved');
  const acknowledged = open
    .filter((member) => member.acknowledgedBy !== null)
    .sort((a, b) => (a.acknowledgedAt ?? 0) - (b.acknowledgedAt ?? 0));
  const by = [...new Set(acknowledged.map((member) => member.acknowledgedBy!))];
  const state: AcknowledgementState = acknowledged.length === 0 ? 'none' : acknowledged.length === open.length ? 'all' : 'some';
  return { state, by, at: acknowledged[0]?.acknowledgedAt ?? null, acknowledgedCount: acknowledged.length, openCount: open.length };
}

/** "Acknowledged by @a at … (2 of 3 scopes)": said once, under the header. */
function acknowledgementLine(acknowledgement: Acknowledgement): string {
  const who = acknowledgement.by.map(personName).join(', ');
  const when = acknowledgement.at !== null ? ` at ${slackDate(acknowledgement.at)}` : '';
  const part =
    acknowledgement.state === 'some' ? ` (${acknowledgement.acknowledgedCount} of ${plural(acknowledgement.openCount, 'scope')})` : '';
  const next = acknowledgement.state === 'all' ? ': no reminders until it resolves' : '';
  return `:eyes: Acknowledged by ${who}${when}${part}${next}.`;
}

function headline(view: NotificationView, firing: readonly MemberView[]): string {
  if (view.resolvedAt !== null) return `${RESOLVED_EMOJI} Resolved: ${view.title} (${scopeSummary(view.members)})`;
  const scope = firing.length > 0 ? scopeSummary(firing) : 'all silenced';
  // Someone is on every open scope: the header says so rather than shouting the severity.
  if (acknowledgementOf(view.members).state === 'all') return `:eyes: Acknowledged (${view.severity}): ${view.title} (${scope})`;
  return `${SEVERITY_EMOJI[view.severity]} ${view.severity.toUpperCase()}: ${view.title} (${scope})`;
}

/** The values a notification's fallback text quotes: the platform's, or the only group's. */
function valuesText(members: readonly MemberView[], view: NotificationView): string {
  const platform = members.find((member) => member.groupId === null);
  if (platform) return `: platform-wide ${formatSubjectValue(view.subject, platform.value, view.unit)}`;
  return members.length === 1 ? `: ${formatSubjectValue(view.subject, members[0]!.value, view.unit)}` : '';
}

function topIssues(members: readonly MemberView[]): string[] {
  const ids: string[] = [];
  for (const member of members) {
    for (const id of member.topIssueIds) {
      if (ids.length >= MAX_IDS) return ids;
      if (!ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

/**
 * What a message shows, without the times that move on every run: it changes only when a member joins,
 * leaves, changes value, state, top ids or acknowledgement, so the message is edited only then.
 */
export function shownSignature(view: NotificationView): string {
  return JSON.stringify(
    ordered(view.members).map((member) => [
      member.key,
      member.state,
      member.value,
      member.acknowledgedBy,
      member.topIssueIds,
      // Only when silenced, so what earlier releases stored still compares equal.
      ...(member.silence ? [member.silence.by, member.silence.until] : []),
    ]),
  );
}

/** The notification's message (posted once, then edited in place). */
export function notificationMessage(view: NotificationView): OutboundMessage {
  const members = ordered(view.members);
  const firing = members.filter((member) => member.state === 'firing');
  const silenced = members.filter((member) => member.state === 'silenced');
  const resolvedMembers = members.filter((member) => member.state === 'resolved');
  const resolved = view.resolvedAt !== null;
  const firstFiring = Math.min(...(firing.length > 0 ? firing : members).map((member) => member.firstFiringAt), view.openedAt);
  const since = resolved
    ? `Fired ${slackDate(view.openedAt)} → resolved ${slackDate(view.resolvedAt!)} (${formatDuration(view.resolvedAt! - view.openedAt)})`
    : // No "(2 h)" while firing: the message is edited only when what it shows changes, so a duration would go stale.
      `Firing since ${slackDate(firstFiring)}`;
  const title = headline(view, firing);
  const acknowledgement = acknowledgementOf(members);

  const fields = [
    mrkdwn(`*Threshold*\n${view.threshold}`),
    mrkdwn(`*${resolved ? 'Scopes' : 'Firing in'}*\n${resolved ? scopeSummary(members) : firing.length > 0 ? scopeSummary(firing) : 'none (all silenced)'}`),
    mrkdwn(`*${resolved ? 'Duration' : 'Firing since'}*\n${since.replace(/^Firing since /, '')}`),
    mrkdwn(`*Updated*\n${view.source} at ${slackDate(view.at)}`),
  ];
  const blocks: unknown[] = [
    { type: 'header', text: plain(title) },
    ...(view.mention && !resolved && acknowledgement.state !== 'all' ? [{ type: 'section', text: mrkdwn(`${view.mention} please take a look.`) }] : []),
    ...(!resolved && acknowledgement.state !== 'none' ? [{ type: 'section', text: mrkdwn(acknowledgementLine(acknowledgement)) }] : []),
    { type: 'section', fields },
  ];
  if (firing.length > 0) {
    const lines = firing.map((member) => memberLine(member, view, firstFiring, acknowledgement.state));
    const heading = `*Firing (${scopeSummary(firing)})*`;
    blocks.push({ type: 'section', text: mrkdwn(`${heading}\n${listed(lines, '\n')}`) });
  }
  if (silenced.length > 0) {
    const names = silenced.map((member) => {
      const scope = member.groupId === null ? 'platform-wide' : groupName(member);
      const silence = member.silence;
      return silence ? `${scope} by ${personName(silence.by)} ${untilText(silence.until)}: ${escapeText(clip(silence.reason, 120))}` : scope;
    });
    blocks.push({ type: 'section', text: mrkdwn(`*Silenced (${silenced.length})*, not posted until the silence ends\n${listed(names, '\n')}`) });
  }
  if (resolvedMembers.length > 0) {
    const lines = resolvedMembers.map(
      (member) =>
        `${member.groupId === null ? 'platform-wide' : groupName(member)} ${formatSubjectValue(view.subject, member.value, view.unit)}` +
        `${member.resolvedAt !== null ? ` at ${slackDate(member.resolvedAt)}` : ''}`,
    );
    // "No longer": a member leaves when it is back within threshold or fires at another severity now.
    blocks.push({ type: 'section', text: mrkdwn(`*No longer ${view.severity} (${resolvedMembers.length})*\n${listed(lines, ', ')}`) });
  }
  if (!resolved) {
    const noted = firing.find((member) => member.note) ?? members.find((member) => member.note);
    if (noted?.note) blocks.push({ type: 'section', text: mrkdwn(`*Details*\n${escapeText(clip(shownErrorText(noted.note), 500))}`) });
  }
  // Counts belong to one scope: the platform's when it is listed, else the only member's.
  const counted = members.find((member) => member.groupId === null) ?? (members.length === 1 ? members[0] : undefined);
  const breakdown = Object.entries(counted?.breakdown ?? {});
  if (breakdown.length > 0) {
    const where = scopeName(counted!);
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Counts (${where})*\n${breakdown.map(([name, count]) => `${escapeText(name)}: ${formatValue(count, 'count')}`).join(' · ')}`),
    });
  }
  const ids = topIssues([...firing, ...silenced]);
  if (ids.length > 0 && !resolved) {
    blocks.push({ type: 'section', text: mrkdwn(`*Top issues*\n${ids.map((id) => code(id)).join(', ')}`) });
  }
  if (view.remediation.length > 0 && !resolved) {
    const steps = view.remediation.map((step, index) => `${index + 1}. ${slackStep(step)}`).join('\n');
    blocks.push({ type: 'section', text: mrkdwn(`*What to do next*\n${steps}`) });
  }
  // A message about one group opens the dashboard on that group.
  const group = notificationGroup(members);
  const dashboardUrl = view.dashboardUrl ? (group === null ? view.dashboardUrl : scopedDashboardUrl(view.dashboardUrl, group)) : null;
  if (!resolved && view.key) {
    const controls = { acknowledged: acknowledgement.state, silenceable: firing.length > 0, silenced: silenced.length > 0 };
    const actions = alertActions({ key: view.key, openedAt: view.openedAt }, dashboardUrl, controls) as { elements: unknown[] };
    const fixTarget = proposedFixTarget(view.subject, firing);
    // Asks approvers for the fix of this alert's scope (the same request `/ontology fix` posts).
    if (fixTarget !== null) actions.elements.push({ type: 'button', action_id: ALERT_ACTION_IDS.proposeFix, text: plain('Propose fix'), value: fixTarget });
    blocks.push(actions);
  }
  else if (dashboardUrl) blocks.push({ type: 'actions', block_id: 'alert_links', elements: [dashboardButton(dashboardUrl)] });
  blocks.push({ type: 'context', elements: [mrkdwn(`${code(view.subject)} · ${view.severity} · one message for every scope; resolutions in the thread`)] });

  const text = resolved
    ? `${title}. ${since}.`
    : `${view.mention && acknowledgement.state !== 'all' ? `${view.mention} ` : ''}${title}${valuesText(firing, view)} (${view.threshold}). ${since}.`;
  return { text: clip(text, 3000), blocks };
}

/** The reminder in the notification's thread: these members are still firing after the repeat interval. */
export function reminderMessage(view: NotificationView, due: readonly MemberView[]): OutboundMessage {
  const members = ordered(due);
  const firstFiring = Math.min(...members.map((member) => member.firstFiringAt));
  const names = members.map(
    (member) => `${member.groupId === null ? 'platform-wide' : groupName(member)} ${formatSubjectValue(view.subject, member.value, view.unit)}`,
  );
  const text =
    `${view.mention ? `${view.mention} ` : ''}${SEVERITY_EMOJI[view.severity]} Still firing after ${formatDuration(view.at - firstFiring)}: ` +
    `${view.title} (${view.threshold}) in ${listed(names, ', ')}.`;
  return { text: clip(text, 3000), blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** The reply in the notification's thread for the members that left it in this run ("resolved: …"). */
export function resolvedReply(view: NotificationView, resolutions: readonly Resolution[]): OutboundMessage {
  const lines: string[] = [];
  const back = resolutions.filter((resolution) => resolution.cause === 'resolved').map((resolution) => resolution.member);
  if (back.length > 0) {
    const at = back[0]!.resolvedAt ?? view.at;
    const names = ordered(back).map(
      (member) => `${scopeName(member)} after ${formatDuration((member.resolvedAt ?? view.at) - member.firstFiringAt)}`,
    );
    lines.push(`${RESOLVED_EMOJI} Resolved at ${slackDate(at)}: ${listed(names, ', ')}. ${view.title} is back within its threshold there.`);
  }
  const moved = resolutions.filter((resolution) => resolution.cause === 'severity_changed');
  for (const severity of ['critical', 'warning', 'info'] as const) {
    const now = moved.filter((resolution) => resolution.nowSeverity === severity).map((resolution) => resolution.member);
    if (now.length === 0) continue;
    const names = ordered(now).map((member) => `${scopeName(member)} (${formatSubjectValue(view.subject, member.value, view.unit)})`);
    lines.push(
      `${RESOLVED_EMOJI} No longer ${view.severity}: ${view.title} is now ${severity} in ${listed(names, ', ')}; ` +
        `${severity === 'info' ? 'it is logged as an event' : `the ${severity} message follows it`}.`,
    );
  }
  const firingLeft = view.members.filter((member) => member.state !== 'resolved').length;
  lines.push(firingLeft === 0 ? 'Nothing in this message is firing any more.' : `Still firing here: ${plural(firingLeft, 'scope')}.`);
  const text = lines.join('\n');
  return { text: clip(text, 3000), blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** A silence a run broke, as the note in the thread of the message it covered names it. */
export interface SilenceBreakView {
  silenceId: string;
  /** Who set it. */
  by: string;
  reason: 'new_scope' | 'severity_raised' | 'value_doubled';
  /** The scope that broke it. */
  member: Pick<MemberView, 'groupId' | 'groupSlug'>;
  /** As it fired when the silence was set; null when it was not firing then. */
  before: { severity: Severity; value: number } | null;
  now: { severity: Severity; value: number };
}

/** The note in a notification's thread when a silence over it breaks: which scope, its old and new value. */
export function silenceBrokenReply(view: NotificationView, breaks: readonly SilenceBreakView[]): OutboundMessage {
  const lines = breaks.map((broken) => {
    const scope = scopeName(broken.member);
    const now = formatSubjectValue(view.subject, broken.now.value, view.unit);
    const what =
      broken.before === null
        ? `${scope} was not firing when it was set and now is at ${now} (${broken.now.severity})`
        : broken.reason === 'severity_raised'
          ? `${scope} went from ${broken.before.severity} (${formatSubjectValue(view.subject, broken.before.value, view.unit)}) to ${broken.now.severity} (${now})`
          : `${scope} went from ${formatSubjectValue(view.subject, broken.before.value, view.unit)} to ${now} since it was set, at least twice as bad`;
    return `:loud_sound: Silence \`#${broken.silenceId}\` (set by ${personName(broken.by)}) is broken: ${what}.`;
  });
  const text = `${lines.join('\n')}\n${view.title} posts and reminds here as usual again.`;
  return { text: clip(text, 3000), blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
