/**
 * Block Kit of an approval request through its life: the request (plan, requester, expiry, approvers mentioned,
 * Approve / Reject), expired (the buttons say so), approved (buttons gone, who approved), running (progress),
 * succeeded (the validation report; with regressions, them and "Request rollback"), failed (the error and "Request
 * rollback"), rejected. IDs and counts only.
 */
import { formatMetric } from '../../quality/severity.ts';
import type { OutboundMessage } from '../../alerts/ports.ts';
import type { ApprovalRequest } from '../../approvals/port.ts';
import type { PlanRegressions, PlanSummary } from '../../approvals/plan.ts';
import type { BackupVerification } from '../../migration/backup.ts';
import type { PreflightReport } from '../../migration/types.ts';
import { causeText, changeText, regressionLine, type MetricChange, type RegressionReport } from '../../quality/regressions.ts';
import type { MigrationProgress } from '../../migration/progress.ts';
import { clip, formatDuration, slackDate } from './format.ts';
import { shownErrorText } from '../handler-error.ts';
import { code, escapeText, personName } from './text.ts';

/** Action id of the Approve button. */
export const APPROVE_ACTION = 'approve_request';
/** Action id of the Reject button. */
export const REJECT_ACTION = 'reject_request';
/** Action id of the "Request rollback" button on a failed run, or on one that made metrics worse. */
export const REQUEST_ROLLBACK_ACTION = 'request_rollback';

/** What an Approve / Reject button carries: the request and the plan hash the message showed. */
export interface ApprovalButtonValue {
  requestId: string;
  planHash: string;
}

/** Parses a button value; null when it is not one of ours. */
export function parseButtonValue(value: string | undefined): ApprovalButtonValue | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<ApprovalButtonValue>;
    if (typeof parsed.requestId === 'string' && typeof parsed.planHash === 'string') return { requestId: parsed.requestId, planHash: parsed.planHash };
  } catch {
    // Not JSON: not ours.
  }
  return null;
}

/** What the message shows beyond the request itself. */
export interface ApprovalView {
  /** Mentions of who may approve (`<@U…>`, `<!subteam^S…>`). */
  approvers: string[];
  /** The latest progress report of the run, while it runs. */
  progress?: MigrationProgress | null;
}

const SECTION_MAX = 3_000;
const HEADER_MAX = 150;

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: clip(text, SECTION_MAX) });
const plain = (text: string) => ({ type: 'plain_text', text: clip(text, HEADER_MAX), emoji: true });
const count = (value: number) => value.toLocaleString('en-US');

/** The `/ontology` command that asks for the same request again (`migrate`, `rollback <target>`, `fix <name> [group]`). */
export function requestCommand(request: Pick<ApprovalRequest, 'kind' | 'target'>): string {
  if (request.kind === 'migrate') return '/ontology migrate';
  if (request.kind === 'fix') return `/ontology fix ${(request.target ?? '').replace(':', ' ')}`.trim();
  return `/ontology rollback ${request.target}`;
}

/** What the request asks for, in plain words (escape it for mrkdwn or a message's `text`). */
export function requestTitle(request: Pick<ApprovalRequest, 'kind' | 'target' | 'plan'>): string {
  if (request.kind === 'migrate') return 'v1 groupId migration';
  const plan = request.plan as PlanSummary | null;
  if (request.kind === 'fix') return plan?.kind === 'fix' ? `fix ${plan.fix}${plan.groupId ? ` of group ${plan.groupId}` : ''}` : `fix ${request.target}`;
  if (plan?.kind === 'restore') return `full restore from backup ${request.target}`;
  return `rollback (exact undo) of run ${request.target}`;
}

const STATE_EMOJI: Record<ApprovalRequest['state'], string> = {
  requested: ':hourglass_flowing_sand:',
  approved: ':white_check_mark:',
  rejected: ':no_entry_sign:',
  expired: ':alarm_clock:',
  running: ':arrows_counterclockwise:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  superseded: ':fast_forward:',
  rolled_back: ':leftwards_arrow_with_hook:',
};

