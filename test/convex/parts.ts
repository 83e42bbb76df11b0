/**
 * The Convex adapter wired to a test deployment (`harness.ts`): the ports talk to it only through
 * `ConvexHttpClient` requests, as they would to a real one.
 */
import { openConvexParts, type ConvexParts } from '../../src/store/convex/index.ts';
import { createConvexHarness, type ConvexHarness, type HarnessLimits } from './harness.ts';

/** A fresh test deployment and the adapter's ports over it. */
export function convexParts(options: { limits?: HarnessLimits; recordsPerPage?: number; meter?: boolean } = {}): ConvexParts & { harness: ConvexHarness } {
  const harness = createConvexHarness({ limits: options.limits, meter: options.meter });
  const parts = openConvexParts({ url: harness.url, deployKey: harness.deployKey, fetch: harness.fetch, sleep: async () => undefined, checks: { recordsPerPage: options.recordsPerPage } });
  return { ...parts, harness };
}

/** Ids of the entities table that name no entity (inserted, then deleted), `count` of them. */
export async function danglingEntityIds(harness: ConvexHarness, count: number): Promise<string[]> {
  return harness.t.run(async (ctx) => {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const id = await ctx.db.insert('entities', { type: 'agent' });
      await ctx.db.delete(id);
      ids.push(id);
    }
    return ids;
  });
}
