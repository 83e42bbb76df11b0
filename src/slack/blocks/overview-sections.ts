/**
 * Block Kit sections shared by `/ontology status` and the App Home tab, pure functions of an `OpsOverview`:
 * the integrity card, firing alerts, silences, monitor jobs, approvals and the migration. Ids, counts and Slack
 * user ids only; every list stops well inside Slack's limits with "+N more" and where to see the rest.
 */
import type { Status } from '../../quality/categories.ts';
import { formatMetric, STATUS_LOOK } from '../../quality/severity.ts';
import { groupLabel } from '../group-names.ts';
import type { OpsOverview, PendingApproval } from '../overview.ts';
import { APPROVE_ACTION, approveConfirm, REJECT_ACTION, type ApprovalButtonValue } from './approval.ts';
import { dashboardButton, personName, untilText } from './alert.ts';
import { clip, slackDate, formatSubjectValue, formatValue, SEVERITY_EMOJI } from './format.ts';
import { code, escapeText, link } from './text.ts';

/** Status emoji of the integrity card (the severity model's look). */
export const STATUS_EMOJI: Record<Status, string> = {
  healthy: STATUS_LOOK.healthy.emoji,
  info: STATUS_LOOK.info.emoji,
  warning: STATUS_LOOK.warning.emoji,
  critical: STATUS_LOOK.critical.emoji,
};

/** Entries listed per section; the rest are counted. */
export const MAX_LISTED = 10;

/** A mrkdwn text object, clipped under Slack's 3,000 characters. */
export function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: clip(text, 2900) };
}

/** A plain-text object, clipped to a header's 150 characters. */
export function plain(text: string): { type: 'plain_text'; text: string; emoji: true } {
  return { type: 'plain_text', text: clip(text, 150), emoji: true };
}

function section(text: string): unknown {
  return { type: 'section', text: mrkdwn(text) };
}

/** Up to `MAX_LISTED` lines, then "+N more" and where to see them (when Slack has a place that lists them all). */
function listed(lines: readonly string[], more: string | null): string {
  const kept = lines.slice(0, MAX_LISTED);
  const rest = lines.length - kept.length;
  return rest > 0 ? `${kept.join('\n')}\n+${rest} more${more ? `: ${more}` : ''}` : kept.join('\n');
}

/** Where a Slack user sees every firing alert or silence: the Dashboard when there is one. */
function allListed(overview: OpsOverview): string | null {
  return overview.dashboardUrl ? 'the Dashboard lists them all' : null;
}

/** "platform-wide", or the group slug first, id after (`acme-eu` (`j57…`)). */
function scope(overview: OpsOverview, groupId: string | null): string {
  if (groupId === null) return 'platform-wide';
  return `group ${groupLabel(overview.groups?.get(groupId) ?? { id: groupId, slug: null })}`;
}

/** The integrity card: status, score, each metric against its threshold, the last and next check. */
export function integritySections(overview: OpsOverview): unknown[] {
  const card = overview.integrity;
  const next = overview.nextCheck ? `next ${overview.nextCheck.job} check ${slackDate(overview.nextCheck.at)}` : 'no check scheduled';
  if (!card) {
    return [section(`*Integrity*: no check has run yet (the daily job writes the first snapshot). ${next}.`)];
  }
  const fields = card.metrics.map((metric) => mrkdwn(`*${metric.title}* ${STATUS_EMOJI[metric.status]}\n${metric.display} (${metric.threshold})`));
  return [
    section(`*Integrity* ${STATUS_EMOJI[card.status]} ${card.status} · score *${formatMetric('referentialIntegrityScore', card.score)}* · snapshot of ${slackDate(card.checkedAt)}`),
    // Section fields hold at most 10.
    { type: 'section', fields: fields.slice(0, 10) },
    { type: 'context', elements: [mrkdwn(`Last check ${slackDate(card.checkedAt)} · ${next}`)] },
  ];
}

/** The "Dashboard" link button of the overview, or null when no dashboard is configured. */
export function dashboardLink(overview: OpsOverview): unknown | null {
  return overview.dashboardUrl ? { type: 'actions', block_id: 'overview_links', elements: [dashboardButton(overview.dashboardUrl)] } : null;
}

/** Firing alerts, most severe first, with their ids (for `/ontology silence`) and who acknowledged them. */
export function firingSection(overview: OpsOverview): unknown {
  if (overview.firing.length === 0) return section('*Firing alerts*: none.');
  const order = { critical: 0, warning: 1, info: 2 };
  const lines = [...overview.firing]
    .sort((a, b) => order[a.severity] - order[b.severity] || a.firstFiringAt - b.firstFiringAt)
    .map((alert) => {
      const silenced = overview.silences.some(
        (silence) =>
          silence.subject === alert.subject &&
          (silence.groupId === '*' || silence.groupId === alert.groupId) &&
          (silence.severity === null || silence.severity === alert.severity),
      );
      const value = alert.lastValue === null ? '' : ` ${formatSubjectValue(alert.subject, alert.lastValue, alert.details.unit)}`;
      const ack = alert.acknowledgedBy ? ` · acknowledged by ${personName(alert.acknowledgedBy)}` : '';
      return (
        `${SEVERITY_EMOJI[alert.severity]} ${escapeText(alert.title)}${value} in ${scope(overview, alert.groupId)} since ${slackDate(alert.firstFiringAt)}` +
        `${ack}${silenced ? ' · silenced' : ''} · ${code(alert.id)}`
      );
    });
  return section(`*Firing alerts (${overview.firing.length})*\n${listed(lines, allListed(overview))}`);
}