const STATE_WORD: Record<ApprovalRequest['state'], string> = {
  requested: 'Approval needed',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  superseded: 'Superseded',
  rolled_back: 'Rolled back',
};

/**
 * The metrics that get worse, highlighted, one line each (`:warning: *Referential integrity score* 99.67% → 75.14%
 * (healthy → critical)`), then the records that cause them; one plain line when nothing gets worse.
 */
export function regressionLines(regressions: Pick<RegressionReport, 'worsened' | 'cause'>, label: 'Predicted to get worse' | 'Got worse'): string[] {
  if (regressions.worsened.length === 0) return [`*${label}:* nothing`];
  return [
    ...regressions.worsened.map((change: MetricChange) => `:warning: *${escapeText(change.title)}* ${escapeText(changeText(change))}`),
    ...(regressions.cause ? [`:warning: *Cause:* ${escapeText(causeText(regressions.cause))}`] : []),
  ];
}

/** The plan as fields (counts only). */
function planLines(plan: PlanSummary | null): string {
  if (!plan) return '_no plan_';
  switch (plan.kind) {
    case 'migrate': {
      const c = plan.changes;
      return [
        `*Records to change:* ${count(c.total)} (entities ${count(c.entities)}, connections ${count(c.connections)}, events ${count(c.events)}, knowledge ${count(c.knowledge)})`,
        `*Assignments:* ${escapeText(Object.entries(plan.assignments).map(([source, n]) => `${source} ${count(n)}`).join(', ')) || 'none'}`,
        `*Cross-group references the run would create:* ${count(plan.crossGroupReferencesCreated.total)} (connections ${count(plan.crossGroupReferencesCreated.connections)}, events ${count(plan.crossGroupReferencesCreated.events)})`,
        `*Predicted after the run:* ${plan.predicted.status} · integrity ${formatMetric('referentialIntegrityScore', plan.predicted.referentialIntegrityScore)} · missing groupIds ${count(plan.predicted.missingGroupIds)} · cross-group ${count(plan.predicted.crossGroupViolations)} · schema ${formatMetric('schemaComplianceScore', plan.predicted.schemaComplianceScore)}`,
        ...(plan.regressions ? regressionLines(plan.regressions, 'Predicted to get worse') : []),
        `*Backup:* ${plan.backupBytes > 0 ? `about ${(plan.backupBytes / 1_048_576).toFixed(1)} MiB` : 'none'}${plan.wouldCreateLegacyDefaultGroup ? ' · creates group `legacy-default`' : ''}`,
        `*ETA:* about ${Math.max(1, Math.round(plan.etaSeconds))} s`,
      ].join('\n');
    }
    case 'undo':
      return [
        `*Journal entries:* ${count(plan.entries)} · to revert ${count(plan.reverted)} · partly ${count(plan.partial)} · conflicts ${count(plan.conflicts)} · missing ${count(plan.missing)}`,
        `*By table:* ${escapeText(Object.entries(plan.byTable).map(([table, n]) => `${table} ${count(n)}`).join(', ')) || 'none'}`,
      ].join('\n');
    case 'fix':
      return [
        `*Records to change:* ${count(plan.total)} (${escapeText(Object.entries(plan.counts).map(([table, n]) => `${table} ${count(n)}`).join(', '))})`,
        `*Metrics before → after:* ${escapeText(plan.changes.map((change) => `${change.metric} ${change.before} → ${change.after}`).join(' · ')) || 'no change'}`,
        `*Scope:* ${plan.groupId === null ? 'every group' : `group ${code(plan.groupId)}`}`,
        plan.refused ? `:warning: *Refused:* ${escapeText(plan.refused)}` : `*Backup* first; undone exactly with ${code('/ontology rollback <runId>')}.`,
      ].join('\n');
    case 'restore':
      return [
        `*Backup documents:* ${count(plan.backupDocuments)}`,
        `*Lost by the restore:* ${count(plan.createdSinceBackup)} records created and ${count(plan.changedSinceBackup)} changed since the backup`,
        `*Brought back:* ${count(plan.deletedSinceBackup)} records · unchanged ${count(plan.unchanged)}`,
      ].join('\n');
  }
}

