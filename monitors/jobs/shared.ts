/** Small pieces the jobs share. */
import type { Baseline, DecisionOutcome, PipelineReport } from '../../src/alerts/pipeline.ts';
import type { MonitorContext } from '../context.ts';
import { snapshotMetrics } from '../ports.ts';

/** Counts of decisions by action (`posted`, `updated`, …) for the job-run record. */
export function decisionCounts(decisions: readonly DecisionOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const decision of decisions) {
    if (decision.action === 'none') continue;
    const name = `alerts_${decision.action}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/**
 * Counts of alerts by decision (`alerts_post`, …) and of the Slack messages they queued (`messages_post`:
 * new top-level messages, one per notification; `messages_update`: edits; `messages_reply`: thread replies),
 * for the job-run record.
 */
export function pipelineCounts(report: Pick<PipelineReport, 'decisions' | 'messages'>): Record<string, number> {
  const counts = decisionCounts(report.decisions);
  if (report.messages.posts > 0) counts.messages_post = report.messages.posts;
  if (report.messages.updates > 0) counts.messages_update = report.messages.updates;
  if (report.messages.replies > 0) counts.messages_reply = report.messages.replies;
  return counts;
}

/**
 * "What changed" for a new alert: the subject's value in the latest daily snapshot of its scope taken before
 * `runAt` (the run's start), so a daily run never compares with the snapshot it has just saved.
 */
export function snapshotBaseline(context: MonitorContext, runAt: number): Baseline {
  return async (subject, groupId, before) => {
    const snapshot = await context.stores.snapshots.latestSnapshotBefore(groupId, Math.min(before, runAt));
    if (!snapshot) return null;
    const value = snapshotMetrics(snapshot)[subject];
    return value === undefined ? null : { value, at: snapshot.timestamp };
  };
}
