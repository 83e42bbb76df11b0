/**
 * What the buttons of an alert message and `/ontology silence|unsilence` do: acknowledge every firing member of
 * a notification, silence it (1 h / 4 h / 24 h / until resolved, with a reason), end a silence, and pick the job
 * that re-checks it. Each records who and when in the store and queues the edit of the message through the outbox
 * (`refreshNotification`), so the message shows who acknowledged or silenced it and until when.
 *
 * Clicks are idempotent: the first acknowledgement stands (the store keeps it, see `AlertStore.acknowledge`), a
 * second Silence click on a silenced message answers "already silenced by … until …", and a click on the message
 * of an alert that has since resolved (its notification's episode is over) changes nothing and says so. Actions
 * on one notification are serialised in this process, so a double click never races itself.
 */
import { JOB_NAMES, type AlertsConfig, type JobName } from '../config.ts';
import { InvalidArgumentError, NotFoundError } from '../errors.ts';
import { formatDuration, slackDate } from '../slack/blocks/format.ts';
import { SILENCE_CHOICES, type SilenceChoice } from '../slack/blocks/alert.ts';
import { refreshNotification, type GroupSlugs } from './pipeline.ts';
import type { AlertStore } from './ports.ts';
import { findFiringAlert, MAX_SILENCE_MS, silenceAlerts } from './silences.ts';
import {
  isUntilResolved,
  silenceMatches,
  UNTIL_RESOLVED,
  type AlertState,
  type NotificationGroup,
  type NotificationRef,
  type Silence,
} from './types.ts';

/** Longest silence a person may set (defined with the silences; re-exported for the buttons and commands). */
export { MAX_SILENCE_MS } from './silences.ts';

/** The source recorded with an edit made by an operator action (shown as "Updated: … at …"). */
const SOURCE = { acknowledge: 'acknowledgement', unacknowledge: 'unacknowledgement', silence: 'silence', unsilence: 'unsilence' } as const;

const queues = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier action on the same key in this process has finished. */
async function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const turn = previous.catch(() => {}).then(work);
  queues.set(key, turn);
  try {
    return await turn;
  } finally {
    if (queues.get(key) === turn) queues.delete(key);
  }
}

/**
 * The notification a button names, while that episode is still open. A message whose alert resolved (or that
 * a later alert of the same key replaced) answers with when it resolved instead of acting on something else.
 */
export async function openEpisode(store: AlertStore, ref: NotificationRef): Promise<NotificationGroup> {
  const open = await store.openNotification(ref.key);
  if (open && open.openedAt === ref.openedAt) return open;
  throw new NotFoundError(
    `This alert is no longer firing (it opened ${slackDate(ref.openedAt)} and has resolved since): nothing was changed. ` +
      'See what fires now with `/ontology status`.',
  );
}

/** What an Acknowledge click did. */
export type AcknowledgeOutcome =
  | { kind: 'acknowledged'; alerts: AlertState[]; by: string; at: number }
  | { kind: 'already'; by: string; at: number };

/**
 * Acknowledges every firing member of a notification (no reminders for them until they resolve) and edits its
 * message to say who and when. A second click answers who acknowledged first, and when.
 */
export async function acknowledgeNotification(
  store: AlertStore,
  request: { ref: NotificationRef; by: string; now: number; config: AlertsConfig; groupSlugs?: GroupSlugs },
): Promise<AcknowledgeOutcome> {
  const by = request.by.trim();
  if (by === '') throw new InvalidArgumentError('by must name who acknowledges (a Slack user id).');
  return serialised(request.ref.key, async () => {
    const notification = await openEpisode(store, request.ref);
    const firing = (await store.notificationMembers(notification.id)).filter((member) => member.status === 'firing');
    const pending = firing.filter((member) => member.acknowledgedAt === null);
    if (pending.length === 0) {
      const first = firing.reduce<AlertState | null>((earliest, member) => (earliest === null || member.acknowledgedAt! < earliest.acknowledgedAt! ? member : earliest), null);
      if (!first) throw new NotFoundError('This alert has nothing firing any more: nothing was changed.');
      return { kind: 'already', by: first.acknowledgedBy!, at: first.acknowledgedAt! };
    }
    const acknowledged: AlertState[] = [];
    for (const member of pending) acknowledged.push(await store.acknowledge(member.id, by, request.now));
    await refreshNotification(store, notification.id, {
      now: request.now,
      source: SOURCE.acknowledge,
      config: request.config,
      groupSlugs: request.groupSlugs,
    });
    // Another process may have acknowledged in between: the store kept its acknowledgement, so report that one.
    const mine = acknowledged.filter((alert) => alert.acknowledgedBy === by && alert.acknowledgedAt === request.now);
    if (mine.length === 0) return { kind: 'already', by: acknowledged[0]!.acknowledgedBy!, at: acknowledged[0]!.acknowledgedAt! };
    return { kind: 'acknowledged', alerts: mine, by, at: request.now };
  });
}

