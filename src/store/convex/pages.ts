/**
 * Reading a listing that the Convex functions return page by page (`{ <items>, continueCursor }`): calls the
 * page function until `limit` items are in or the range is done. Each call is one bounded transaction, so a
 * listing of any length never meets a transaction limit; pages are read one after another (each needs the
 * previous cursor).
 */
import type { Value } from 'convex/values';
import { InvalidArgumentError } from '../../errors.ts';
import type { ConvexCaller } from './client.ts';

/** Items a page call asks for at most (the server's `MONITOR_PAGE_ROWS`). */
export const MONITOR_PAGE_ROWS = 1_000;

/** Checks a port's `limit` argument: a whole number of at least 0. */
export function checkedLimit(limit: number, what = 'limit'): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new InvalidArgumentError(`${what} must be a whole number of at least 0, got ${limit}.`);
  return limit;
}

/**
 * Up to `limit` items (Infinity: all) of the listing `path`, in the server's order. `field` names the page's
 * items; `pageRows` is the most one page may return.
 */
export async function readPages<T>(
  caller: ConvexCaller,
  path: string,
  args: Record<string, Value>,
  field: string,
  limit: number,
  pageRows: number = MONITOR_PAGE_ROWS,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  while (items.length < limit) {
    const numItems = Math.min(pageRows, limit - items.length);
    const page: Record<string, unknown> & { continueCursor: string | null } = await caller.query(path, { ...args, cursor, numItems });
    items.push(...(page[field] as T[]));
    cursor = page.continueCursor;
    if (cursor === null) break;
  }
  return items.slice(0, limit);
}