function progressLine(progress: MigrationProgress): string {
  const percent = progress.total > 0 ? Math.floor((100 * progress.done) / progress.total) : 100;
  const rate = progress.ratePerSecond === null ? '' : ` · ${count(progress.ratePerSecond)}/s`;
  const eta = progress.etaSeconds === null || progress.finished ? '' : ` · ETA ${Math.ceil(progress.etaSeconds)} s`;
  return `*${progress.phase}:* ${count(progress.done)}/${count(progress.total)} (${percent}%)${rate}${eta}`;
}

/** The outcome summary of a finished run (counts only), as the service stores it on the request. */
export interface RunOutcome {
  runId: string | null;
  message: string;
  /** Validation report lines (metric: value), migrations only. */
  validation?: string[];
  /** What the run made worse (a migration measured before and after it); none or absent: nothing. */
  regressions?: PlanRegressions;
}

/** True when a finished run's outcome lists metrics that got worse. */
export function hasRegressions(outcome: RunOutcome | null | undefined): boolean {
  return (outcome?.regressions?.worsened.length ?? 0) > 0;
}

/** Slack's limit of a confirm dialog's text. */
const CONFIRM_TEXT_MAX = 300;

/** "entities 5,000, events 1,727": the tables with records, in the plan's order. */
function tableCounts(byTable: Record<string, number>): { tables: number; list: string } {
  const counted = Object.entries(byTable).filter(([, n]) => n > 0);
  return { tables: counted.length, list: counted.map(([table, n]) => `${table} ${count(n)}`).join(', ') };
}

/**
 * What the plan predicts getting worse, one phrase each (`Referential integrity score 99.67% → 75.14% (healthy →
 * critical)`). A plan stored before regressions were kept names the cross-group references the run would create,
 * the one regression it can tell from its counts.
 */
export function predictedRegressions(plan: PlanSummary | null): string[] {
  if (plan?.kind !== 'migrate') return [];
  if (plan.regressions) return plan.regressions.worsened.map(regressionLine);
  const created = plan.crossGroupReferencesCreated;
  return created.total > 0 ? [`cross-group references +${count(created.total)} (connections ${count(created.connections)}, events ${count(created.events)})`] : [];
}

/** `prefix` and as many of `items` as fit in `budget` characters, the rest counted ("; 2 more"), ending in ".". */
function fittedList(prefix: string, items: string[], budget: number): string | null {
  for (let shown = items.length; shown > 0; shown--) {
    const rest = items.length - shown;
    const sentence = `${prefix}${items.slice(0, shown).join('; ')}${rest > 0 ? `; ${rest} more` : ''}.`;
    if (sentence.length <= budget) return sentence;
  }
  return null;
}

/**
 * The sentences an Approve click asks about: the record counts of the plan first, then the regressions it predicts
 * (as many as fit, the rest counted) and the references behind them; whole sentences up to Slack's 300 characters.
 */
