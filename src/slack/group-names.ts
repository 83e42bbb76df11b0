/**
 * Groups named the way people know them: slug first, id after (`acme-eu` (`j57…`)). Looks the slugs up in the
 * groups table; a group that is gone shows its id alone.
 */
import { NotFoundError, InvalidArgumentError } from '../errors.ts';
import type { DocumentStore } from '../store/port.ts';
import { code } from './blocks/text.ts';

/** A group as a command answer names it. */
export interface GroupRef {
  id: string;
  slug: string | null;
}

/** `acme-eu` (`j57…`) in mrkdwn (escaped code spans), the id alone without a slug, or `platform-wide` for no group. */
export function groupLabel(group: GroupRef | null): string {
  if (group === null) return 'platform-wide';
  return group.slug ? `${code(group.slug)} (${code(group.id)})` : code(group.id);
}

/** The same in plain text (headers; escape it for mrkdwn or a message's `text`): `acme-eu (j57…)`. */
export function groupLabelPlain(group: GroupRef | null): string {
  if (group === null) return 'platform-wide';
  return group.slug ? `${group.slug} (${group.id})` : group.id;
}

function slugOf(document: Record<string, unknown> | null): string | null {
  return document && typeof document.slug === 'string' && document.slug !== '' ? document.slug : null;
}

/** The group a user means by `raw` (an `_id` or a slug), or a `NotFoundError` saying what to pass. */
export async function findGroup(documents: DocumentStore, raw: string): Promise<GroupRef> {
  if (raw.trim() === '') throw new InvalidArgumentError('[group] is empty: pass a group slug or `_id`.');
  const byId = await documents.get('groups', raw);
  if (byId) return { id: raw, slug: slugOf(byId) };
  const bySlug = await documents.findGroupBySlug(raw);
  if (bySlug) return { id: String(bySlug._id), slug: slugOf(bySlug) };
  throw new NotFoundError(`No group with slug or id "${raw}": pass the slug or \`_id\` of a group in the groups table.`);
}

/** Groups of `ids` (duplicates and nulls skipped), slugs looked up; at most `max` lookups. */
export async function groupRefs(documents: DocumentStore, ids: readonly (string | null)[], max = 100): Promise<Map<string, GroupRef>> {
  const unique = [...new Set(ids.filter((id): id is string => id !== null))].slice(0, max);
  const refs = await Promise.all(unique.map(async (id) => ({ id, slug: slugOf(await documents.get('groups', id)) })));
  return new Map(refs.map((ref) => [ref.id, ref]));
}
