/**
 * The bot's own events (`monitoring_*`, `events_archived`) in the ontology's events table. They belong to a
 * group of their own (slug `ontology-ops` by default, created on first use) so they never count as records
 * missing a groupId, and they carry no actor or target, so they never count as orphaned or cross-group.
 */
import type { DocumentStore } from '../store/port.ts';
import type { EventLog } from './ports.ts';

/** Options of the event log. */
export interface EventLogOptions {
  /** Slug of the group that owns the bot's events. */
  groupSlug: string;
}

/** An event log writing into `store`'s events table. */
export function createEventLog(store: DocumentStore, options: EventLogOptions): EventLog {
  let groupId: string | null = null;
  const ensureGroup = async (at: number): Promise<string> => {
    if (groupId) return groupId;
    const existing = await store.findGroupBySlug(options.groupSlug);
    if (existing) {
      groupId = existing._id;
      return groupId;
    }
    const created = await store.insert('groups', {
      slug: options.groupSlug,
      name: 'ontology-ops monitoring',
      type: 'organization',
      description: 'Owns the events the ontology-ops monitors write (monitoring_*, events_archived).',
      metadata: {},
      settings: {},
      status: 'active',
      createdAt: at,
      updatedAt: at,
    });
    groupId = created._id;
    return groupId;
  };
  return {
    ownerGroupId: ensureGroup,
    async log(type, metadata, at) {
      const owner = await ensureGroup(at);
      const clean: Record<string, string | number | boolean | null> = {};
      for (const [key, value] of Object.entries(metadata)) if (value !== undefined) clean[key] = value;
      await store.insert('events', { groupId: owner, type, timestamp: at, metadata: clean, archived: false });
    },
  };
}
