/**
 * Looks up the slugs of groups for alert messages (groups named slug first, id after). It pages the groups table
 * (a few large pages, however many groups a run names) rather than reading groups one by one, and remembers what
 * it found for the life of the lookup: one pipeline run, or one click.
 */
import type { DocumentStore } from '../store/port.ts';
import type { GroupNaming, GroupSlugs } from './pipeline.ts';

/** Groups read per page. */
export const SLUG_PAGE_SIZE = 1_000;
/** Pages read at most per lookup (20,000 groups); groups past them are named by id alone. */
export const MAX_SLUG_PAGES = 20;

/** The `GroupSlugs` of a document store: each group's `slug` and `name`, null for a group that is gone or was not reached. */
export function groupSlugLookup(documents: DocumentStore): GroupSlugs {
  const known = new Map<string, GroupNaming>();
  let cursor: string | null = null;
  let pages = 0;
  let exhausted = false;
  return async (groupIds) => {
    const wanted = new Set(groupIds.filter((id) => !known.has(id)));
    while (wanted.size > 0 && !exhausted) {
      const page = await documents.page('groups', cursor, SLUG_PAGE_SIZE);
      for (const group of page.documents) {
        const id = String(group._id);
        const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);
        known.set(id, { slug: text(group.slug), name: text(group.name) });
        wanted.delete(id);
      }
      cursor = page.continueCursor;
      pages++;
      exhausted = cursor === null || pages >= MAX_SLUG_PAGES;
    }
    return new Map(groupIds.map((id) => [id, known.get(id) ?? null]));
  };
}
