/**
 * Whether a silence still covers what fires: a silence covers the scopes and the values it was set on (its
 * `baseline`), not whatever its subject does later. A pure function of (previous = the baseline, current = this
 * run's signals, now), like `decide`, so each case is testable on its own and every break carries a reason that is
 * logged and said in the alert's thread.
 */
import { DEFAULT_THRESHOLDS, THRESHOLD_METRICS, type ThresholdMetric } from '../quality/thresholds.ts';
import { silenceMatches, type Severity, type Signal, type Silence, type SilenceBaseline } from './types.ts';

/** What happens to a silence in a run. */
export type SilenceAction = 'keep' | 'break';

/** Why. */
export type SilenceReason =
  /** Set while nothing it matches fired (a window set ahead of time): it covers whatever fires until it ends. */
  | 'no_baseline'
  /** Everything it matches fires in a scope it was set on, no worse than materially. */
  | 'within_baseline'
  /** A scope that was not firing when it was set fires now. */
  | 'new_scope'
  /** A scope it was set on fires at a higher severity (warning → critical). */
  | 'severity_raised'
  /** A scope it was set on got materially worse: its distance from healthy at least doubled. */
  | 'value_doubled';

/** The scope that broke a silence: as it was when the silence was set (null: not firing then) and as it is now. */
export interface SilenceBreach {
  groupId: string | null;
  before: { severity: Severity; value: number } | null;
  now: { severity: Severity; value: number };
}

/** The outcome for one silence; `breach` names the scope that broke it. */
export interface SilenceDecision {
  action: SilenceAction;
  reason: SilenceReason;
  breach?: SilenceBreach;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * How far a value of `subject` is from perfect, in its own unit: the value itself for counts and "lower is better"
 * percentages, 100 minus it for scores where higher is better. A trend (`trend.<metric>`) reads like its metric.
 */
export function badness(subject: string, value: number): number {
  const metric = subject.startsWith('trend.') ? subject.slice('trend.'.length) : subject;
  const higherIsBetter = (THRESHOLD_METRICS as readonly string[]).includes(metric) && DEFAULT_THRESHOLDS[metric as ThresholdMetric].better === 'higher';
  return higherIsBetter ? 100 - value : value;
}

/** True when `now` is materially worse than `before`: its distance from perfect at least doubled. */
export function materiallyWorse(subject: string, before: number, now: number): boolean {
  const was = badness(subject, before);
  const is = badness(subject, now);
  // From a distance of 0 (which cannot fire, but a baseline may hold it) any worsening counts.
  return was <= 0 ? is > was : is >= 2 * was;
}

/** Decides whether `silence` still covers this run's `signals` (all of them: those it does not match are ignored). */
export function decideSilence(silence: Silence, signals: readonly Signal[], now: number): SilenceDecision {
  const baseline = silence.baseline;
  if (!baseline || baseline.length === 0) return { action: 'keep', reason: 'no_baseline' };
  const breaches: SilenceDecision[] = [];
  for (const signal of signals) {
    if (!silenceMatches(silence, signal, now)) continue;
    const set = baseline.filter((entry) => entry.groupId === signal.groupId);
    const current = { severity: signal.severity, value: signal.value };
    if (set.length === 0) {
      breaches.push({ action: 'break', reason: 'new_scope', breach: { groupId: signal.groupId, before: null, now: current } });
      continue;
    }
    const worst = set.reduce<SilenceBaseline>((a, b) => (RANK[b.severity] > RANK[a.severity] ? b : a), set[0]!);
    const before = { severity: worst.severity, value: worst.value };
    if (RANK[signal.severity] > RANK[worst.severity]) {
      breaches.push({ action: 'break', reason: 'severity_raised', breach: { groupId: signal.groupId, before, now: current } });
      continue;
    }
    const same = set.find((entry) => entry.severity === signal.severity) ?? worst;
    if (materiallyWorse(signal.subject, same.value, signal.value)) {
      breaches.push({
        action: 'break',
        reason: 'value_doubled',
        breach: { groupId: signal.groupId, before: { severity: same.severity, value: same.value }, now: current },
      });
    }
  }
  if (breaches.length === 0) return { action: 'keep', reason: 'within_baseline' };
  // The platform-wide scope first (it is what the message leads with), then in the order the signals came.
  return breaches.find((decision) => decision.breach!.groupId === null) ?? breaches[0]!;
}

/** The baseline of a silence about to be set: the firing alerts it matches, as they fire now. */
export function baselineOf(
  silence: Pick<Silence, 'subject' | 'groupId' | 'severity' | 'until'>,
  firing: readonly (Pick<Signal, 'subject' | 'groupId' | 'severity'> & { value: number | null })[],
  now: number,
): SilenceBaseline[] {
  const probe = { ...silence, id: '', createdBy: '', reason: '', createdAt: now };
  return firing
    .filter((alert) => alert.value !== null && silenceMatches(probe, alert, now))
    .map((alert) => ({ groupId: alert.groupId, severity: alert.severity, value: alert.value! }));
}