export function approveConfirmText(plan: PlanSummary | null): string {
  const sentences: string[] = [];
  switch (plan?.kind) {
    case 'migrate': {
      const { tables, list } = tableCounts({ entities: plan.changes.entities, connections: plan.changes.connections, events: plan.changes.events, knowledge: plan.changes.knowledge });
      sentences.push(`Migrate ${count(plan.changes.total)} records in ${tables} table${tables === 1 ? '' : 's'} (${list}), with ${plan.backupBytes > 0 ? 'a backup first' : 'no backup'}.`);
      const regressions = predictedRegressions(plan);
      const room = CONFIRM_TEXT_MAX - sentences[0]!.length - 1;
      if (regressions.length === 0) sentences.push('No metric is predicted to get worse.');
      else sentences.push(fittedList('Predicted to get worse: ', regressions, room) ?? `${regressions.length} metrics are predicted to get worse.`);
      const cause = plan.regressions?.cause;
      if (cause) sentences.push(`Cause: ${count(cause.total)} cross-group references created.`);
      break;
    }
    case 'undo': {
      const { tables, list } = tableCounts(plan.byTable);
      sentences.push(`Undo run ${plan.runId}: revert ${count(plan.reverted)} of ${count(plan.entries)} journal entries in ${tables} table${tables === 1 ? '' : 's'}${list ? ` (${list})` : ''}.`);
      if (plan.partial + plan.conflicts + plan.missing > 0) sentences.push(`Partly reverted ${count(plan.partial)}, conflicts ${count(plan.conflicts)}, missing ${count(plan.missing)}.`);
      break;
    }
    case 'restore':
      sentences.push(
        `Replace the data with the backup's ${count(plan.backupDocuments)} documents: ${count(plan.createdSinceBackup)} records created and ${count(plan.changedSinceBackup)} changed since the backup are lost, ${count(plan.deletedSinceBackup)} come back.`,
      );
      break;
    case 'fix': {
      const { tables, list } = tableCounts(plan.counts);
      sentences.push(`Fix ${plan.fix}: change ${count(plan.total)} records in ${tables} table${tables === 1 ? '' : 's'}${list ? ` (${list})` : ''}, with a backup first.`);
      sentences.push(plan.regressions.length > 0 ? `Predicted to get worse: ${plan.regressions.join(', ')}.` : 'No metric is predicted to get worse.');
      break;
    }
    default:
      sentences.push('Run this request as planned.');
  }
  const text = sentences.reduce((kept, sentence) => (kept === '' ? sentence : kept.length + 1 + sentence.length <= CONFIRM_TEXT_MAX ? `${kept} ${sentence}` : kept), '');
  return text.length <= CONFIRM_TEXT_MAX ? text : `${text.slice(0, CONFIRM_TEXT_MAX - 1)}…`;
}

/** The dialog Slack shows before an Approve click is sent: the counts and predicted regressions of the plan. */
export function approveConfirm(request: Pick<ApprovalRequest, 'plan'>): unknown {
  return {
    title: { type: 'plain_text', text: 'Approve and run?' },
    // Plain text: a count or run id is shown as is and never read as markup.
    text: { type: 'plain_text', text: approveConfirmText(request.plan as PlanSummary | null) },
    confirm: { type: 'plain_text', text: 'Approve' },
    deny: { type: 'plain_text', text: 'Cancel' },
  };
}

function buttons(request: ApprovalRequest, expired: boolean): unknown {
  const value = JSON.stringify({ requestId: request.id, planHash: request.planHash } satisfies ApprovalButtonValue);
  return {
    type: 'actions',
    block_id: `approval:${request.id}`,
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION,
        text: plain(expired ? 'Approve (expired)' : 'Approve'),
        value,
        ...(expired ? {} : { style: 'primary', confirm: approveConfirm(request) }),
      },
      { type: 'button', action_id: REJECT_ACTION, text: plain(expired ? 'Reject (expired)' : 'Reject'), value, ...(expired ? {} : { style: 'danger' }) },
    ],
  };
}

