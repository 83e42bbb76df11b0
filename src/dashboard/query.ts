/**
 * The dashboard's query parameters: each endpoint names the ones it takes, and anything else (an unknown name, a
 * repeated one, a bad value) is a 400 whose one line names the parameter and what it takes.
 */
import { HttpError } from '../local/http.ts';
import type { DocumentStore } from '../store/port.ts';
import type { DashboardGroup } from './types.ts';

/** The most days a trend window may span (the `/ontology trend` command's bound). */
export const MAX_TREND_DAYS = 90;
/** Days a trend covers when `days` is not given. */
export const DEFAULT_TREND_DAYS = 7;
/** The most recent alerts listed at once. */
export const MAX_RECENT_ALERTS = 100;
/** Recent alerts listed when `limit` is not given. */
export const DEFAULT_RECENT_ALERTS = 20;

/** A value as an error quotes it: short, on one line. */
function quoted(raw: string): string {
  const line = raw.replace(/[\r\n\t]+/g, ' ');
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line);
}

/** The query's parameters, refusing names `allowed` does not list and names given twice. */
export function queryParameters(url: URL, allowed: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) {
      const takes = allowed.length === 0 ? 'takes no parameters' : `takes ${allowed.join(', ')}`;
      throw new HttpError(400, `Unknown query parameter ${quoted(name)}: ${url.pathname} ${takes}.`);
    }
    if (values.has(name)) throw new HttpError(400, `Query parameter ${name} is given twice: pass it once.`);
    values.set(name, value);
  }
  return values;
}

/** A whole number parameter from `min` to `max`, or `fallback` when absent. */
export function wholeNumberParameter(values: Map<string, string>, name: string, range: { min: number; max: number; fallback: number }): number {
  const raw = values.get(name);
  if (raw === undefined) return range.fallback;
  const value = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new HttpError(400, `Query parameter ${name} must be a whole number from ${range.min} to ${range.max}, got ${quoted(raw)}.`);
  }
  return value;
}

/** A group document as the dashboard names it. */
export function dashboardGroup(id: string, document: Record<string, unknown> | null): DashboardGroup {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);
  return { id, slug: text(document?.slug), name: text(document?.name) };
}

/** The group `group=` names (an `_id` or a slug), null when absent; a 400 naming the parameter when there is none such. */
export async function groupParameter(values: Map<string, string>, documents: DocumentStore): Promise<DashboardGroup | null> {
  const raw = values.get('group');
  if (raw === undefined) return null;
  if (raw.trim() === '') throw new HttpError(400, 'Query parameter group is empty: pass a group id or slug, or leave it out for platform-wide.');
  const byId = await documents.get('groups', raw);
  if (byId) return dashboardGroup(raw, byId);
  const bySlug = await documents.findGroupBySlug(raw);
  if (bySlug) return dashboardGroup(String(bySlug._id), bySlug);
  throw new HttpError(400, `Query parameter group names no group (${quoted(raw)}): pass an id or slug from /dashboard/api/groups.`);
}
