/**
 * The threshold table that turns metric values into statuses, as data. Defaults are the specification's
 * table; a deployment may override any row (`resolveThresholds`). Statuses are judged on the reported
 * (rounded) value, so the number a reader sees and its status always agree.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InvalidArgumentError } from '../errors.ts';
import type { SeverityContext, Status } from './categories.ts';

/** Decimal places of every percentage metric, and the most a threshold bound may have. */
export const METRIC_DECIMALS = 4;

/** The seven metrics that have a threshold. */
export const THRESHOLD_METRICS = [
  'referentialIntegrityScore',
  'orphanedEntityCount',
  'crossGroupViolations',
  'missingGroupIds',
  'malformedPropertiesPercent',
  'schemaComplianceScore',
  'eventArchivalProgress',
] as const;
/** A metric that has a threshold. */
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

/**
 * One row of the table.
 * - `better: 'higher'`: healthy when `x ≥ healthy`, warning when `warning ≤ x < healthy`, else critical.
 * - `better: 'lower'`: healthy when `x ≤ healthy`, warning when `healthy < x ≤ warning`, else critical.
 * `warning: null` means there is no warning band (straight from healthy to critical).
 * `infoBeforeV1Migration`: a value that is not healthy is only `info` until the v1 migration has completed.
 */
export interface MetricThreshold {
  better: 'higher' | 'lower';
  healthy: number;
  warning: number | null;
  infoBeforeV1Migration?: boolean;
}

/** A full threshold table. */
export type ThresholdTable = Record<ThresholdMetric, MetricThreshold>;

/** The specification's defaults. */
export const DEFAULT_THRESHOLDS: ThresholdTable = {
  referentialIntegrityScore: { better: 'higher', healthy: 99, warning: 95 },
  orphanedEntityCount: { better: 'lower', healthy: 0, warning: null },
  crossGroupViolations: { better: 'lower', healthy: 0, warning: null },
  missingGroupIds: { better: 'lower', healthy: 0, warning: null, infoBeforeV1Migration: true },
  malformedPropertiesPercent: { better: 'lower', healthy: 0.01, warning: 0.1 },
  schemaComplianceScore: { better: 'higher', healthy: 95, warning: 90 },
  eventArchivalProgress: { better: 'higher', healthy: 90, warning: 70 },
};

/** The status of one metric value under a table (defaults unless given). */
export function statusOf(
  metric: ThresholdMetric,
  value: number,
  context: SeverityContext,
  table: ThresholdTable = DEFAULT_THRESHOLDS,
): Status {
  const row = table[metric];
  let status: Status;
  if (row.better === 'higher') {
    status = value >= row.healthy ? 'healthy' : row.warning !== null && value >= row.warning ? 'warning' : 'critical';
  } else {
    status = value <= row.healthy ? 'healthy' : row.warning !== null && value <= row.warning ? 'warning' : 'critical';
  }
  if (status !== 'healthy' && row.infoBeforeV1Migration && !context.v1MigrationCompleted) return 'info';
  return status;
}

// Metrics are rounded toward their unhealthy side to METRIC_DECIMALS places; against a bound with no more
// places than that, the rounded value has the same status as the exact one (see metrics.ts).
const bound = z
  .number()
  .finite()
  // Every metric is a count or a percentage: a negative bound would make a metric always (or never) healthy.
  .min(0, { message: 'must be ≥ 0 (metric values are never negative)' })
  .refine((value) => Math.abs(value * 10 ** METRIC_DECIMALS - Math.round(value * 10 ** METRIC_DECIMALS)) < 1e-6, {
    message: `must have at most ${METRIC_DECIMALS} decimal places`,
  });

const rowOverrideSchema = z
  .object({
    healthy: bound,
    warning: bound.nullable(),
  })
  .partial()
  .strict();

/** Overrides of some rows; only the bounds can change (the direction and the v1 rule are part of the metric). */
export type ThresholdOverrides = Partial<Record<ThresholdMetric, { healthy?: number; warning?: number | null }>>;

const overridesSchema = z
  .object(Object.fromEntries(THRESHOLD_METRICS.map((metric) => [metric, rowOverrideSchema])) as Record<ThresholdMetric, typeof rowOverrideSchema>)
  .partial()
  .strict();

/**
 * The default table with overrides applied (e.g. from configuration). Rejects unknown metrics, non-numbers and
 * a warning bound on the wrong side of the healthy bound, naming the metric.
 */
export function resolveThresholds(overrides: unknown = {}, source = 'thresholds'): ThresholdTable {
  const parsed = overridesSchema.safeParse(overrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${source}.${issue.path.join('.')}` : source;
    throw new InvalidArgumentError(`${where}: ${issue.message}.`);
  }
  const table = { ...DEFAULT_THRESHOLDS };
  for (const [metric, override] of Object.entries(parsed.data) as [ThresholdMetric, ThresholdOverrides[ThresholdMetric]][]) {
    if (!override) continue;
    const row: MetricThreshold = { ...table[metric], ...override };
    if (row.warning !== null) {
      const wrongSide = row.better === 'higher' ? row.warning > row.healthy : row.warning < row.healthy;
      if (wrongSide) {
        throw new InvalidArgumentError(
          `${source}.${metric}: the warning bound ${row.warning} must be ${row.better === 'higher' ? '≤' : '≥'} the healthy bound ${row.healthy}.`,
        );
      }
    }
    table[metric] = row;
  }
  return table;
}

/**
 * The threshold table from a JSON file of overrides (`{"referentialIntegrityScore": {"healthy": 99.5}}`), or the
 * defaults when `path` is undefined. Errors name the file and the offending metric.
 */
export function loadThresholds(path: string | undefined): ThresholdTable {
  if (path === undefined) return DEFAULT_THRESHOLDS;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`Cannot read the thresholds file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  let overrides: unknown;
  try {
    overrides = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`The thresholds file ${path} is not valid JSON: ${(error as Error).message}.`);
  }
  return resolveThresholds(overrides, path);
}
