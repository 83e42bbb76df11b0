/**
 * The dedup stage: decides, for one alert identity, whether to post, edit, remind, resolve or stay quiet.
 * A pure function of (previous state, current evaluation, now), so the whole decision table is testable case
 * by case and every decision carries a reason that is logged.
 */
import type { AlertState, Decision, Signal, Silence } from './types.ts';

/** Everything the decision depends on. */
export interface DecisionInput {
  /** The latest alert of this identity (firing or resolved), or null when it never fired. */
  previous: AlertState | null;
  /** The signal of this identity in the current evaluation, or null when it is not firing now. */
  current: Signal | null;
  /** True when the same subject and scope fire now at another severity (the alert changed severity). */
  firingAtOtherSeverity: boolean;
  /** The silence in force for this identity, or null. */
  silence: Silence | null;
  now: number;
  /** Minimum time between reminders of a critical alert that keeps firing. */
  repeatIntervalMs: number;
}

/** Decides what to do for one identity. */
export function decide(input: DecisionInput): Decision {
  const { previous, current, silence, now } = input;
  const open = previous !== null && previous.status === 'firing' ? previous : null;

  if (current !== null) {
    if (open === null) return silence ? { action: 'record', reason: 'silenced' } : { action: 'post', reason: 'new' };
    if (silence) return { action: 'record', reason: 'silenced' };
    // It began while silenced and the silence is over: this is the first time anyone hears of it.
    if (open.notifiedAt === null) return { action: 'post', reason: 'silence_expired' };
    // Acknowledged: someone is on it, so no reminders; the message still follows the value.
    if (open.acknowledgedAt !== null) return { action: open.lastValue === current.value ? 'record' : 'update', reason: 'acknowledged' };
    if (open.severity === 'critical') {
      const lastNudge = open.lastReminderAt ?? open.notifiedAt;
      if (now - lastNudge >= input.repeatIntervalMs) return { action: 'remind', reason: 'repeat_interval_elapsed' };
    }
    if (open.lastValue === current.value) return { action: 'record', reason: 'value_unchanged' };
    return { action: 'update', reason: 'still_firing' };
  }

  if (open === null) return { action: 'none', reason: 'not_firing' };
  if (open.notifiedAt === null) return { action: 'record', reason: 'resolved_never_notified' };
  if (silence) return { action: 'resolve_quietly', reason: 'resolved_while_silenced' };
  if (input.firingAtOtherSeverity) return { action: 'resolve', reason: 'severity_changed' };
  return { action: 'resolve', reason: 'resolved' };
}
