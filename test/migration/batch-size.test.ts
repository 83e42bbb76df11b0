import { describe, expect, it } from 'vitest';
import { BATCH_TIME_TARGET_MS, MIN_TIME_SIZED_BATCH, nextBatchLimit } from '../../src/migration/batch-size.ts';

describe('migration batches sized by time', () => {
  it.each([
    [2000, 150, 2000, 666, 'three times the target: a third of the size'],
    [2000, 5_000, 2000, MIN_TIME_SIZED_BATCH, 'a very slow machine: never below the floor'],
    [2000, 40, 2000, 2000, 'within the target: unchanged'],
    [666, 20, 2000, 1332, 'well under the target: doubles'],
    [1500, 10, 2000, 2000, 'never grows past the size asked for'],
    [50, 500, 50, 50, 'a size asked for below the floor is kept (tests, tiny stores)'],
    [2000, 0, 2000, 2000, 'an instant batch at full size stays there'],
  ])('%i records in %i ms (asked for %i) → %i: %s', (current, elapsed, requested, next) => {
    expect(nextBatchLimit(current, elapsed, requested)).toBe(next);
  });

  it('keeps a batch that took exactly the target as it is', () => {
    expect(nextBatchLimit(1000, BATCH_TIME_TARGET_MS, 2000)).toBe(1000);
  });
});
