/**
 * What to do next about each integrity category and each metric, as data: the metrics guide explains these
 * steps and alert messages quote them (in Slack with the `/ontology` equivalents of the CLI commands), so both say
 * the same thing.
 */
import type { Category } from './categories.ts';
import type { ThresholdMetric } from './thresholds.ts';

/** Remediation of one category. */
export interface Remediation {
  /** One line: what the problem means. */
  meaning: string;
  /** Ordered steps an operator takes. */
  steps: readonly string[];
}

/** Remediation steps per category. */
export const REMEDIATION: Readonly<Record<Category, Remediation>> = {
  orphaned: {
    meaning: 'A connection or knowledge record points at an entity that does not exist: reads through it fail or return nothing.',
    steps: [
      'List the records: `ontology-ops check --json` and read the orphaned issues (the `missing` field names the dangling side).',
      'For each dangling id, find out whether the entity was deleted on purpose (`ontology-ops audit <surviving endpoint id>` shows its history).',
      'Deleted on purpose: `ontology-ops fix orphans --dry-run` lists the records, then `ontology-ops fix orphans` archives the connections and unlinks the knowledge records (undone exactly by `ontology-ops rollback --run <id>`). Deleted by mistake: restore the entity from the latest backup.',
      'Re-run `ontology-ops check` and confirm the orphaned count is 0.',
    ],
  },
  crossGroup: {
    meaning: 'A connection or event links entities of two different groups (tenants): data may leak across tenant boundaries.',
    steps: [
      'Treat it as a possible tenant leak: list the records with `ontology-ops check --json` (the metadata names both groupIds).',
      'Ask the owners of both groups whether the link is intended; shared entities belong in one group with an explicit share.',
      'Remove the unintended link (delete the connection, or fix the event actor/target); move a misfiled entity to its right group.',
      'Re-run `ontology-ops check` and confirm the cross-group count is 0.',
    ],
  },
  missingGroupId: {
    meaning: 'A record has no groupId: before the v1 migration this is expected; after it, the record is invisible to tenant-scoped reads.',
    steps: [
      'Before the v1 migration: nothing is broken; plan the migration, which fills groupIds: `ontology-ops migrate --dry-run` first, and read what it predicts getting worse (records it can only put in `legacy-default` make their references to other groups cross-group).',
      'After the v1 migration: list the records with `ontology-ops check --json`; they were written by a client that does not set groupId.',
      'Set the groupId of each record (from its entity, endpoint or actor) and fix the client that wrote it.',
      'Re-run `ontology-ops check` and confirm the missing-groupId count is 0.',
    ],
  },
  invalidMetadata: {
    meaning: 'A connection ends before it starts, or a payment event lacks a valid protocol, status or numeric amount.',
    steps: [
      'List the records with `ontology-ops check --json`; the issue metadata names the fields at fault.',
      'Connections: swap or correct validFrom/validTo from the source of truth. Payment events: correct the metadata from the payment provider record.',
      'Fix the writer that produced them, then re-run `ontology-ops check`.',
    ],
  },
  malformedProperties: {
    meaning: "An entity's properties break its type's rule (e.g. a product without a valid price or currency).",
    steps: [
      'List the entities with `ontology-ops check --json`; the issue names the entity type and the property names at fault.',
      "Correct the properties from the entity's owner or source system; the rules are in docs/data-quality-metrics.md.",
      'Fix the form or import that let them through, then re-run `ontology-ops check`.',
    ],
  },
};

/** The categories behind each metric, so an alert on a metric can quote the right remediation. */
export const METRIC_CATEGORIES: Readonly<Record<ThresholdMetric, readonly Category[]>> = {
  referentialIntegrityScore: ['orphaned', 'crossGroup'],
  orphanedEntityCount: ['orphaned'],
  crossGroupViolations: ['crossGroup'],
  missingGroupIds: ['missingGroupId'],
  malformedPropertiesPercent: ['malformedProperties'],
  schemaComplianceScore: [],
  eventArchivalProgress: [],
};

/** Remediation of the two metrics that do not come from an integrity category. */
export const METRIC_REMEDIATION: Readonly<Partial<Record<ThresholdMetric, Remediation>>> = {
  schemaComplianceScore: {
    meaning: 'Entities without a numeric schemaVersion ≥ 1 are still in the pre-v1 shape.',
    steps: [
      'See the split with `ontology-ops versions` (per group with `--group <id>`).',
      'Run the v1 migration (`ontology-ops migrate --dry-run` first), which sets schemaVersion on migrated entities.',
    ],
  },
  eventArchivalProgress: {
    meaning: 'Events older than 365 days are not yet archived (archived: true).',
    steps: [
      'Check that the archival job runs (the weekly archival monitor reports its progress).',
      'Archive the old events in batches, then watch eventArchivalProgress rise in `ontology-ops metrics`.',
    ],
  },
};

/** The remediation steps for a metric: its own, or those of its categories in order. */
export function remediationForMetric(metric: ThresholdMetric): Remediation[] {
  const own = METRIC_REMEDIATION[metric];
  if (own) return [own];
  return METRIC_CATEGORIES[metric].map((category) => REMEDIATION[category]);
}
