/**
 * The alert pipeline, in small stages like Alertmanager's notify pipeline:
 * evaluate (done by the job: an `Evaluation`) → dedup (`decide`, per alert identity) → route (`routeAlert`,
 * then grouping: every alert of one subject and severity routed to one channel shares one notification, like
 * Alertmanager's `group_by`) → deliver (outbox rows and `monitoring_*` events, then `deliverOutbox`) → record
 * (alert states, the decision log, notifications and outbox rows, written in one transaction).
 */
import type { AlertsConfig } from '../config.ts';
import {
  notificationMessage,
  reminderMessage,
  resolvedReply,
  shownSignature,
  silenceBrokenReply,
  type MemberView,
  type NotificationView,
  type Resolution,
} from '../slack/blocks/alert.ts';
import { decide } from './decide.ts';
import { decideSilence, type SilenceDecision } from './silence-decision.ts';
import { deliverOutbox, type DeliveryReport, type Sleep } from './outbox.ts';
import {
  NotificationConflictError,
  type AlertDecisionRecord,
  type AlertDraft,
  type AlertStore,
  type EventLog,
  type Notifier,
  type NotificationDraft,
  type NotificationRecord,
  type OutboxDraft,
  type OutboxStore,
} from './ports.ts';
import { routeAlert, type Route } from './route.ts';
import {
  alertKey,
  covers,
  notificationKey,
  scopeOf,
  silenceMatches,
  type AlertState,
  type Decision,
  type Evaluation,
  type NotificationGroup,
  type Severity,
  type Signal,
  type Silence,
} from './types.ts';

/** The value of a subject at an earlier time, to say what changed. */
export type Baseline = (subject: string, groupId: string | null, before: number) => Promise<{ value: number; at: number } | null>;

/** A group as messages name it: its slug and its name (each null when it has none). */
export interface GroupNaming {
  slug: string | null;
  name: string | null;
}

/** The slugs and names of groups by id (null for a group that is gone), so messages name groups as people know them. */
export type GroupSlugs = (groupIds: readonly string[]) => Promise<ReadonlyMap<string, GroupNaming | null>>;

/** What the pipeline needs. */
export interface PipelineDeps {
  alerts: AlertStore;
  outbox: OutboxStore;
  notifier: Notifier;
  events: EventLog;
  config: AlertsConfig;
  now: () => number;
  sleep: Sleep;
  log: (line: string) => void;
  /** Earlier values when an alert has none of its own (e.g. the latest daily snapshot). */
  baseline?: Baseline;
  /** True once the process is stopping: delivery is left to the outbox (see `deliverOutbox`). */
  isStopping?: () => boolean;
  /** Group slugs for the messages (slug first, id after); ids alone without it. */
  groupSlugs?: GroupSlugs;
}

/** One decision as taken, for logs and tests. */
export interface DecisionOutcome extends Decision {
  key: string;
  alertId: string | null;
  /** The notification whose message shows the alert, or null (info, silenced before it was ever notified). */
  notificationId: string | null;
}

/** Messages a run queued: new top-level messages, edits of them, thread replies. */
export interface MessageCounts {
  posts: number;
  updates: number;
  replies: number;
}

/** What a pipeline run did. */
export interface PipelineReport {
  decisions: DecisionOutcome[];
  messages: MessageCounts;
  delivery: DeliveryReport;
}

interface Item {
  key: string;
  previous: AlertState | null;
  current: Signal | null;
}

/** An alert after dedup: its decision and next state. */
interface Decided {
  index: number;
  item: Item;
  decision: Decision;
  draft: AlertDraft;
  /** The severity the same subject and scope fire at now, when it changed severity. */
  otherSeverity: Severity | null;
  route: Route;
}

/** A silence this run broke, and why. */
interface BrokenSilence {
  silence: Silence;
  decision: SilenceDecision & { breach: NonNullable<SilenceDecision['breach']> };
}

/** The decided alerts of one notification key. */
interface Bucket {
  key: string;
  channel: string;
  mention: string | null;
  notification: NotificationGroup | null;
  decided: Decided[];
}

