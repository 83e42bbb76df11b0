/**
 * The `EventArchiveStore` port (monitors/ports.ts) over a Convex deployment: each call is one `archival:archiveBatch`
 * mutation, which archives the batch and counts it in the run's `events_archived` event at once.
 */
import type { ArchivalBatch, ArchivalRecord, EventArchiveStore } from '../../../monitors/ports.ts';
import { InvalidArgumentError } from '../../errors.ts';
import type { ConvexCaller } from './client.ts';

/** Events per batch the deployment accepts (`MAX_ARCHIVE_BATCH` in `convex/archival.ts`). */
export const CONVEX_MAX_ARCHIVE_BATCH = 5_000;

/** Event archival in a Convex deployment (constructed by the composition root). */
export class ConvexEventArchive implements EventArchiveStore {
  constructor(private readonly caller: ConvexCaller) {}

  async archiveEventsBefore(cutoff: number, limit: number, record: ArchivalRecord): Promise<ArchivalBatch> {
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > CONVEX_MAX_ARCHIVE_BATCH) {
      throw new InvalidArgumentError(`The archival batch size must be a whole number from 1 to ${CONVEX_MAX_ARCHIVE_BATCH}, got ${limit}: set MONITOR_ARCHIVAL_BATCH within it.`);
    }
    // A batch that meets a limit archived nothing; half as many events are tried instead.
    const { value } = await this.caller.shrinking(limit, (size) =>
      this.caller.mutation<ArchivalBatch>('archival:archiveBatch', {
        cutoff,
        limit: size,
        groupId: record.groupId,
        at: record.at,
        eventId: record.eventId,
        metadata: record.metadata,
      }),
    );
    return value;
  }
}
