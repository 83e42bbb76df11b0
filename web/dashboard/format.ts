/** How the page writes values, times and scopes (the metric units of docs/data-quality-metrics.md). */
import type { DashboardGroup, DashboardStatus, MetricUnit } from '../../src/dashboard/types.ts';

const COUNT = new Intl.NumberFormat('en-US');
const PERCENT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * A value the server sent without its display text (chart points, shares): `99.60%`, `1,234`, as the server's
 * `formatValue` writes them. A metric of the integrity card comes with its `display` text (the severity model's
 * format, rounded toward the unhealthy side): show that one.
 */
export function formatValue(value: number | null, unit: MetricUnit): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return unit === 'percent' ? `${PERCENT.format(value)}%` : COUNT.format(value);
}

/** An instant in UTC, to the minute: `2026-11-27 02:00 UTC`. */
export function formatInstant(ms: number | null): string {
  if (ms === null) return '—';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** An instant in UTC, short, for tables: `Nov 27 02:00`. */
export function formatShort(ms: number): string {
  const date = new Date(ms);
  return `${date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })} ${date.toISOString().slice(11, 16)}`;
}

/** A short day label for chart axes: `Nov 27`. */
export function formatDay(ms: number): string {
  return new Date(ms).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** "in 3 h 10 min", "5 min ago". */
export function relative(ms: number, now: number): string {
  const minutes = Math.round(Math.abs(ms - now) / 60_000);
  const text = minutes < 1 ? 'less than a minute' : minutes < 60 ? `${minutes} min` : minutes < 48 * 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.floor(minutes / 1440)} d`;
  return ms >= now ? `in ${text}` : `${text} ago`;
}

/** A group as people know it: slug first, id after. */
export function groupLabel(group: DashboardGroup | null): string {
  if (group === null) return 'platform-wide';
  return group.slug ? `${group.slug} (${group.id})` : group.id;
}

/** Words for a status. */
export const STATUS_LABEL: Record<DashboardStatus, string> = { healthy: 'Healthy', info: 'Info', warning: 'Warning', critical: 'Critical' };