/** Runs one evaluation through dedup, routing, grouping, recording and delivery. */
export async function runAlertPipeline(deps: PipelineDeps, evaluation: Evaluation): Promise<PipelineReport> {
  let recorded: Omit<PipelineReport, 'delivery'>;
  try {
    recorded = await decideAndRecord(deps, evaluation);
  } catch (error) {
    if (!(error instanceof NotificationConflictError)) throw error;
    // Another process (the CLI next to the scheduler) opened the same notification: decide again, joining it.
    deps.log(`alerts: ${error.message}; deciding again`);
    recorded = await decideAndRecord(deps, evaluation);
  }
  const { posts, updates, replies } = recorded.messages;
  const delivery = await deliverOutbox({
    outbox: deps.outbox,
    notifier: deps.notifier,
    now: deps.now,
    sleep: deps.sleep,
    log: deps.log,
    // A run that queued nothing sends what is due but does not wait on earlier rows' retries (the flush does).
    ...(posts + updates + replies === 0 ? { maxInlineWaitMs: 0 } : {}),
    ...(deps.isStopping ? { isStopping: deps.isStopping } : {}),
  });
  return { ...recorded, delivery };
}

/** Dedup, route, group and record; nothing is written unless all of it is. */
async function decideAndRecord(deps: PipelineDeps, evaluation: Evaluation): Promise<Omit<PipelineReport, 'delivery'>> {
  const now = deps.now();
  const active = await deps.alerts.activeSilences(now);
  // A silence covers the scopes and values it was set on: what fires beyond them breaks it before dedup.
  const broken: BrokenSilence[] = [];
  for (const silence of active) {
    const decision = decideSilence(silence, evaluation.signals, now);
    if (decision.action === 'break' && decision.breach) broken.push({ silence, decision: { ...decision, breach: decision.breach } });
  }
  const silences = active.filter((silence) => !broken.some((entry) => entry.silence.id === silence.id));
  const items: Item[] = [];
  const signalKeys = new Set<string>();
  for (const signal of evaluation.signals) {
    const key = alertKey(signal);
    if (signalKeys.has(key)) continue;
    signalKeys.add(key);
    items.push({ key, previous: await deps.alerts.latestAlert(key), current: signal });
  }
  for (const state of await deps.alerts.firingAlerts()) {
    if (!signalKeys.has(state.key) && covers(evaluation.coverage, state)) items.push({ key: state.key, previous: state, current: null });
  }

  // Stage: dedup, one identity at a time.
  const decisions: DecisionOutcome[] = [];
  const decided: Decided[] = [];
  for (const item of items) {
    const identity = item.current ?? item.previous!;
    const other = evaluation.signals.find(
      (signal) => signal.subject === identity.subject && signal.groupId === identity.groupId && signal.severity !== identity.severity,
    );
    const decision = decide({
      previous: item.previous,
      current: item.current,
      firingAtOtherSeverity: other !== undefined,
      silence: silences.find((silence) => silenceMatches(silence, identity, now)) ?? null,
      now,
      repeatIntervalMs: deps.config.repeatIntervalMs,
    });
    const index = decisions.push({ ...decision, key: item.key, alertId: null, notificationId: null }) - 1;
    if (decision.action === 'none') continue;
    const draft = await nextState(deps, evaluation, item, decision, now);
    decided.push({ index, item, decision, draft, otherSeverity: other?.severity ?? null, route: routeAlert(draft.severity, deps.config) });
  }

  // Every decision and its reason is in the store's decision log (`monitor status`); the log gets one line per run.
  const summary = decisionSummary(evaluation.source, decisions);
  if (summary) deps.log(summary);

  // Stage: route. Info alerts become events; channel alerts gather by notification.
  const records: NotificationRecord[] = [];
  const order: Decided[][] = [];
  const events: Decided[] = [];
  const buckets = new Map<string, Bucket>();
  for (const entry of decided) {
    if (entry.route.kind === 'events') {
      events.push(entry);
      records.push({ notification: null, alerts: [{ alert: entry.draft, decision: entry.decision, attach: false }], remindedAlertIds: [], outbox: [] });
      order.push([entry]);
      continue;
    }
    const joined = entry.draft.notificationId !== null ? await deps.alerts.getNotification(entry.draft.notificationId) : null;
    const current = joined?.status === 'open' ? joined : null;
    const key = current?.key ?? notificationKey(entry.draft.subject, entry.draft.severity, entry.route.channel);
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = {
        key,
        channel: current?.channel ?? entry.route.channel,
        mention: entry.route.mention,
        notification: current ?? (await deps.alerts.openNotification(key)),
        decided: [],
      };
      buckets.set(key, bucket);
    }
    bucket.decided.push(entry);
  }
  for (const bucket of buckets.values()) {
    records.push(await notificationRecord(deps, evaluation, bucket, silences, now, broken));
    order.push(bucket.decided);
  }

  // Stage: record, in one transaction; then the events of info alerts.
  const recorded = await deps.alerts.recordRun({ source: evaluation.source, at: now, notifications: records });
  for (const { silence, decision } of broken) {
    if (!(await deps.alerts.endSilence(silence.id, now))) continue;
    const { groupId, before, now: current } = decision.breach;
    deps.log(
      `alerts (${evaluation.source}): silence #${silence.id} (${silence.subject}) broken (${decision.reason}): ` +
        `${groupId ?? 'platform'} ${before ? `${before.severity} ${before.value}` : 'not firing'} → ${current.severity} ${current.value}`,
    );
    await deps.events.log(
      'monitoring_silence_broken',
      {
        silenceId: silence.id,
        subject: silence.subject,
        scope: groupId ?? 'platform',
        reason: decision.reason,
        before: before?.value ?? null,
        value: current.value,
        source: evaluation.source,
      },
      now,
    );
  }
  for (const silence of await endResolvedSilences(deps.alerts, now)) {
    deps.log(`alerts (${evaluation.source}): silence #${silence.id} (${silence.subject}) ended: nothing it silenced is firing any more`);
  }
  for (const entry of events) await logEvent(deps, evaluation, entry, now);
  const messages: MessageCounts = { posts: 0, updates: 0, replies: 0 };
  recorded.notifications.forEach((stored, recordIndex) => {
    stored.alerts.forEach((alert, alertIndex) => {
      const outcome = decisions[order[recordIndex]![alertIndex]!.index]!;
      outcome.alertId = alert.id;
      outcome.notificationId = alert.notificationId;
    });
    for (const draft of records[recordIndex]!.outbox) messages[draft.kind === 'post' ? 'posts' : draft.kind === 'update' ? 'updates' : 'replies']++;
  });
  return { decisions, messages };
}

