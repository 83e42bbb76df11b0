/**
 * Operator actions on alerts: silence (until a time, by whom, why), end a silence, acknowledge. Called by the
 * CLI now and by Slack buttons later; arguments are validated here so every entry point gets the same errors.
 */
import { JOB_NAMES, type AlertsConfig } from '../config.ts';
import { DAILY_SUBJECTS } from './evaluate.ts';
import { DAY, formatDuration } from '../durations.ts';
import { InvalidArgumentError, NotFoundError } from '../errors.ts';
import { refreshNotification, type GroupSlugs } from './pipeline.ts';
import type { AlertStore } from './ports.ts';
import { baselineOf } from './silence-decision.ts';
import { isUntilResolved, type AlertState, type Severity, type Silence } from './types.ts';

const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** Longest silence a person may set, in Slack or on the command line (a longer one should be fixed at the threshold instead). */
export const MAX_SILENCE_MS = 7 * DAY;

/**
 * Every subject an alert can have: the metrics, their weekly trends (`trend.<metric>`, the same metrics) and the
 * failing jobs (`monitor.<job>`). A silence of anything else would match nothing while looking in force.
 */
export const ALERT_SUBJECTS: readonly string[] = [
  ...DAILY_SUBJECTS,
  ...DAILY_SUBJECTS.map((metric) => `trend.${metric}`),
  ...JOB_NAMES.map((job) => `monitor.${job}`),
];

/** What to silence. `groupId`: a group id, `platform` (or null) for platform-wide, `*` for every scope. */
export interface SilenceRequest {
  subject: string;
  groupId: string | null;
  severity?: Severity | null;
  until: number;
  by: string;
  reason: string;
  now: number;
  /** Made from an alert: it ends early once nothing it matches fires (see `endResolvedSilences`). */
  endsWhenResolved?: boolean;
}

/**
 * Creates a silence: matching alerts are recorded, not posted, until `until`. It remembers the firing alerts it
 * matches now (scope, severity, value): a new scope, a higher severity or a value materially worse breaks it early
 * (`decideSilence`).
 */
export async function silenceAlerts(alerts: AlertStore, request: SilenceRequest): Promise<Silence> {
  const subject = request.subject.trim();
  if (!ALERT_SUBJECTS.includes(subject)) {
    throw new InvalidArgumentError(
      `subject must be a metric (${DAILY_SUBJECTS.join(', ')}), trend.<metric> or monitor.<${JOB_NAMES.join('|')}>, got "${subject}".`,
    );
  }
  if (!Number.isFinite(request.until) || request.until <= request.now) {
    const got = Number.isFinite(request.until) ? `, got ${new Date(request.until).toISOString()}` : '';
    throw new InvalidArgumentError(`until must be a time in the future${got}.`);
  }
  if (!isUntilResolved(request) && request.until - request.now > MAX_SILENCE_MS) {
    throw new InvalidArgumentError(
      `until must be at most ${formatDuration(MAX_SILENCE_MS)} after now, got ${new Date(request.until).toISOString()}: fix the threshold instead of a long silence.`,
    );
  }
  if (isUntilResolved(request) && !request.endsWhenResolved) {
    throw new InvalidArgumentError('until must be a time: only a silence made from a firing alert can last until it resolves.');
  }
  if (request.by.trim() === '') throw new InvalidArgumentError('by must name who silences (a user id or name).');
  if (request.reason.trim() === '') throw new InvalidArgumentError('reason must say why the alert is silenced.');
  const severity = request.severity ?? null;
  if (severity !== null && !SEVERITIES.includes(severity)) {
    throw new InvalidArgumentError(`severity must be one of ${SEVERITIES.join(', ')}, got "${String(severity)}".`);
  }
  const groupId = request.groupId === 'platform' ? null : request.groupId;
  const firing = (await alerts.firingAlerts()).map((alert) => ({ ...alert, value: alert.lastValue }));
  const baseline = baselineOf({ subject, groupId, severity, until: request.until }, firing, request.now);
  return alerts.addSilence({
    subject,
    groupId,
    severity,
    until: request.until,
    createdBy: request.by.trim(),
    reason: request.reason.trim(),
    createdAt: request.now,
    ...(request.endsWhenResolved ? { endsWhenResolved: true } : {}),
    ...(baseline.length > 0 ? { baseline } : {}),
  });
}

/** Ends a silence now (`silenceId` as `monitor status` lists it). */
export async function endSilence(alerts: AlertStore, silenceId: string, now: number): Promise<void> {
  if (silenceId.trim() === '') throw new InvalidArgumentError('silenceId must name a silence: list them with `ontology-ops monitor status`.');
  if (!(await alerts.endSilence(silenceId.trim(), now))) {
    throw new NotFoundError(`No active silence ${silenceId}: list them with \`ontology-ops monitor status\`.`);
  }
}

/**
 * Finds a firing alert by id (as `monitor status` lists it) or key (`crossGroupViolations|platform|critical`).
 * Ids are opaque, so the reference is tried as an id first, then as a key.
 */
export async function findFiringAlert(alerts: AlertStore, reference: string): Promise<AlertState> {
  const trimmed = reference.trim();
  if (trimmed === '') throw new InvalidArgumentError('alert must be an alert id or key: list them with `ontology-ops monitor status`.');
  const alert = (await alerts.getAlert(trimmed)) ?? (await alerts.latestAlert(trimmed));
  if (!alert || alert.status !== 'firing') {
    throw new NotFoundError(`No firing alert "${reference}": list them with \`ontology-ops monitor status\`.`);
  }
  return alert;
}

/**
 * Acknowledges a firing alert: it keeps being updated but sends no reminders until it resolves. Its
 * notification's message is edited (through the outbox) to say who acknowledged it; with `config`, the edit
 * keeps the on-call mention of a critical message.
 */
export async function acknowledgeAlert(
  store: AlertStore,
  request: { alert: string; by: string; now: number; config?: AlertsConfig; groupSlugs?: GroupSlugs },
): Promise<AlertState> {
  if (request.by.trim() === '') throw new InvalidArgumentError('by must name who acknowledges (a user id or name).');
  const alert = await findFiringAlert(store, request.alert);
  if (alert.acknowledgedAt !== null) return alert;
  const acknowledged = await store.acknowledge(alert.id, request.by.trim(), request.now);
  if (acknowledged.notificationId !== null) {
    await refreshNotification(store, acknowledged.notificationId, {
      now: request.now,
      source: 'acknowledgement',
      config: request.config,
      groupSlugs: request.groupSlugs,
    });
  }
  return acknowledged;
}