/** What an Unacknowledge click did: the members as they were acknowledged (who, when), or nothing was. */
export type UnacknowledgeOutcome = { kind: 'unacknowledged'; alerts: AlertState[] } | { kind: 'not_acknowledged' };

/**
 * Takes back the acknowledgements of every firing member of a notification: reminders resume (the next one a
 * repeat interval from now) and its message shows it unacknowledged again. A message with nothing acknowledged
 * changes nothing and says so.
 */
export async function unacknowledgeNotification(
  store: AlertStore,
  request: { ref: NotificationRef; by: string; now: number; config: AlertsConfig; groupSlugs?: GroupSlugs },
): Promise<UnacknowledgeOutcome> {
  if (request.by.trim() === '') throw new InvalidArgumentError('by must name who takes the acknowledgement back (a Slack user id).');
  return serialised(request.ref.key, async () => {
    const notification = await openEpisode(store, request.ref);
    const acknowledged = (await store.notificationMembers(notification.id)).filter(
      (member) => member.status === 'firing' && member.acknowledgedAt !== null,
    );
    if (acknowledged.length === 0) return { kind: 'not_acknowledged' };
    for (const member of acknowledged) await store.unacknowledge(member.id, request.now);
    await refreshNotification(store, notification.id, {
      now: request.now,
      source: SOURCE.unacknowledge,
      config: request.config,
      groupSlugs: request.groupSlugs,
    });
    return { kind: 'unacknowledged', alerts: acknowledged };
  });
}

/** What an Unsilence click did: the silences it ended, or none were in force. */
export type UnsilenceOutcome = { kind: 'unsilenced'; silences: Silence[]; refreshed: number } | { kind: 'not_silenced' };

/**
 * Ends every silence in force over a notification's firing members (the message's Unsilence button), and edits
 * the messages of the alerts they covered: they show as firing again, and post and remind as usual.
 */
export async function unsilenceNotification(
  store: AlertStore,
  request: { ref: NotificationRef; now: number; config: AlertsConfig; groupSlugs?: GroupSlugs },
): Promise<UnsilenceOutcome> {
  return serialised(request.ref.key, async () => {
    const notification = await openEpisode(store, request.ref);
    const firing = (await store.notificationMembers(notification.id)).filter((member) => member.status === 'firing');
    const covering = (await store.activeSilences(request.now)).filter((silence) =>
      firing.some((member) => silenceMatches(silence, member, request.now)),
    );
    const ended: Silence[] = [];
    for (const silence of covering) if (await store.endSilence(silence.id, request.now)) ended.push(silence);
    if (ended.length === 0) return { kind: 'not_silenced' };
    const refreshed = await refreshCovered(store, ended, { now: request.now, config: request.config, groupSlugs: request.groupSlugs });
    return { kind: 'unsilenced', silences: ended, refreshed };
  });
}

/** Edits the messages of the firing alerts that `ended` silences covered until `now`; returns how many were edited. */
async function refreshCovered(
  store: AlertStore,
  ended: readonly Silence[],
  options: { now: number; config: AlertsConfig; groupSlugs?: GroupSlugs },
): Promise<number> {
  const notifications = new Set<string>();
  for (const alert of await store.firingAlerts()) {
    if (alert.notificationId !== null && ended.some((silence) => silenceMatches(silence, alert, options.now - 1))) {
      notifications.add(alert.notificationId);
    }
  }
  let refreshed = 0;
  for (const notificationId of notifications) {
    const edited = await refreshNotification(store, notificationId, { ...options, source: SOURCE.unsilence });
    if (edited) refreshed++;
  }
  return refreshed;
}

/** The `until` of a Silence menu choice chosen at `now`. */
export function silenceUntil(choice: SilenceChoice, now: number): number {
  const known = SILENCE_CHOICES.find((candidate) => candidate.value === choice)!;
  return known.ms === null ? UNTIL_RESOLVED : now + known.ms;
}

/** What a Silence submission did. */
export type SilenceOutcome = { kind: 'silenced'; silence: Silence } | { kind: 'already'; silence: Silence };

/**
 * Silences a notification: its subject and severity in every scope (the message's members and any group that
 * joins it), until the chosen time or until it resolves, and in any case no longer than it fires (the silence
 * ends at the first run in which nothing it matches is firing). The message is edited to show who silenced it,
 * until when and why. A message already silenced answers by whom and until when.
 */