/**
 * One line for a run's decisions, by action and reason: `alerts (daily): post 13 (new) · record 2 (value_unchanged)`;
 * null when nothing was decided.
 */
export function decisionSummary(source: string, decisions: readonly Pick<Decision, 'action' | 'reason'>[]): string | null {
  const byAction = new Map<string, Map<string, number>>();
  for (const { action, reason } of decisions) {
    if (action === 'none') continue;
    const reasons = byAction.get(action) ?? new Map<string, number>();
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    byAction.set(action, reasons);
  }
  if (byAction.size === 0) return null;
  const parts = [...byAction].map(([action, reasons]) => {
    const total = [...reasons.values()].reduce((sum, count) => sum + count, 0);
    const why = reasons.size === 1 ? [...reasons.keys()][0] : [...reasons].map(([reason, count]) => `${reason} ${count}`).join(', ');
    return `${action} ${total} (${why})`;
  });
  return `alerts (${source}): ${parts.join(' · ')}`;
}

function observedValue(evaluation: Evaluation, state: AlertState): number | null {
  const observation = evaluation.observations?.find(
    (candidate) => candidate.subject === state.subject && candidate.groupId === state.groupId,
  );
  return observation?.value ?? null;
}

/** The alert's state after its decision. */
async function nextState(deps: PipelineDeps, evaluation: Evaluation, item: Item, decision: Decision, now: number): Promise<AlertDraft> {
  const { previous, current } = item;
  const open = previous?.status === 'firing' ? previous : null;
  const before =
    open && open.lastValue !== null
      ? { value: open.lastValue, at: open.lastEvaluatedAt }
      : deps.baseline
        ? await deps.baseline((current ?? open!).subject, (current ?? open!).groupId, now)
        : null;
  if (!current) {
    const observed = observedValue(evaluation, open!);
    return {
      ...open!,
      status: 'resolved',
      resolvedAt: now,
      lastEvaluatedAt: now,
      lastValue: observed ?? open!.lastValue,
      details: { ...open!.details, previous: before },
    };
  }
  const details = {
    unit: current.unit,
    threshold: current.threshold,
    breakdown: current.breakdown,
    topIssueIds: current.topIssueIds,
    remediation: current.remediation,
    ...(current.note ? { note: current.note } : {}),
    previous: before,
  };
  const base: AlertDraft = open
    ? { ...open }
    : {
        key: item.key,
        subject: current.subject,
        groupId: current.groupId,
        severity: current.severity,
        status: 'firing',
        title: current.title,
        details,
        firstFiringAt: now,
        lastEvaluatedAt: now,
        resolvedAt: null,
        lastValue: null,
        notifiedAt: null,
        lastReminderAt: null,
        notificationId: null,
        acknowledgedBy: null,
        acknowledgedAt: null,
      };
  const draft: AlertDraft = { ...base, title: current.title, details, lastEvaluatedAt: now, lastValue: current.value };
  if (decision.action === 'post') draft.notifiedAt = now;
  if (decision.action === 'remind') draft.lastReminderAt = now;
  return draft;
}

