/**
 * Seeds the deterministic data set of `src/seed/dataset.ts` into a test deployment, as ONE would hold it: each
 * document inserted in data-set order (so creation order is data-set order, as rowid order is in SQLite) and its
 * references to groups and entities rewritten to the ids the deployment assigned. References to records that do
 * not exist (the planted orphans) stay as they are. Returns the id map both ways, to compare with SQLite.
 */
import { generateSeedDataset, type SeedDatasetOptions, type SeedSummary } from '../../src/seed/dataset.ts';
import { parseDocument, type ConvexValue } from '../../src/ontology/values.ts';
import type { ConvexHarness } from './harness.ts';

/** Fields that reference a group or an entity. */
const REFERENCE_FIELDS = ['groupId', 'parentGroupId', 'fromEntityId', 'toEntityId', 'fromThingId', 'toThingId', 'actorId', 'targetId', 'sourceThingId', 'thingId'];

/** The seeded data set and the ids the deployment gave its documents. */
export interface ConvexSeed {
  summary: SeedSummary;
  /** Data-set id → deployment id. */
  toConvex: Map<string, string>;
  /** Deployment id → data-set id. */
  fromConvex: Map<string, string>;
  /** Data-set ids per physical table, in data-set order. */
  idsByTable: Record<string, string[]>;
}

/** Inserts the data set `options` describe, at most `batchSize` documents per transaction. */
export async function seedConvex(harness: ConvexHarness, options: SeedDatasetOptions, batchSize = 2_000): Promise<ConvexSeed> {
  const toConvex = new Map<string, string>();
  const fromConvex = new Map<string, string>();
  const idsByTable: Record<string, string[]> = {};
  const pending: { table: string; id: string; fields: Record<string, ConvexValue> }[] = [];
  const flush = async () => {
    const batch = pending.splice(0, pending.length);
    await harness.t.run(async (ctx) => {
      for (const { table, id, fields } of batch) {
        const resolved: Record<string, ConvexValue> = { ...fields };
        for (const field of REFERENCE_FIELDS) {
          const value = resolved[field];
          if (typeof value === 'string' && toConvex.has(value)) resolved[field] = toConvex.get(value)!;
        }
        // Recorded at once: later documents of the same batch may reference this one.
        const assigned = await ctx.db.insert(table as 'entities', resolved as never);
        toConvex.set(id, assigned);
        fromConvex.set(assigned, id);
      }
    });
  };
  const summary = await generateSeedDataset(options, async (batch) => {
    for (const text of batch.documents.texts) {
      const { _id, _creationTime, ...fields } = parseDocument(text, 'uniform');
      void _creationTime;
      pending.push({ table: batch.physical, id: _id, fields });
      (idsByTable[batch.physical] ??= []).push(_id);
    }
    if (pending.length >= batchSize) await flush();
  });
  if (pending.length > 0) await flush();
  return { summary, toConvex, fromConvex, idsByTable };
}

/** A value with every deployment id (as a string or an object key) replaced by its data-set id. */
export function toDatasetIds<T>(value: T, fromConvex: Map<string, string>): T {
  const map = (item: unknown): unknown => {
    // Ids also appear inside issue descriptions: map every word that is a deployment id.
    if (typeof item === 'string') return item.replace(/[A-Za-z0-9]+/g, (word) => fromConvex.get(word) ?? word);
    if (Array.isArray(item)) return item.map(map);
    if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, inner]) => [fromConvex.get(key) ?? key, map(inner)]));
    return item;
  };
  return map(value) as T;
}
