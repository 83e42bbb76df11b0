/**
 * The alert pipeline, in small stages like Alertmanager's notify pipeline:
 * evaluate (done by the job: an `Evaluation`) → dedup (`decide`) → route (`routeAlert`) → deliver (outbox rows
 * and `monitoring_*` events, then `deliverOutbox`) → record (alert state and the decision log, written in the
 * same transaction as the outbox rows).
 */
import type { AlertsConfig } from '../config.ts';
import { alertMessage, reminderMessage, resolvedReply, type AlertView } from '../slack/blocks/alert.ts';
import { decide } from './decide.ts';
import { deliverOutbox, type DeliveryReport, type Sleep } from './outbox.ts';
import type { AlertDraft, AlertStore, EventLog, Notifier, OutboxDraft, OutboxStore } from './ports.ts';
import { routeAlert } from './route.ts';
import {
  alertKey,
  covers,
  scopeOf,
  silenceMatches,
  type AlertState,
  type Decision,
  type Evaluation,
  type Severity,
  type Signal,
} from './types.ts';

/** The value of a subject at an earlier time, to say what changed. */
export type Baseline = (subject: string, groupId: string | null, before: number) => Promise<{ value: number; at: number } | null>;

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
}

/** One decision as taken, for logs and tests. */
export interface DecisionOutcome extends Decision {
  key: string;
  alertId: number | null;
}

/** What a pipeline run did. */
export interface PipelineReport {
  decisions: DecisionOutcome[];
  delivery: DeliveryReport;
}

interface Item {
  key: string;
  previous: AlertState | null;
  current: Signal | null;
}

/** Runs one evaluation through dedup, routing, recording and delivery. */
export async function runAlertPipeline(deps: PipelineDeps, evaluation: Evaluation): Promise<PipelineReport> {
  const now = deps.now();
  const silences = await deps.alerts.activeSilences(now);
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

  const decisions: DecisionOutcome[] = [];
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
    deps.log(`alert ${item.key}: ${decision.action} (${decision.reason})`);
    const alertId = await apply(deps, evaluation, item, decision, other?.severity ?? null, now);
    decisions.push({ ...decision, key: item.key, alertId });
  }

  const delivery = await deliverOutbox({ outbox: deps.outbox, notifier: deps.notifier, now: deps.now, sleep: deps.sleep, log: deps.log });
  return { decisions, delivery };
}

/** The message view of an alert as stored (or about to be stored). */
export function alertView(
  alert: AlertDraft,
  options: { at: number; source: string; mention: string | null; previous: AlertView['previous'] },
): AlertView {
  return {
    subject: alert.subject,
    title: alert.title,
    severity: alert.severity,
    groupId: alert.groupId,
    value: alert.lastValue ?? 0,
    unit: alert.details.unit,
    threshold: alert.details.threshold,
    previous: options.previous,
    firstFiringAt: alert.firstFiringAt,
    at: options.at,
    breakdown: alert.details.breakdown,
    topIssueIds: alert.details.topIssueIds,
    remediation: alert.details.remediation,
    note: alert.details.note ?? null,
    mention: options.mention,
    acknowledgedBy: alert.acknowledgedBy,
    resolvedAt: alert.resolvedAt,
    source: options.source,
    key: alert.key,
  };
}

function observedValue(evaluation: Evaluation, state: AlertState): number | null {
  const observation = evaluation.observations?.find(
    (candidate) => candidate.subject === state.subject && candidate.groupId === state.groupId,
  );
  return observation?.value ?? null;
}

async function apply(
  deps: PipelineDeps,
  evaluation: Evaluation,
  item: Item,
  decision: Decision,
  otherSeverity: Severity | null,
  now: number,
): Promise<number | null> {
  if (decision.action === 'none') return null;
  const { previous, current } = item;
  const open = previous?.status === 'firing' ? previous : null;

  let draft: AlertDraft;
  if (current) {
    const details = {
      unit: current.unit,
      threshold: current.threshold,
      breakdown: current.breakdown,
      topIssueIds: current.topIssueIds,
      remediation: current.remediation,
      ...(current.note ? { note: current.note } : {}),
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
          message: null,
          acknowledgedBy: null,
          acknowledgedAt: null,
        };
    draft = { ...base, title: current.title, details, lastEvaluatedAt: now, lastValue: current.value };
    if (decision.action === 'post') draft.notifiedAt = now;
    if (decision.action === 'remind') draft.lastReminderAt = now;
  } else {
    const observed = observedValue(evaluation, open!);
    draft = { ...open!, status: 'resolved', resolvedAt: now, lastEvaluatedAt: now, lastValue: observed ?? open!.lastValue };
  }

  const previousValue =
    open && open.lastValue !== null
      ? { value: open.lastValue, at: open.lastEvaluatedAt }
      : deps.baseline
        ? await deps.baseline(draft.subject, draft.groupId, now)
        : null;
  const route = routeAlert(draft.severity, deps.config);
  const view = alertView(draft, {
    at: now,
    source: evaluation.source,
    mention: route.kind === 'channel' ? route.mention : null,
    previous: current ? previousValue : null,
  });

  const outbox: OutboxDraft[] = [];
  if (route.kind === 'channel') {
    const channel = open?.message?.channel ?? route.channel;
    const alertId = draft.id ?? null;
    const original = alertMessage(view);
    switch (decision.action) {
      case 'post':
        outbox.push({ kind: 'post', channel, alertId, message: original });
        break;
      case 'update':
        outbox.push({ kind: 'update', channel, alertId, message: original });
        break;
      case 'remind':
        outbox.push({ kind: 'update', channel, alertId, message: original });
        outbox.push({ kind: 'reply', channel, alertId, message: reminderMessage(view) });
        break;
      case 'resolve':
        outbox.push({ kind: 'update', channel, alertId, message: original });
        outbox.push({
          kind: 'reply',
          channel,
          alertId,
          message: resolvedReply(view, decision.reason === 'severity_changed' ? 'severity_changed' : 'resolved', otherSeverity),
        });
        break;
      case 'resolve_quietly':
        outbox.push({ kind: 'update', channel, alertId, message: original });
        break;
      case 'record':
        break;
    }
  } else if (decision.action === 'post' || decision.action === 'resolve' || decision.action === 'resolve_quietly') {
    await deps.events.log(
      decision.action === 'post' ? 'monitoring_alert_raised' : 'monitoring_alert_resolved',
      {
        alertKey: item.key,
        subject: draft.subject,
        scope: scopeOf(draft),
        severity: draft.severity,
        value: draft.lastValue,
        reason: decision.reason,
        source: evaluation.source,
      },
      now,
    );
  }

  const stored = await deps.alerts.recordDecision({ alert: draft, decision, source: evaluation.source, at: now, outbox });
  return stored.id;
}
