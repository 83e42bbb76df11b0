/** The groups for the dashboard's selector: every group of the groups table, slug first, id after. */
import { allGroupIds } from '../quality/paging.ts';
import type { DashboardDeps } from './deps.ts';
import { dashboardGroup } from './query.ts';
import type { GroupsAnswer } from './types.ts';

/** Groups listed at most (each is one lookup for its slug and name); the rest are counted. */
export const MAX_LISTED_GROUPS = 500;

/** The groups, sorted by slug (groups without one last, by id). */
export async function groupsAnswer(deps: DashboardDeps): Promise<GroupsAnswer> {
  const at = deps.now();
  const ids = await allGroupIds(deps.backend.checks);
  const listed = ids.slice(0, MAX_LISTED_GROUPS);
  const groups = await Promise.all(listed.map(async (id) => dashboardGroup(id, await deps.backend.documents.get('groups', id))));
  groups.sort((a, b) => (a.slug === null ? 1 : 0) - (b.slug === null ? 1 : 0) || (a.slug ?? a.id).localeCompare(b.slug ?? b.id) || a.id.localeCompare(b.id));
  return { at, groups, omitted: ids.length - listed.length };
}
