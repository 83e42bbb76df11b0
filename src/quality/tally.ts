/**
 * A mergeable tally of one check pass: exact counts plus the first issues of each category, kept up to a
 * limit. A store adapter fills one tally per page (Convex) or per table scan (SQLite); `mergeTallies` sums
 * them, so paging never changes a count.
 */
import { CATEGORIES, SEVERITY_ORDER, type Category, type Severity } from './categories.js';

/**
 * Every count the checks and metrics need, all plain integers so that pages add up field by field. Each
 * record counts at most once per field.
 */
export interface QualityCounts {
  /** Entity documents in scope. */
  entities: number;
  /** Connection documents in scope. */
  connections: number;
  /** Event documents in scope. */
  events: number;
  /** Knowledge documents in scope. */
  knowledge: number;
  /** Knowledge records with a `sourceThingId` (non-empty string): the other part of the integrity denominator. */
  knowledgeWithSource: number;
  /** Connections whose from- or to-id names no existing entity (or is missing). */
  orphanedConnections: number;
  /** Knowledge records whose `sourceThingId` names no existing entity. */
  orphanedKnowledge: number;
  /** Connections whose two endpoints exist and have different groupIds. */
  crossGroupConnections: number;
  /** Events whose actor and target exist and have different groupIds. */
  crossGroupEvents: number;
  /** Entities without a groupId. */
  entitiesMissingGroupId: number;
  /** Connections without a groupId. */
  connectionsMissingGroupId: number;
  /** Events without a groupId. */
  eventsMissingGroupId: number;
  /** Knowledge records without a groupId. */
  knowledgeMissingGroupId: number;
  /** Connections with numeric `validTo < validFrom`. */
  invalidMetadataConnections: number;
  /** Payment events whose metadata breaks the payment rule. */
  invalidMetadataEvents: number;
  /** Entities whose properties break their type's rule. */
  malformedProperties: number;
  /** Entities with a numeric `schemaVersion` ≥ 1. */
  v1Entities: number;
  /** Events with a numeric `timestamp` older than now − 365 days. */
  eventsOlderThanYear: number;
  /** Of those, events with `archived === true`. */
  archivedEventsOlderThanYear: number;
}

/** The count fields, in a fixed order. */
export const COUNT_FIELDS = [
  'entities',
  'connections',
  'events',
  'knowledge',
  'knowledgeWithSource',
  'orphanedConnections',
  'orphanedKnowledge',
  'crossGroupConnections',
  'crossGroupEvents',
  'entitiesMissingGroupId',
  'connectionsMissingGroupId',
  'eventsMissingGroupId',
  'knowledgeMissingGroupId',
  'invalidMetadataConnections',
  'invalidMetadataEvents',
  'malformedProperties',
  'v1Entities',
  'eventsOlderThanYear',
  'archivedEventsOlderThanYear',
] as const satisfies readonly (keyof QualityCounts)[];

/** Metadata of an issue: ids and field names only, never property values. */
export type IssueMetadata = Record<string, string | string[] | null>;

/** One problem found in one record. */
export interface QualityIssue {
  category: Category;
  severity: Severity;
  /** Physical table of the record (`things` under the legacy naming). */
  table: string;
  recordId: string;
  /** The record's own groupId (null when it has none), so a consumer can route the issue without a lookup. */
  groupId: string | null;
  /** What is wrong, in words, naming ids and field names. */
  description: string;
  metadata: IssueMetadata;
}

/** Counts plus the first issues of each category (at most `issueLimit` each). */
export interface Tally {
  counts: QualityCounts;
  issues: Record<Category, QualityIssue[]>;
  issueLimit: number;
}

/** All counts zero. */
export function emptyCounts(): QualityCounts {
  const counts = {} as QualityCounts;
  for (const field of COUNT_FIELDS) counts[field] = 0;
  return counts;
}

/** The field-by-field sum of two count sets. */
export function addCounts(a: QualityCounts, b: QualityCounts): QualityCounts {
  const sum = {} as QualityCounts;
  for (const field of COUNT_FIELDS) sum[field] = a[field] + b[field];
  return sum;
}

/** A tally with nothing counted, keeping at most `issueLimit` issues per category. */
export function createTally(issueLimit: number): Tally {
  const issues = {} as Record<Category, QualityIssue[]>;
  for (const category of CATEGORIES) issues[category] = [];
  return { counts: emptyCounts(), issues, issueLimit };
}

/** Keeps an issue when its category has room (the count itself is the caller's, always incremented). */
export function keepIssue(tally: Tally, issue: QualityIssue): void {
  const kept = tally.issues[issue.category];
  if (kept.length < tally.issueLimit) kept.push(issue);
}

/**
 * Sums two tallies: counts add up; issues keep `a`'s before `b`'s (page order), each category cut at the
 * smaller of the two limits.
 */
export function mergeTallies(a: Tally, b: Tally): Tally {
  const issueLimit = Math.min(a.issueLimit, b.issueLimit);
  const issues = {} as Record<Category, QualityIssue[]>;
  for (const category of CATEGORIES) issues[category] = [...a.issues[category], ...b.issues[category]].slice(0, issueLimit);
  return { counts: addCounts(a.counts, b.counts), issues, issueLimit };
}

/**
 * The issues of a tally as a report lists them: critical first, then warning, then info; within a severity in
 * category order (orphaned, cross-group, missing groupId, invalid metadata, malformed properties), then in
 * the order found; at most `limit`.
 */
export function orderedIssues(tally: Tally, limit: number): QualityIssue[] {
  const ordered: QualityIssue[] = [];
  for (const severity of SEVERITY_ORDER) {
    for (const category of CATEGORIES) {
      for (const issue of tally.issues[category]) if (issue.severity === severity) ordered.push(issue);
    }
  }
  return ordered.slice(0, limit);
}