/** The message of a request in its current state. */
export function approvalMessage(request: ApprovalRequest, view: ApprovalView, now: number): OutboundMessage {
  const title = requestTitle(request);
  const expired = request.state === 'expired' || (request.state === 'requested' && now >= request.expiresAt);
  const state = expired ? 'expired' : request.state;
  const outcome = request.result as RunOutcome | null;
  // A run that made metrics worse is not shown as a plain success.
  const regressed = state === 'succeeded' && hasRegressions(outcome);
  const word = regressed ? 'Succeeded with regressions' : STATE_WORD[state];
  const header = `${regressed ? ':warning:' : STATE_EMOJI[state]} ${word}: ${title}`;
  const approvals = request.approvals.map((approval) => `${personName(approval.userId)} at ${slackDate(approval.at)}`);
  const who = [
    `*Requested by* ${personName(request.requestedBy)} at ${slackDate(request.requestedAt)} · request ${code(request.id)}`,
    request.state === 'requested'
      ? expired
        ? `*Expired* at ${slackDate(request.expiresAt)}: ask again with ${code(requestCommand(request))}.`
        : `*Expires* ${slackDate(request.expiresAt)} (in ${formatDuration(request.expiresAt - now)}) · approvals ${request.approvals.length}/${request.requiredApprovals}`
      : null,
    approvals.length > 0 ? `*Approved by* ${approvals.join(', ')}` : null,
    request.rejectedBy
      ? `*Rejected by* ${personName(request.rejectedBy)} at ${slackDate(request.decidedAt ?? now)}${request.rejectReason ? `: ${escapeText(request.rejectReason)}` : ''}`
      : null,
    request.state === 'expired' ? `*Expired* at ${slackDate(request.decidedAt ?? request.expiresAt)}` : null,
  ].filter((line): line is string => line !== null);
  const blocks: unknown[] = [{ type: 'header', text: plain(header) }, { type: 'section', text: mrkdwn(who.join('\n')) }];
  if (request.state === 'requested' && !expired && view.approvers.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(`${view.approvers.join(' ')} please review.`) });
  }
  blocks.push({ type: 'section', text: mrkdwn(`*Plan* (plan ${code(request.planHash.slice(0, 12))})\n${planLines(request.plan as PlanSummary | null)}`) });
  // An expired request keeps its buttons, relabelled, so nobody mistakes it for one still open.
  if (request.state === 'requested' || request.state === 'expired') blocks.push(buttons(request, expired));
  if (request.state === 'running') {
    const run = request.runId ? `run ${code(request.runId)} · ` : '';
    blocks.push({ type: 'section', text: mrkdwn(`*Progress* ${run}started ${slackDate(request.startedAt ?? now)}\n${view.progress ? progressLine(view.progress) : 'starting…'}`) });
  }
  if (request.state === 'succeeded' || (request.state === 'rolled_back' && request.error === null)) {
    const lines = [outcome?.message ?? 'Completed.', ...(outcome?.validation ?? [])].map(escapeText);
    if (outcome?.regressions && hasRegressions(outcome)) {
      lines.push(...regressionLines(outcome.regressions, 'Got worse'));
      if (request.state === 'succeeded') {
        const review = outcome.regressions.cause ? `the cross-group references with ${code('/ontology integrity')}` : `the metrics with ${code('/ontology metrics')}`;
        lines.push(`*Next:* review ${review}, or undo the run: *Request rollback* below (or ${code(`/ontology rollback ${outcome.runId ?? request.runId ?? '<runId>'}`)}).`);
      }
    }
    blocks.push({ type: 'section', text: mrkdwn(`*Result* (run ${code(request.runId ?? '-')}, finished ${slackDate(request.finishedAt ?? now)})\n${lines.join('\n')}`) });
  }
  if (request.state === 'superseded') {
    blocks.push({ type: 'section', text: mrkdwn(`*Not run*\n${escapeText(shownErrorText(request.error ?? 'The plan changed: nothing ran.'))}`) });
  }
  if (request.state === 'failed' || (request.state === 'rolled_back' && request.error !== null)) {
    const run = request.runId ? ` (run ${code(request.runId)})` : '';
    blocks.push({ type: 'section', text: mrkdwn(`*Error*${run}\n${escapeText(shownErrorText(request.error ?? 'unknown error'))}`) });
  }
  if (request.state === 'failed' || regressed) {
    // A run that never began (its outcome names no run) has nothing to roll back.
    const ran = outcome === null || outcome.runId !== null;
    if (request.runId && request.kind === 'migrate' && ran) {
      blocks.push({
        type: 'actions',
        block_id: `rollback:${request.id}`,
        elements: [{ type: 'button', action_id: REQUEST_ROLLBACK_ACTION, text: plain('Request rollback'), value: request.id, style: 'danger' }],
      });
    }
  }
  return { text: clip(escapeText(`${word}: ${title} (request ${request.id})`), SECTION_MAX), blocks };
}

