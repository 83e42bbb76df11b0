/**
 * The archival job: events older than 365 days (the archival metric's age) that are not archived get
 * `archived: true`, in batches, yielding to the event loop between batches; an `events_archived` event records
 * how many. Idempotent: a second run finds nothing and logs nothing.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ARCHIVAL_AGE_MS } from '../../src/quality/metrics.ts';
import type { MonitorContext } from '../context.ts';
import type { ArchivalRecord } from '../ports.ts';

/** Archives old events; returns `{archived, batches}`. */
export async function runArchival(context: MonitorContext): Promise<Record<string, number>> {
  const now = context.now();
  const cutoff = now - ARCHIVAL_AGE_MS;
  const batchSize = context.monitors.archivalBatchSize;
  const record: ArchivalRecord = {
    groupId: await context.events.ownerGroupId(now),
    at: now,
    eventId: null,
    metadata: { cutoff, source: 'archival' },
  };
  let archived = 0;
  let batches = 0;
  for (;;) {
    // Each batch and its share of the run's events_archived event are one transaction: a crash loses neither.
    const batch = await context.stores.archive.archiveEventsBefore(cutoff, batchSize, record);
    if (batch.archived === 0) break;
    record.eventId = batch.eventId;
    archived += batch.archived;
    batches++;
    context.crash?.(`archival-batch:${batches}`);
    // A short batch is not the end: a store may stop a batch early on its own bounds (large events in Convex).
    await yieldToEventLoop();
  }
  return { archived, batches };
}
