/**
 * The archival job: events older than 365 days (the archival metric's age) that are not archived get
 * `archived: true`, in batches, yielding to the event loop between batches; an `events_archived` event records
 * how many. Idempotent: a second run finds nothing and logs nothing.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ARCHIVAL_AGE_MS } from '../../src/quality/metrics.ts';
import type { MonitorContext } from '../context.ts';

/** Archives old events; returns `{archived, batches}`. */
export async function runArchival(context: MonitorContext): Promise<Record<string, number>> {
  const now = context.now();
  const cutoff = now - ARCHIVAL_AGE_MS;
  const batchSize = context.monitors.archivalBatchSize;
  let archived = 0;
  let batches = 0;
  for (;;) {
    const count = await context.state.archiveEventsBefore(cutoff, batchSize);
    if (count === 0) break;
    archived += count;
    batches++;
    if (count < batchSize) break;
    await yieldToEventLoop();
  }
  if (archived > 0) {
    await context.events.log('events_archived', { count: archived, batches, cutoff, source: 'archival' }, now);
  }
  return { archived, batches };
}
