/**
 * The SQLite adapter of `EventArchiveStore`: marks old events archived one batch per transaction, and records
 * the batch in its run's `events_archived` event in that same transaction.
 */
import type { ArchivalBatch, ArchivalRecord, EventArchiveStore } from '../../../monitors/ports.ts';
import type { ConvexValue } from '../../ontology/values.ts';
import { ensureMonitorSchema } from './monitor-schema.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** The count fields the store keeps on the run's event. */
function countOf(metadata: ConvexValue | undefined, field: 'count' | 'batches'): number {
  const value = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as Record<string, ConvexValue>)[field] : 0;
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : 0;
}

/** Event archival in a `SqliteStore`'s database. */
export class SqliteEventArchive implements EventArchiveStore {
  private readonly database: SqliteStore['database'];

  constructor(private readonly store: SqliteStore) {
    this.database = store.database;
    ensureMonitorSchema(this.database);
  }

  async archiveEventsBefore(cutoff: number, limit: number, record: ArchivalRecord): Promise<ArchivalBatch> {
    return this.database.transaction((): ArchivalBatch => {
      // Step 1: the batch, oldest first.
      const ids = this.database
        .prepare('SELECT id FROM events WHERE archived = 0 AND timestamp < ? ORDER BY timestamp LIMIT ?')
        .all(cutoff, limit) as { id: string }[];
      if (ids.length === 0) return { archived: 0, eventId: record.eventId };
      // patchSync rewrites the indexed columns too, so `archived` stays right for the checks and this query.
      for (const { id } of ids) this.store.patchSync('events', id, { archived: true });
      // Step 2: the run's events_archived event, created by its first batch and added to by the others.
      const previous = record.eventId === null ? null : this.store.getSync('events', record.eventId);
      if (previous === null) {
        const event = this.store.insertSync('events', {
          groupId: record.groupId,
          type: 'events_archived',
          timestamp: record.at,
          metadata: { ...record.metadata, count: ids.length, batches: 1 },
          archived: false,
        });
        return { archived: ids.length, eventId: event._id };
      }
      this.store.patchSync('events', previous._id, {
        metadata: {
          ...record.metadata,
          count: countOf(previous.metadata, 'count') + ids.length,
          batches: countOf(previous.metadata, 'batches') + 1,
        },
      });
      return { archived: ids.length, eventId: previous._id };
    })();
  }
}
