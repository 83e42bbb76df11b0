/**
 * Who may request and who may approve, from the configuration: approvers named by user id and/or the members of a
 * Slack user group, resolved through the Web API (`usergroups.users.list`) and cached briefly so a burst of clicks
 * costs one call.
 */
import type { ApprovalsConfig } from '../config.ts';

/** Answers "may this user request / approve?". */
export interface ApprovalDirectory {
  mayRequest(userId: string): Promise<boolean>;
  isApprover(userId: string): Promise<boolean>;
  /** True when anyone at all may approve (some approver is configured). */
  readonly hasApprovers: boolean;
  /** Mentions of the approvers for a request message. */
  approverMentions(): string[];
}

/** Lists the user ids of a Slack user group (`usergroups.users.list`). */
export type UsergroupMembers = (usergroupId: string) => Promise<string[]>;

/** How long a user group's members are cached. */
export const USERGROUP_CACHE_MS = 60_000;

/** The directory over `config`, resolving user groups with `members`. */
export function createApprovalDirectory(
  config: Pick<ApprovalsConfig, 'requesterUsergroup' | 'approverUserIds' | 'approverUsergroup'>,
  members: UsergroupMembers,
  options: { now?: () => number; cacheMs?: number } = {},
): ApprovalDirectory {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? USERGROUP_CACHE_MS;
  const cache = new Map<string, { at: number; users: Promise<Set<string>> }>();
  const membersOf = (group: string): Promise<Set<string>> => {
    const cached = cache.get(group);
    if (cached && now() - cached.at < cacheMs) return cached.users;
    const users = members(group).then((ids) => new Set(ids));
    // A failed lookup is not cached: the next click asks again.
    users.catch(() => cache.delete(group));
    cache.set(group, { at: now(), users });
    return users;
  };
  const named = new Set(config.approverUserIds);
  return {
    hasApprovers: named.size > 0 || config.approverUsergroup !== null,
    async mayRequest(userId) {
      if (config.requesterUsergroup === null) return true;
      return (await membersOf(config.requesterUsergroup)).has(userId);
    },
    async isApprover(userId) {
      if (named.has(userId)) return true;
      if (config.approverUsergroup === null) return false;
      return (await membersOf(config.approverUsergroup)).has(userId);
    },
    approverMentions() {
      return [...[...named].map((id) => `<@${id}>`), ...(config.approverUsergroup ? [`<!subteam^${config.approverUsergroup}>`] : [])];
    },
  };
}