/** A dry run's answer (ephemeral): what the run would do; nothing was written. */
export function planAnswer(title: string, plan: PlanSummary): OutboundMessage {
  const blocking = plan.kind === 'migrate' && plan.blocking.length > 0 ? `\n:warning: *Blocking:* ${escapeText(plan.blocking.join('; '))}` : '';
  return {
    text: clip(escapeText(`Dry run of the ${title}: nothing was written.`), SECTION_MAX),
    blocks: [
      { type: 'header', text: plain(`:mag: Dry run: ${title}`) },
      { type: 'section', text: mrkdwn(`${planLines(plan)}${blocking}`) },
      { type: 'context', elements: [mrkdwn('Nothing was written. Without `--dry-run` the command asks approvers to run it.')] },
    ],
  };
}

/** The pre-flight answer of `migrate --validate-only` (ephemeral). */
export function preflightAnswer(report: PreflightReport & { regressions?: RegressionReport }): OutboundMessage {
  const c = report.changes;
  const lines = [
    `*Records to change:* ${count(c.total)} (entities ${count(c.entities.records)}, connections ${count(c.connections.records)}, events ${count(c.events.records)}, knowledge ${count(c.knowledge.records)})`,
    `*Integrity now:* ${report.metrics.status} · integrity ${formatMetric('referentialIntegrityScore', report.metrics.referentialIntegrityScore)} · missing groupIds ${count(report.metrics.missingGroupIds)}`,
    ...(report.regressions && report.changes.total > 0 ? regressionLines(report.regressions, 'Predicted to get worse') : []),
    `*Lock:* ${report.lock.held ? `held by ${code(report.lock.holder ?? '')}` : 'free'} · *v1 migration completed:* ${report.v1MigrationCompleted ? 'yes' : 'no'}`,
    `*Backup:* ${report.backup.enabled ? `about ${(report.backup.estimatedBytes / 1_048_576).toFixed(1)} MiB, folder ${report.backup.writable ? 'writable' : 'NOT writable'}` : 'off'} · *ETA:* about ${Math.max(1, Math.round(report.estimatedSeconds))} s`,
    ...(report.resumableRun ? [`*Resumable run:* ${code(report.resumableRun.id)} (${report.resumableRun.state})`] : []),
    ...report.blocking.map((reason) => `:no_entry: ${escapeText(reason)}`),
    ...report.warnings.map((warning) => `:warning: ${escapeText(warning)}`),
  ];
  // Passing with predicted regressions is not a plain pass.
  const regressed = report.changes.total > 0 && (report.regressions?.worsened.length ?? 0) > 0;
  const head = !report.ok ? ':x: Pre-flight failed' : regressed ? ':warning: Pre-flight passed with predicted regressions' : ':white_check_mark: Pre-flight passed';
  return {
    text: clip(escapeText(`${head}: ${report.ok ? 'the migration can start' : report.blocking.join('; ')}`), SECTION_MAX),
    blocks: [{ type: 'header', text: plain(`${head}: v1 groupId migration`) }, { type: 'section', text: mrkdwn(lines.join('\n')) }],
  };
}

/** The answer of `rollback <backupFile> --verify` (ephemeral). */
export function verifyAnswer(verification: BackupVerification): OutboundMessage {
  const tables = escapeText(verification.tables.map((table) => `${table.name} ${count(table.documents)}`).join(', '));
  // The file name only: the folder it sits in is the server's business.
  const file = verification.path.split(/[\\/]/).pop() ?? verification.path;
  const text = escapeText(`Backup ${file} verified: ${count(verification.documents)} documents in ${verification.tables.length} tables, taken ${verification.manifest.createdAtIso}.`);
  return {
    text: clip(text, SECTION_MAX),
    blocks: [
      { type: 'header', text: plain(':white_check_mark: Backup verified') },
      { type: 'section', text: mrkdwn(`${text}\n*Tables:* ${tables || 'none'}`) },
    ],
  };
}
