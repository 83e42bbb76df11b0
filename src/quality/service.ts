/**
 * The quality service: what the CLI, Slack handlers, monitors and migration call to check the data and
 * compute metrics. It validates arguments, resolves the group, pages a scan through the store's check port
 * (`scanAll`) and turns the counts into reports with the pure modules. It knows no adapter: the caller passes
 * the ports.
 */
import { InvalidArgumentError, NotFoundError } from '../errors.ts';
import { groupIdOf } from '../ontology/naming.ts';
import type { DocumentStore } from '../store/port.ts';
import { CATEGORIES, normalizeCategories, type Category } from './categories.ts';
import { computeMetrics, type MetricsReport } from './metrics.ts';
import { allGroupIds, scanAll } from './paging.ts';
import type { CheckPort } from './port.ts';
import { buildCheckReport, buildVersionsReport, type AuditReport, type CheckReport, type VersionsReport } from './reports.ts';
import { emptyCounts } from './tally.ts';
import { DEFAULT_THRESHOLDS, type ThresholdTable } from './thresholds.ts';

/** Issues listed by `check` when no limit is given. */
export const DEFAULT_ISSUE_LIMIT = 100;
/** Events and connections (each way) listed by `audit` when no limit is given. */
export const DEFAULT_AUDIT_LIMIT = 50;
/** Largest accepted `limit` (an issue list is for reading; counts are always complete). */
export const MAX_LIMIT = 10_000;

/** Options of `check`. */
export interface CheckOptions {
  /** Reference instant (epoch ms). */
  now: number;
  /** Scope to records whose own groupId is this (a group `_id`, or a group slug). */
  groupId?: string;
  /** Issues to list, 1…10,000 (default 100). */
  limit?: number;
  /** Categories to check (default all five). */
  categories?: readonly Category[];
}

/** The quality service. */
export interface QualityService {
  /** The integrity check (the `check` command's document). */
  check(options: CheckOptions): Promise<CheckReport>;
  /** The seven metrics of the platform or one group (the `metrics` command's document). */
  metrics(options: { now: number; groupId?: string }): Promise<MetricsReport>;
  /** Platform metrics and metrics of every group in the groups table, from one scan. */
  metricsAllGroups(options: { now: number }): Promise<{ platform: MetricsReport; groups: MetricsReport[] }>;
  /** Entities by schema generation (the `versions` command's document). */
  versions(options: { now: number; groupId?: string }): Promise<VersionsReport>;
  /** One entity with its events and connections (the `audit` command's document). */
  audit(entityId: string, options?: { limit?: number }): Promise<AuditReport>;
}

/** What the quality service works on. */
export interface QualityServicePorts {
  /** The store's check port (scans and group listing). */
  checks: CheckPort;
  /** The store's documents (group resolution by id or slug, audit lookups). */
  documents: DocumentStore;
  /** Threshold table (default: the specification's). */
  thresholds?: ThresholdTable;
}

function validLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidArgumentError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, got ${limit}.`);
  }
  return limit;
}

function validNow(now: number): number {
  if (!Number.isFinite(now)) throw new InvalidArgumentError(`--now must be a finite instant, got ${now}.`);
  return now;
}

/** The quality service over any store adapter: a check port for scans, a document store for lookups. */
export function createQualityService({ checks, documents, thresholds = DEFAULT_THRESHOLDS }: QualityServicePorts): QualityService {
  /** The group `_id` a caller means (an id, or else a slug), or a NotFoundError. */
  const resolveGroup = async (group: string | undefined): Promise<string | null> => {
    if (group === undefined) return null;
    if (group.trim() === '') throw new InvalidArgumentError('--group must name a group id, got an empty value.');
    if (await documents.get('groups', group)) return group;
    const bySlug = await documents.findGroupBySlug(group);
    if (bySlug) return bySlug._id;
    throw new NotFoundError(`No group with id or slug "${group}" in ${documents.location}: pass the \`_id\` or slug of a group in the groups table.`);
  };

  return {
    async check(options) {
      const now = validNow(options.now);
      const limit = validLimit(options.limit, DEFAULT_ISSUE_LIMIT);
      const categories = normalizeCategories(options.categories ?? CATEGORIES);
      const groupId = await resolveGroup(options.groupId);
      const v1MigrationCompleted = await checks.v1MigrationCompleted();
      const { tally } = await scanAll(checks, {
        categories,
        groupId,
        now,
        issueLimit: limit,
        v1MigrationCompleted,
        metricCounts: false,
      });
      return buildCheckReport(tally, limit, { v1MigrationCompleted }, thresholds);
    },

    async metrics(options) {
      const now = validNow(options.now);
      const groupId = await resolveGroup(options.groupId);
      const v1MigrationCompleted = await checks.v1MigrationCompleted();
      const { tally } = await scanAll(checks, { categories: CATEGORIES, groupId, now, issueLimit: 0, v1MigrationCompleted });
      return computeMetrics(tally.counts, { now, groupId, v1MigrationCompleted, thresholds });
    },

    async metricsAllGroups(options) {
      const now = validNow(options.now);
      const v1MigrationCompleted = await checks.v1MigrationCompleted();
      const [groupIds, scan] = await Promise.all([
        allGroupIds(checks),
        scanAll(checks, { categories: CATEGORIES, groupId: null, now, issueLimit: 0, v1MigrationCompleted, perGroup: true }),
      ]);
      const context = { now, v1MigrationCompleted, thresholds };
      const byGroup = new Map((scan.groups ?? []).map((group) => [group.groupId, group.counts]));
      return {
        platform: computeMetrics(scan.tally.counts, { ...context, groupId: null }),
        groups: groupIds.map((groupId) => computeMetrics(byGroup.get(groupId) ?? emptyCounts(), { ...context, groupId })),
      };
    },

    async versions(options) {
      const now = validNow(options.now);
      const groupId = await resolveGroup(options.groupId);
      const { tally } = await scanAll(checks, {
        categories: [],
        tables: ['entities'],
        metricCounts: true,
        groupId,
        now,
        issueLimit: 0,
        v1MigrationCompleted: false,
      });
      return buildVersionsReport(tally.counts.entities, tally.counts.v1Entities, now);
    },

    async audit(entityId, options = {}) {
      const limit = validLimit(options.limit, DEFAULT_AUDIT_LIMIT);
      if (entityId.trim() === '') throw new InvalidArgumentError('The entity id is empty: pass the `_id` of an entity.');
      const thing = await documents.get('entities', entityId);
      if (!thing) {
        throw new NotFoundError(`No entity with id "${entityId}" in ${documents.location}: check the id (an entity's \`_id\`).`);
      }
      const [events, connections] = await Promise.all([
        documents.eventsOfEntity(entityId, limit),
        documents.connectionsOfEntity(entityId, limit),
      ]);
      return { thingId: entityId, groupId: groupIdOf(thing), thing, events, connections };
    },
  };
}
