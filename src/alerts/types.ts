/**
 * The alert model shared by the pipeline stages: what a job found (signals), what an alert remembers between
 * runs (state), silences, and the decision taken for each alert.
 */

/** How urgent an alert is; also decides where it goes. */
export type Severity = 'critical' | 'warning' | 'info';

/** The identity of an alert: one problem, in one scope, at one severity. */
export interface AlertIdentity {
  /** A metric name (`crossGroupViolations`), a trend (`trend.referentialIntegrityScore`) or `monitor.<job>`. */
  subject: string;
  /** The group the problem is in, or null platform-wide. */
  groupId: string | null;
  severity: Severity;
}

/** The scope label of an identity: the group id, or `platform`. */
export function scopeOf(identity: Pick<AlertIdentity, 'groupId'>): string {
  return identity.groupId ?? 'platform';
}

/** The stable key of an identity (`subject|scope|severity`). */
export function alertKey(identity: AlertIdentity): string {
  return `${identity.subject}|${scopeOf(identity)}|${identity.severity}`;
}

/** Something a job found firing, with everything a person needs to act on it (ids and counts only). */
export interface Signal extends AlertIdentity {
  /** Short human name: "Cross-group violations". */
  title: string;
  value: number;
  /** How to print the value. */
  unit: 'percent' | 'count';
  /** The threshold the value broke, in words: "critical when > 0". */
  threshold: string;
  /** Extra counts worth showing (e.g. `orphanedConnections: 3`). */
  breakdown: Record<string, number>;
  /** Ids of the first offending records. */
  topIssueIds: string[];
  /** What to do next, step by step. */
  remediation: string[];
  /** One line of context in words (e.g. a failed job's error), never record property values. */
  note?: string;
}

/** Which identities an evaluation speaks for: one covered but not firing has resolved. */
export interface Coverage {
  subjects: readonly string[];
  /** `all` for every scope (platform and each group), else the listed scopes (null = platform). */
  groupIds: 'all' | readonly (string | null)[];
  severities: readonly Severity[];
}

/** A value measured for a subject and scope, firing or not (shown when an alert resolves). */
export interface Observation {
  subject: string;
  groupId: string | null;
  value: number;
}

/** What one job run evaluated. */
export interface Evaluation {
  /** The job (or other source) that evaluated, recorded with each decision. */
  source: string;
  signals: Signal[];
  coverage: Coverage;
  /** Current values of covered subjects, including healthy ones. */
  observations?: Observation[];
}

/** True when the coverage includes the identity. */
export function covers(coverage: Coverage, identity: AlertIdentity): boolean {
  return (
    coverage.subjects.includes(identity.subject) &&
    coverage.severities.includes(identity.severity) &&
    (coverage.groupIds === 'all' || coverage.groupIds.includes(identity.groupId))
  );
}

/** A Slack message (a notification's top-level message, or a reply). */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** What an alert last showed, kept so its notification can be re-rendered later (when it resolves, on an ack). */
export interface AlertDetails {
  unit: Signal['unit'];
  threshold: string;
  breakdown: Record<string, number>;
  topIssueIds: string[];
  remediation: string[];
  note?: string;
  /** The value before the latest evaluation (the previous run or snapshot), to say what changed. */
  previous?: { value: number; at: number } | null;
}

/** One firing episode of an identity, as remembered between runs. A re-fire after resolving is a new alert. */
export interface AlertState extends AlertIdentity {
  /** Opaque, assigned by the store; carries no order (a Convex id in Convex). */
  id: string;
  key: string;
  status: 'firing' | 'resolved';
  title: string;
  details: AlertDetails;
  firstFiringAt: number;
  lastEvaluatedAt: number;
  resolvedAt: number | null;
  lastValue: number | null;
  /** When the alert was first notified (message queued or event logged); null while it was never notified. */
  notifiedAt: number | null;
  lastReminderAt: number | null;
  /**
   * The notification whose message shows this alert: set when the alert is first notified in a channel and
   * kept after it resolves (its episode's message lists it as back within threshold); null while it never was.
   */
  notificationId: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
}

/**
 * A notification: what Alertmanager calls a group. Every firing alert of one subject and severity routed to
 * one channel (platform-wide and each group) shares ONE top-level Slack message, posted when the first of
 * them fires, edited as members join, change or resolve, and resolved when the last one does. A later fire
 * after that opens a new notification (a new message).
 */
