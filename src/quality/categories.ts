/**
 * The five integrity categories, their severities and the statuses a report can have. Pure data shared by
 * every store adapter.
 */
import { InvalidArgumentError } from '../errors.js';

/** The five integrity categories, in report order. */
export const CATEGORIES = ['orphaned', 'crossGroup', 'missingGroupId', 'invalidMetadata', 'malformedProperties'] as const;
/** One integrity category. */
export type Category = (typeof CATEGORIES)[number];

/** The subset the hourly monitor runs: the categories that are critical once the v1 migration is done. */
export const CRITICAL_CATEGORIES: readonly Category[] = ['orphaned', 'crossGroup', 'missingGroupId'];

/** How bad one issue is. */
export type Severity = 'critical' | 'warning' | 'info';

/** Status of a metric, a metrics report or a check report, from best to worst: healthy < info < warning < critical. */
export type Status = 'healthy' | 'info' | 'warning' | 'critical';

/** Statuses from best to worst; a report's status is the worst of its parts. */
export const STATUS_ORDER: readonly Status[] = ['healthy', 'info', 'warning', 'critical'];

/** Severities from most to least urgent (the order issues are listed in). */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'warning', 'info'];

/** What a severity or status depends on besides the counts. */
export interface SeverityContext {
  /** True once a v1 migration has completed on the store (`META_KEYS.v1MigrationCompletedAt` is set). */
  v1MigrationCompleted: boolean;
}

/** Human-readable name of each category, for tables and alerts. */
export const CATEGORY_LABELS: Record<Category, string> = {
  orphaned: 'Orphaned references',
  crossGroup: 'Cross-group references',
  missingGroupId: 'Missing groupId',
  invalidMetadata: 'Invalid metadata',
  malformedProperties: 'Malformed properties',
};

/**
 * The severity of a category's issues: orphaned and cross-group are critical, invalid metadata and malformed
 * properties are warnings, and a missing groupId is critical once the v1 migration has completed (info before,
 * because pre-v1 data lacks groupIds by design until the migration fills them).
 */
export function severityOf(category: Category, context: SeverityContext): Severity {
  switch (category) {
    case 'orphaned':
    case 'crossGroup':
      return 'critical';
    case 'missingGroupId':
      return context.v1MigrationCompleted ? 'critical' : 'info';
    case 'invalidMetadata':
    case 'malformedProperties':
      return 'warning';
  }
}

/** The worse of two statuses. */
export function worseStatus(a: Status, b: Status): Status {
  return STATUS_ORDER.indexOf(a) >= STATUS_ORDER.indexOf(b) ? a : b;
}

/** The worst of several statuses; healthy when there are none. */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'healthy';
  for (const status of statuses) worst = worseStatus(worst, status);
  return worst;
}

/** Checks a list of category names given by a caller (CLI, Slack, config) and returns them deduplicated in report order. */
export function normalizeCategories(categories: readonly string[]): Category[] {
  const unknown = categories.filter((name) => !(CATEGORIES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `Unknown check categor${unknown.length === 1 ? 'y' : 'ies'} ${unknown.join(', ')}: use one of ${CATEGORIES.join(', ')}.`,
    );
  }
  return CATEGORIES.filter((category) => categories.includes(category));
}
