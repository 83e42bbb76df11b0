/**
 * Migration batches sized by time. Each SQLite batch runs on the main thread, so while it commits nothing else
 * does: no Slack acknowledgement, no progress edit. A batch that took longer than `BATCH_TIME_TARGET_MS` makes the
 * next one proportionally smaller; one that took under half of it lets the next grow back (doubling), never past
 * the size asked for. Slack's acks stay within their budget (p99 ≤ 250 ms with 20 commands queued behind a batch)
 * whatever the machine's speed, at the cost of a few more transactions on a slow one.
 */

/** The longest one batch should hold the event loop. */
export const BATCH_TIME_TARGET_MS = 50;
/**
 * Batches never shrink below this many records (or the size asked for, when smaller): a commit has a fixed cost,
 * and tiny batches would only add to it.
 */
export const MIN_TIME_SIZED_BATCH = 200;

/** The size of the next batch after one of `current` records took `elapsedMs`; `requested` is the most. */
export function nextBatchLimit(current: number, elapsedMs: number, requested: number, targetMs = BATCH_TIME_TARGET_MS): number {
  const floor = Math.min(requested, MIN_TIME_SIZED_BATCH);
  if (elapsedMs > targetMs) return Math.max(floor, Math.floor((current * targetMs) / elapsedMs));
  if (elapsedMs < targetMs / 2) return Math.min(requested, current * 2);
  return Math.min(requested, Math.max(floor, current));
}