async function logEvent(deps: PipelineDeps, evaluation: Evaluation, entry: Decided, now: number): Promise<void> {
  const { action, reason } = entry.decision;
  if (action !== 'post' && action !== 'resolve' && action !== 'resolve_quietly') return;
  await deps.events.log(
    action === 'post' ? 'monitoring_alert_raised' : 'monitoring_alert_resolved',
    {
      alertKey: entry.item.key,
      subject: entry.draft.subject,
      scope: scopeOf(entry.draft),
      severity: entry.draft.severity,
      value: entry.draft.lastValue,
      reason,
      source: evaluation.source,
    },
    now,
  );
}

/** How a notification shows one of its alerts at `now`. */
export function memberView(
  alert: AlertDraft,
  silences: readonly Silence[],
  now: number,
  slugs: ReadonlyMap<string, GroupNaming | null> = new Map(),
): MemberView {
  const silence = alert.status === 'firing' ? silences.find((candidate) => silenceMatches(candidate, alert, now)) : undefined;
  const silenced = silence !== undefined;
  return {
    key: alert.key,
    groupId: alert.groupId,
    ...namingOf(slugs, alert.groupId),
    value: alert.lastValue ?? 0,
    previous: alert.details.previous ?? null,
    firstFiringAt: alert.firstFiringAt,
    state: alert.status === 'resolved' ? 'resolved' : silenced ? 'silenced' : 'firing',
    resolvedAt: alert.resolvedAt,
    acknowledgedBy: alert.acknowledgedBy,
    acknowledgedAt: alert.acknowledgedAt,
    silence: silence ? { by: silence.createdBy, until: silence.until, reason: silence.reason } : null,
    topIssueIds: alert.details.topIssueIds,
    breakdown: alert.details.breakdown,
    note: alert.details.note ?? null,
  };
}

/**
 * The view of a notification over its members (the latest alert of each identity). Subject-wide texts
 * (title, threshold, steps) come from the most recent firing member, else the most recent one.
 */
export function notificationView(
  notification: Pick<NotificationGroup, 'subject' | 'severity' | 'openedAt' | 'resolvedAt'> & { key?: string },
  members: readonly AlertDraft[],
  options: {
    at: number;
    source: string;
    mention: string | null;
    silences: readonly Silence[];
    slugs?: ReadonlyMap<string, GroupNaming | null>;
    /** The dashboard the message links to, or null/absent for no link. */
    dashboardUrl?: string | null;
  },
): NotificationView {
  const latest = new Map<string, AlertDraft>();
  for (const member of members) latest.set(member.key, member);
  const list = [...latest.values()];
  const lead = [...list].reverse().find((member) => member.status === 'firing') ?? list[list.length - 1]!;
  return {
    ...(notification.key ? { key: notification.key } : {}),
    subject: notification.subject,
    title: lead.title,
    severity: notification.severity,
    unit: lead.details.unit,
    threshold: lead.details.threshold,
    remediation: lead.details.remediation,
    mention: options.mention,
    source: options.source,
    at: options.at,
    openedAt: notification.openedAt,
    resolvedAt: notification.resolvedAt,
    members: list.map((member) => memberView(member, options.silences, options.at, options.slugs)),
    ...(options.dashboardUrl ? { dashboardUrl: options.dashboardUrl } : {}),
  };
}

function withoutMessage(notification: NotificationGroup): NotificationDraft {
  const { message: _message, ...draft } = notification;
  return draft;
}