export interface NotificationGroup {
  /** Opaque, assigned by the store. */
  id: string;
  /** `subject|severity|channel`; at most one open notification per key. */
  key: string;
  subject: string;
  severity: Severity;
  channel: string;
  status: 'open' | 'resolved';
  openedAt: number;
  resolvedAt: number | null;
  /** The last reminder in its thread; reminders of its critical members follow this clock. */
  lastReminderAt: number | null;
  /** What the message last showed (members, values, states), so it is edited only when that changes. */
  shown: string | null;
  /** The top-level message, once delivered (stored so a restart keeps editing the same message). */
  message: MessageRef | null;
}

/** One episode of a notification, as an alert message's buttons name it: its key and when it opened. */
export interface NotificationRef {
  key: string;
  openedAt: number;
}

/** The key of the notification an alert of `subject` and `severity` routed to `channel` belongs to. */
export function notificationKey(subject: string, severity: Severity, channel: string): string {
  return `${subject}|${severity}|${channel}`;
}

/** A silence: alerts matching it are recorded, not posted, until `until`. */
export interface Silence {
  /** Opaque, assigned by the store. */
  id: string;
  subject: string;
  /** null matches the platform scope; `*` every scope. */
  groupId: string | null;
  /** null matches every severity. */
  severity: Severity | null;
  until: number;
  createdBy: string;
  reason: string;
  createdAt: number;
  /**
   * Set on a silence made from an alert (a Slack button, `/ontology silence <alert>`): it ends early, at the first
   * run in which nothing it matches is firing any more. Absent (false) on silences set ahead of time (the CLI).
   */
  endsWhenResolved?: boolean;
  /**
   * What it was set on: every scope it matched that was firing then, with its severity and value. A silence covers
   * those, at those values: a new scope firing, a higher severity or a value materially worse breaks it
   * (`decideSilence`). Absent on a silence set while nothing it matches fired (a maintenance window set ahead).
   */
  baseline?: SilenceBaseline[];
}

/** One scope a silence was set on, as it fired then. */
export interface SilenceBaseline {
  /** The group, or null platform-wide. */
  groupId: string | null;
  severity: Severity;
  value: number;
}

/**
 * The `until` of a silence "until resolved": the latest instant a JavaScript date can hold. Such a silence ends
 * when what it silences resolves (`endsWhenResolved`), never by the clock.
 */
export const UNTIL_RESOLVED = 8_640_000_000_000_000;

/** True for a silence that lasts until its alerts resolve rather than until a time. */
export function isUntilResolved(silence: Pick<Silence, 'until'>): boolean {
  return silence.until >= UNTIL_RESOLVED;
}

/** True when the silence is in force at `now` and matches the identity. */
export function silenceMatches(silence: Silence, identity: AlertIdentity, now: number): boolean {
  return (
    silence.until > now &&
    silence.subject === identity.subject &&
    (silence.groupId === '*' || silence.groupId === identity.groupId) &&
    (silence.severity === null || silence.severity === identity.severity)
  );
}

/**
 * What the delivery stage does for an alert. Alerts routed to a channel act through their notification (one
 * message per subject, severity and channel): the notification turns its members' actions into at most one
 * post or edit and one thread reply per run.
 */
export type DecisionAction =
  /** Notify: post its notification's message, or edit it in when that message is already out. */
  | 'post'
  /** Edit its notification's message in place. */
  | 'update'
  /** Edit the message and remind in its thread (one reminder per notification, naming every member due). */
  | 'remind'
  /** Reply "resolved" in the thread and edit the message. */
  | 'resolve'
  /** Edit the message to show it resolved, without a thread reply (it resolved while silenced). */
  | 'resolve_quietly'
  /** Record the state only; nothing is sent. */
  | 'record'
  /** Nothing to do. */
  | 'none';

/** Why: logged with every decision. */
export type DecisionReason =
  | 'new'
  | 'silence_expired'
  | 'still_firing'
  | 'value_unchanged'
  | 'repeat_interval_elapsed'
  | 'acknowledged'
  | 'silenced'
  | 'resolved'
  | 'severity_changed'
  | 'resolved_while_silenced'
  | 'resolved_never_notified'
  | 'not_firing';

/** The outcome of the dedup stage for one identity. */
export interface Decision {
  action: DecisionAction;
  reason: DecisionReason;
}
