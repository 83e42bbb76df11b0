/**
 * "What to do next" for each alert subject. Metric subjects quote the quality engine's remediation table
 * (`src/quality/remediation.ts`, the same steps the metrics guide explains); trends and failing monitors have
 * their own steps here.
 */
import { REMEDIATION, remediationForMetric } from '../quality/remediation.ts';
import { THRESHOLD_METRICS, type ThresholdMetric } from '../quality/thresholds.ts';

const OWN_STEPS: Record<string, string[]> = {
  invalidMetadataCount: [...REMEDIATION.invalidMetadata.steps],
  trend: [
    'Review the last 7 days of daily snapshots and find the day the decline started.',
    'Correlate it with deployments, imports and manual operations in that period.',
    'Roll back or fix the change, then watch the next daily snapshots.',
  ],
  monitor: [
    'Read the error of the failed runs: `ontology-ops monitor status`.',
    'Check that the store is reachable, then retry by hand: `ontology-ops monitor run <job>`.',
    'The job is retried on its next tick; this alert resolves in its thread when a run succeeds.',
  ],
};

/** The remediation steps of a subject (`trend.*` and `monitor.*` subjects share their family's steps). */
export function remediationFor(subject: string): string[] {
  if ((THRESHOLD_METRICS as readonly string[]).includes(subject)) {
    return remediationForMetric(subject as ThresholdMetric).flatMap((remediation) => [...remediation.steps]);
  }
  return OWN_STEPS[subject] ?? OWN_STEPS[subject.split('.')[0]!] ?? [];
}
