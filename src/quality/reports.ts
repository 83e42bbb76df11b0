/**
 * The report documents of the quality commands (`check`, `versions`, `audit`) and the pure functions that
 * build them from counts. The `metrics` report lives with its formulas in `metrics.ts`.
 */
import type { ConvexDocument } from '../ontology/values.ts';
import { CATEGORIES, worstStatus, type Category, type Severity, type SeverityContext, type Status } from './categories.ts';
import { percentage } from './metrics.ts';
import { CATEGORY_SUBJECT, judge } from './severity.ts';
import { orderedIssues, type QualityCounts, type QualityIssue, type Tally } from './tally.ts';
import { DEFAULT_THRESHOLDS, type ThresholdTable } from './thresholds.ts';

/** Counts per category as the `check` report shows them. */
export interface CheckDetails {
  orphanedConnections: number;
  orphanedKnowledge: number;
  /** Cross-group connections + cross-group events. */
  crossGroupReferences: number;
  /** Entities + connections + events + knowledge without a groupId. */
  missingGroupIds: number;
  /** Connections with validTo < validFrom + payment events with invalid metadata. */
  invalidMetadata: number;
  malformedProperties: number;
}

/** The `check` command's document. */
export interface CheckReport {
  /** Worst severity among the issues found (healthy when none; info issues alone give `info`). */
  status: Status;
  /** Issue counts (all issues found, not only those listed). An issue is one record in one category. */
  summary: { totalIssues: number; criticalIssues: number; warningIssues: number; infoIssues: number };
  details: CheckDetails;
  /**
   * Status of each category, judged by the metric that measures it (`CATEGORY_SUBJECT`): the severity its issues
   * carry. Healthy for a category without issues, or whose share stays within its threshold (its issues are then info).
   */
  categoryStatus: Record<Category, Status>;
  /** The first issues, at most `limit`, critical first. */
  issues: QualityIssue[];
}

/** The integrity details of a set of counts. */
export function checkDetails(counts: QualityCounts): CheckDetails {
  return {
    orphanedConnections: counts.orphanedConnections,
    orphanedKnowledge: counts.orphanedKnowledge,
    crossGroupReferences: counts.crossGroupConnections + counts.crossGroupEvents,
    missingGroupIds:
      counts.entitiesMissingGroupId + counts.connectionsMissingGroupId + counts.eventsMissingGroupId + counts.knowledgeMissingGroupId,
    invalidMetadata: counts.invalidMetadataConnections + counts.invalidMetadataEvents,
    malformedProperties: counts.malformedProperties,
  };
}

/** Number of issues of each category in a set of counts. */
export function issuesPerCategory(counts: QualityCounts): Record<Category, number> {
  const details = checkDetails(counts);
  return {
    orphaned: details.orphanedConnections + details.orphanedKnowledge,
    crossGroup: details.crossGroupReferences,
    missingGroupId: details.missingGroupIds,
    invalidMetadata: details.invalidMetadata,
    malformedProperties: details.malformedProperties,
  };
}

/**
 * The status of each category of a set of counts, judged by the metric that measures it (so a category and its
 * metric never disagree): orphaned and cross-group records by their counts, missing groupIds by theirs (info
 * before the v1 migration), invalid metadata warning when any, malformed properties by their share of entities.
 */
export function categoryStatuses(counts: QualityCounts, context: SeverityContext, table: ThresholdTable = DEFAULT_THRESHOLDS): Record<Category, Status> {
  const perCategory = issuesPerCategory(counts);
  const valueOf = (category: Category) =>
    category === 'malformedProperties' ? percentage(counts.malformedProperties, counts.entities, 0, 'up') : perCategory[category];
  return Object.fromEntries(
    CATEGORIES.map((category) => [category, perCategory[category] === 0 ? 'healthy' : judge(CATEGORY_SUBJECT[category], valueOf(category), context, table)]),
  ) as Record<Category, Status>;
}

/** The severity issues of a category with this status carry: a category within its threshold lists its records as info. */
function issueSeverity(status: Status): Severity {
  return status === 'healthy' ? 'info' : status;
}

/**
 * The check report of a tally: details, the summary by severity, the status and at most `limit` issues, each
 * category judged by its metric (`categoryStatuses`). Categories that were not checked count 0.
 */
export function buildCheckReport(tally: Tally, limit: number, context: SeverityContext, table: ThresholdTable = DEFAULT_THRESHOLDS): CheckReport {
  const perCategory = issuesPerCategory(tally.counts);
  const categoryStatus = categoryStatuses(tally.counts, context, table);
  const summary = { totalIssues: 0, criticalIssues: 0, warningIssues: 0, infoIssues: 0 };
  const issues = {} as Tally['issues'];
  for (const category of CATEGORIES) {
    const severity = issueSeverity(categoryStatus[category]);
    issues[category] = tally.issues[category].map((issue) => (issue.severity === severity ? issue : { ...issue, severity }));
    const count = perCategory[category];
    if (count === 0) continue;
    summary.totalIssues += count;
    if (severity === 'critical') summary.criticalIssues += count;
    else if (severity === 'warning') summary.warningIssues += count;
    else summary.infoIssues += count;
  }
  return {
    status: worstStatus(CATEGORIES.filter((category) => perCategory[category] > 0).map((category) => issueSeverity(categoryStatus[category]))),
    summary,
    details: checkDetails(tally.counts),
    categoryStatus,
    issues: orderedIssues({ ...tally, issues }, limit),
  };
}

/** The `versions` command's document: entities by schema generation. */
export interface VersionsReport {
  /** Epoch ms the report is for. */
  timestamp: number;
  /** Entities without a numeric schemaVersion ≥ 1. */
  v0Entities: number;
  /** Entities with a numeric schemaVersion ≥ 1. */
  v1Entities: number;
  /** Shares in percent (rounded like the metrics; both 0 when there are no entities). */
  distributionPercentage: { v0: number; v1: number };
}

/** The versions report of entity counts. */
export function buildVersionsReport(entities: number, v1Entities: number, now: number): VersionsReport {
  const v0Entities = entities - v1Entities;
  return {
    timestamp: now,
    v0Entities,
    v1Entities,
    distributionPercentage: { v0: percentage(v0Entities, entities, 0), v1: percentage(v1Entities, entities, 0) },
  };
}

/** The schema compliance score of a versions report, as the metric computes it (rounded down, 100 with no entities). */
export function schemaComplianceOf(report: Pick<VersionsReport, 'v0Entities' | 'v1Entities'>): number {
  return percentage(report.v1Entities, report.v0Entities + report.v1Entities, 100, 'down');
}

/** The `audit` command's document: one entity and what references it. */
export interface AuditReport {
  thingId: string;
  /** The entity's groupId, or null when it has none. */
  groupId: string | null;
  /** The entity document as stored. */
  thing: ConvexDocument;
  /** Events where the entity is actor or target, newest first (as `DocumentStore.eventsOfEntity` orders them), at most `limit`. */
  events: ConvexDocument[];
  /** Connections from and to the entity, at most `limit` each. */
  connections: { outgoing: ConvexDocument[]; incoming: ConvexDocument[] };
}