/** Silences in force, with their ids (for `/ontology unsilence`). */
export function silencesSection(overview: OpsOverview): unknown | null {
  if (overview.silences.length === 0) return null;
  const lines = overview.silences.map(
    (silence) =>
      `${code(`#${silence.id}`)} ${escapeText(silence.subject)} ${silence.groupId === '*' ? 'every scope' : scope(overview, silence.groupId)}` +
      `${silence.severity ? ` ${silence.severity}` : ''} ${untilText(silence.until)} by ${personName(silence.createdBy)}: ${escapeText(clip(silence.reason, 100))}`,
  );
  return section(`*Silences (${overview.silences.length})*\n${listed(lines, allListed(overview))}`);
}

const OUTCOME_EMOJI = { succeeded: ':white_check_mark:', failed: ':x:', running: ':hourglass_flowing_sand:', skipped_overlap: ':fast_forward:' } as const;

/** The last run of each monitor job and its next slot. */
export function jobsSection(overview: OpsOverview): unknown {
  const lines = overview.jobs.map((job) => {
    const last = job.last
      ? `${OUTCOME_EMOJI[job.last.outcome]} ${job.last.outcome.replace('_', ' ')} ${slackDate(job.last.startedAt)}`
      : 'never ran';
    return `\`${job.job}\` ${last}${job.nextAt !== null ? ` · next ${slackDate(job.nextAt)}` : ''}`;
  });
  return section(`*Monitor jobs*\n${lines.join('\n')}`);
}

/** The approvals waiting, the ones the viewer may act on first, then the oldest. */
function sortedApprovals(overview: OpsOverview): PendingApproval[] {
  return [...overview.approvals].sort((a, b) => Number(b.viewerMayAct) - Number(a.viewerMayAct) || a.requestedAt - b.requestedAt);
}

/** One waiting request in a line: kind, requester, when, approvals, expiry, id. */
function approvalLine(approval: PendingApproval): string {
  return (
    `${approval.viewerMayAct ? ':point_right: ' : ''}${code(approval.kind)} requested by ${personName(approval.requestedBy)} ` +
    `${slackDate(approval.requestedAt)} · ${approval.approvals}/${approval.required} approvals · expires ${slackDate(approval.expiresAt)}` +
    `${approval.viewerMayAct ? ' · *you may approve*' : ''} · ${code(approval.id)}`
  );
}

/** Approvals waiting: the ones the viewer may act on first. */
export function approvalsSection(overview: OpsOverview): unknown {
  if (overview.approvals.length === 0) return section('*Approvals*: nothing is waiting.');
  const lines = sortedApprovals(overview).map(approvalLine);
  return section(`*Approvals waiting (${overview.approvals.length})*\n${listed(lines, '`/ontology status`')}`);
}

/** Requests the Home tab shows with their own buttons (each is two blocks of Slack's 100). */
export const HOME_APPROVALS_WITH_BUTTONS = 5;

/** The link to a request's message in its channel (Slack's archive URL, which opens the message in the client). */
export function requestMessageUrl(message: { channel: string; ts: string }): string {
  return `https://slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
}

/**
 * The Home tab's approvals: each waiting request with a link to its message and the request message's own Approve /
 * Reject buttons (same action ids, values and confirm dialog, so the same handlers and four-eyes rules apply).
 */
export function approvalRequestBlocks(overview: OpsOverview): unknown[] {
  if (overview.approvals.length === 0) return [section('*Approvals*: nothing is waiting.')];
  const sorted = sortedApprovals(overview);
  const shown = sorted.slice(0, HOME_APPROVALS_WITH_BUTTONS);
  const blocks: unknown[] = [section(`*Approvals waiting (${overview.approvals.length})*`)];
  for (const approval of shown) {
    const where = approval.message ? ` · ${link(requestMessageUrl(approval.message), 'Open the request')}` : '';
    const value = JSON.stringify({ requestId: approval.id, planHash: approval.planHash } satisfies ApprovalButtonValue);
    blocks.push(section(`${approvalLine(approval)}${where}`), {
      type: 'actions',
      block_id: `home_approval:${approval.id}`,
      elements: [
        { type: 'button', action_id: APPROVE_ACTION, text: plain('Approve'), value, style: 'primary', confirm: approveConfirm({ plan: approval.plan }) },
        { type: 'button', action_id: REJECT_ACTION, text: plain('Reject'), value, style: 'danger' },
      ],
    });
  }
  const rest = sorted.length - shown.length;
  if (rest > 0) blocks.push(section(`+${rest} more: \`/ontology status\` lists them`));
  return blocks;
}

/** The migration: whether v1 completed, the lock, the latest run. */
export function migrationSection(overview: OpsOverview): unknown {
  const migration = overview.migration;
  if (!migration) return section('*Migration*: its state could not be read; the process log has why.');
  const lines = [
    migration.v1MigrationCompletedAt ? `v1 \`groupId\` migration completed ${escapeText(String(migration.v1MigrationCompletedAt))}` : 'v1 `groupId` migration not completed',
    migration.lock.held ? `:lock: lock held by ${code(migration.lock.holder ?? '')} since ${slackDate(migration.lock.since ?? overview.at)}` : 'lock free',
  ];
  const run = migration.latestRun;
  if (run) {
    lines.push(
      `latest run ${code(run.id)}: ${escapeText(`${run.kind} ${run.state}`)} (${formatValue(run.percent, 'percent')}) started ${slackDate(run.startedAt)} by ${personName(run.actor)}`,
    );
  }
  return section(`*Migration*\n${lines.join('\n')}`);
}