/** Turns the decisions of one notification key into its new state, its members' states and its messages. */
async function notificationRecord(
  deps: PipelineDeps,
  evaluation: Evaluation,
  bucket: Bucket,
  silences: readonly Silence[],
  now: number,
  broken: readonly BrokenSilence[] = [],
): Promise<NotificationRecord> {
  const existing = bucket.notification;
  // An alert joins when it is first notified; one notified before notifications existed joins while it fires.
  const joins = (entry: Decided) =>
    entry.decision.action === 'post' ||
    (entry.draft.notificationId === null && entry.draft.notifiedAt !== null && entry.draft.status === 'firing');
  const joiners = bucket.decided.filter(joins);
  if (!existing && joiners.length === 0) {
    return {
      notification: null,
      alerts: bucket.decided.map((entry) => ({ alert: entry.draft, decision: entry.decision, attach: false })),
      remindedAlertIds: [],
      outbox: [],
    };
  }

  const notification: NotificationDraft = existing
    ? withoutMessage(existing)
    : {
        key: bucket.key,
        subject: joiners[0]!.draft.subject,
        severity: joiners[0]!.draft.severity,
        channel: bucket.channel,
        status: 'open',
        openedAt: now,
        resolvedAt: null,
        lastReminderAt: null,
        shown: null,
      };
  // A joiner's reminders follow the message's clock, so the thread gets one reminder for everyone due.
  if (existing) for (const entry of joiners) entry.draft.lastReminderAt = existing.lastReminderAt ?? existing.openedAt;

  const attached = (entry: Decided) => joins(entry) || (existing !== null && entry.draft.notificationId === existing.id);
  const evaluated = new Set(bucket.decided.filter((entry) => entry.draft.id !== undefined).map((entry) => entry.draft.id));
  const stored = existing ? (await deps.alerts.notificationMembers(existing.id)).filter((member) => !evaluated.has(member.id)) : [];
  const members: AlertDraft[] = [...stored, ...bucket.decided.filter(attached).map((entry) => entry.draft)];
  const stillFiring = members.some((member) => member.status === 'firing');
  if (!stillFiring) {
    notification.status = 'resolved';
    notification.resolvedAt = now;
  }
  const slugs = await slugsOf(deps.groupSlugs, members);
  const view = () =>
    notificationView(notification, members, {
      at: now,
      source: evaluation.source,
      mention: bucket.mention,
      silences,
      slugs,
      dashboardUrl: deps.config.dashboardUrl ?? null,
    });

  // Reminders: one per message, naming every member still firing that nobody acknowledged.
  let reminded: MemberView[] = [];
  const remindedAlertIds: string[] = [];
  if (bucket.decided.some((entry) => entry.decision.action === 'remind')) {
    // Members joining in this run were just announced by the edit; they are not "still" firing yet.
    const joined = new Set(joiners.map((entry) => entry.draft));
    const due = (member: AlertDraft) =>
      member.status === 'firing' &&
      member.acknowledgedAt === null &&
      !joined.has(member) &&
      !silences.some((silence) => silenceMatches(silence, member, now));
    notification.lastReminderAt = now;
    for (const member of members.filter(due)) {
      member.lastReminderAt = now;
      if (stored.includes(member as AlertState)) remindedAlertIds.push((member as AlertState).id);
    }
    reminded = view().members.filter((member) => members.some((alert) => alert.key === member.key && due(alert)));
  }

  const rendered = view();
  const shown = shownSignature(rendered);
  const channel = existing?.message?.channel ?? bucket.channel;
  const outbox: OutboxDraft[] = [];
  const resolutions: Resolution[] = bucket.decided
    .filter((entry) => entry.decision.action === 'resolve' && attached(entry))
    .map((entry) => ({
      member: memberView(entry.draft, silences, now, slugs),
      cause: entry.decision.reason === 'severity_changed' ? 'severity_changed' : 'resolved',
      nowSeverity: entry.otherSeverity,
    }));
  if (!existing) {
    outbox.push({ kind: 'post', channel, notificationId: null, message: notificationMessage(rendered) });
  } else if (shown !== existing.shown || reminded.length > 0 || resolutions.length > 0) {
    outbox.push({ kind: 'update', channel, notificationId: null, message: notificationMessage(rendered) });
  }
  notification.shown = shown;
  if (resolutions.length > 0) outbox.push({ kind: 'reply', channel, notificationId: null, message: resolvedReply(rendered, resolutions) });
  if (reminded.length > 0) outbox.push({ kind: 'reply', channel, notificationId: null, message: reminderMessage(rendered, reminded) });
  // The note goes to the message showing the scope that broke the silence.
  const breaks = broken.filter(({ silence, decision }) =>
    bucket.decided.some(
      (entry) => entry.draft.subject === silence.subject && entry.draft.groupId === decision.breach.groupId && entry.draft.severity === decision.breach.now.severity,
    ),
  );
  if (breaks.length > 0) {
    const views = breaks.map(({ silence, decision }) => ({
      silenceId: silence.id,
      by: silence.createdBy,
      reason: decision.reason as 'new_scope' | 'severity_raised' | 'value_doubled',
      member: {
        groupId: decision.breach.groupId,
        ...namingOf(slugs, decision.breach.groupId),
      },
      before: decision.breach.before,
      now: decision.breach.now,
    }));
    outbox.push({ kind: 'reply', channel, notificationId: null, message: silenceBrokenReply(rendered, views) });
  }

  const alerts: AlertDecisionRecord[] = bucket.decided.map((entry) => ({ alert: entry.draft, decision: entry.decision, attach: joins(entry) }));
  return { notification, alerts, remindedAlertIds, outbox };
}