export async function silenceNotification(
  store: AlertStore,
  request: { ref: NotificationRef; choice: SilenceChoice; reason: string; by: string; now: number; config: AlertsConfig; groupSlugs?: GroupSlugs },
): Promise<SilenceOutcome> {
  return serialised(request.ref.key, async () => {
    const notification = await openEpisode(store, request.ref);
    const identity = { subject: notification.subject, groupId: null, severity: notification.severity };
    const existing = (await store.activeSilences(request.now)).find(
      (silence) => silence.groupId === '*' && silenceMatches(silence, identity, request.now),
    );
    if (existing) return { kind: 'already', silence: existing };
    const silence = await silenceAlerts(store, {
      subject: notification.subject,
      groupId: '*',
      severity: notification.severity,
      until: silenceUntil(request.choice, request.now),
      by: request.by,
      reason: request.reason,
      now: request.now,
      endsWhenResolved: true,
    });
    await refreshNotification(store, notification.id, {
      now: request.now,
      source: SOURCE.silence,
      config: request.config,
      groupSlugs: request.groupSlugs,
    });
    return { kind: 'silenced', silence };
  });
}

/**
 * Reads a silence duration as people type it: `30m`, `1h`, `4h`, `24h`, `2d`, or `resolved` (until the alert
 * resolves). Returns the `until` at `now`.
 */
export function parseSilenceDuration(text: string, now: number): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'resolved' || trimmed === 'until-resolved') return UNTIL_RESOLVED;
  const match = /^(\d{1,4})(m|h|d)$/.exec(trimmed);
  const unit = match ? { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'] : 0;
  const ms = match ? Number(match[1]) * unit : 0;
  if (!match || ms <= 0) {
    throw new InvalidArgumentError(`duration must be like 30m, 1h, 4h, 24h, 2d or "resolved", got "${text}".`);
  }
  if (ms > MAX_SILENCE_MS) {
    throw new InvalidArgumentError(`duration must be at most ${formatDuration(MAX_SILENCE_MS)}, got "${text}": fix the threshold instead of a long silence.`);
  }
  return now + ms;
}

/**
 * Silences one firing alert (by id or key, as `/ontology status` lists it) for a duration (`parseSilenceDuration`)
 * with a reason; like a button's silence it ends early when the alert resolves. Its message is edited.
 */
export async function silenceFiringAlert(
  store: AlertStore,
  request: { alert: string; duration: string; reason: string; by: string; now: number; config: AlertsConfig; groupSlugs?: GroupSlugs },
): Promise<SilenceOutcome & { alert: AlertState }> {
  const alert = await findFiringAlert(store, request.alert);
  const until = parseSilenceDuration(request.duration, request.now);
  return serialised(alert.key, async () => {
    const existing = (await store.activeSilences(request.now)).find((silence) => silenceMatches(silence, alert, request.now));
    if (existing) return { kind: 'already' as const, silence: existing, alert };
    const silence = await silenceAlerts(store, {
      subject: alert.subject,
      groupId: alert.groupId,
      severity: alert.severity,
      until,
      by: request.by,
      reason: request.reason,
      now: request.now,
      endsWhenResolved: true,
    });
    if (alert.notificationId !== null) {
      await refreshNotification(store, alert.notificationId, {
        now: request.now,
        source: SOURCE.silence,
        config: request.config,
        groupSlugs: request.groupSlugs,
      });
    }
    return { kind: 'silenced' as const, silence, alert };
  });
}

/** Ends a silence now and edits the messages of the firing alerts it covered (they show as firing again). */
export async function unsilence(
  store: AlertStore,
  request: { silenceId: string; now: number; config: AlertsConfig; groupSlugs?: GroupSlugs },
): Promise<{ silence: Silence; refreshed: number }> {
  const id = request.silenceId.trim().replace(/^#/, '');
  if (id === '') throw new InvalidArgumentError('silence must be a silence id: `/ontology status` lists them.');
  const silence = (await store.activeSilences(request.now)).find((candidate) => candidate.id === id);
  if (!silence || !(await store.endSilence(id, request.now))) {
    throw new NotFoundError(`No active silence #${id}: \`/ontology status\` lists the silences in force.`);
  }
  const refreshed = await refreshCovered(store, [silence], { now: request.now, config: request.config, groupSlugs: request.groupSlugs });
  return { silence, refreshed };
}

/**
 * The monitor job that evaluates a subject again ("Run check now"): a failed job's own job, the weekly job for a
 * trend, the daily full check (every scope, every metric) for a metric.
 */
export function jobForSubject(subject: string): JobName {
  if (subject.startsWith('monitor.')) {
    const job = subject.slice('monitor.'.length);
    if ((JOB_NAMES as readonly string[]).includes(job)) return job as JobName;
  }
  if (subject.startsWith('trend.')) return 'weekly';
  return 'daily';
}

/** "until <date>" (in the reader's time zone) or "until it resolves", for answers in Slack to the person who clicked. */
export function silenceEnd(silence: Pick<Silence, 'until'>): string {
  return isUntilResolved(silence) ? 'until it resolves' : `until ${slackDate(silence.until)}`;
}