/**
 * Re-renders a notification's message after an operator action (an acknowledgement) and queues the edit when
 * what it shows changed. The mention and the dashboard link come from `config` (none without it). Returns true
 * when an edit was queued.
 */
export async function refreshNotification(
  store: AlertStore,
  notificationId: string,
  options: { now: number; source: string; config?: AlertsConfig; groupSlugs?: GroupSlugs },
): Promise<boolean> {
  const notification = await store.getNotification(notificationId);
  if (!notification) return false;
  const members = await store.notificationMembers(notificationId);
  if (members.length === 0) return false;
  const silences = await store.activeSilences(options.now);
  const slugs = await slugsOf(options.groupSlugs, members);
  const view = notificationView(notification, members, {
    at: options.now,
    source: options.source,
    mention: options.config ? mentionFor(notification.severity, options.config) : null,
    silences,
    slugs,
    dashboardUrl: options.config?.dashboardUrl ?? null,
  });
  const shown = shownSignature(view);
  if (shown === notification.shown) return false;
  await store.recordRun({
    source: options.source,
    at: options.now,
    notifications: [
      {
        notification: { ...withoutMessage(notification), shown },
        alerts: [],
        remindedAlertIds: [],
        outbox: [
          {
            kind: 'update',
            channel: notification.message?.channel ?? notification.channel,
            notificationId: notification.id,
            message: notificationMessage(view),
          },
        ],
      },
    ],
  });
  return true;
}

/** A member's `groupSlug` and `groupName` fields, when its group has them. */
function namingOf(slugs: ReadonlyMap<string, GroupNaming | null>, groupId: string | null): { groupSlug?: string; groupName?: string } {
  const naming = groupId === null ? null : slugs.get(groupId);
  return { ...(naming?.slug ? { groupSlug: naming.slug } : {}), ...(naming?.name ? { groupName: naming.name } : {}) };
}

/** The slugs and names of the members' groups; an empty map without a lookup, or when it fails (ids still name them). */
async function slugsOf(lookup: GroupSlugs | undefined, members: readonly AlertDraft[]): Promise<ReadonlyMap<string, GroupNaming | null>> {
  if (!lookup) return new Map();
  const ids = [...new Set(members.map((member) => member.groupId).filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  try {
    return await lookup(ids);
  } catch {
    return new Map();
  }
}

/** The mention of a severity's route (critical: the on-call group), for re-rendering outside a run. */
export function mentionFor(severity: Severity, config: AlertsConfig): string | null {
  const route = routeAlert(severity, config);
  return route.kind === 'channel' ? route.mention : null;
}

/**
 * Ends the silences made from an alert (`endsWhenResolved`) once nothing they match is firing: a silence lasts no
 * longer than the alert it was set on. Run by the pipeline after each run has recorded its decisions. Returns the
 * silences ended.
 */
export async function endResolvedSilences(store: AlertStore, now: number): Promise<Silence[]> {
  const bound = (await store.activeSilences(now)).filter((silence) => silence.endsWhenResolved === true);
  if (bound.length === 0) return [];
  const firing = await store.firingAlerts();
  const ended: Silence[] = [];
  for (const silence of bound) {
    if (firing.some((alert) => silenceMatches(silence, alert, now))) continue;
    if (await store.endSilence(silence.id, now)) ended.push(silence);
  }
  return ended;
}
