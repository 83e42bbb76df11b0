// @vitest-environment edge-runtime
/**
 * `fix orphans` and its exact undo on tables larger than one Convex transaction may read at half the limit,
 * with the test deployment enforcing HALF of Convex's limits (so every call of `convex/fix.ts` is shown to stay
 * within half of each), driven through the composition root's backend as the CLI drives a real deployment.
 */
import { describe, expect, it } from 'vitest';
import { convexBackend } from '../../src/backend.ts';
import { ConvexFixStore } from '../../src/store/convex/fix-store.ts';
import { convexParts } from './parts.ts';

/** Half of each of Convex's per-transaction limits: what every function promises to stay within. */
const HALF_OF_CONVEX_LIMITS = { databaseQueries: 2_048, documentsRead: 16_000, bytesRead: 8 * 1024 * 1024, documentsWritten: 8_000, bytesWritten: 8 * 1024 * 1024 };

const ENTITIES = Number(process.env.FIX_LIMITS_ENTITIES ?? 3_400);
/** More connections than one call may read at half the limit (16,000), unless shrunk by hand. */
const CONNECTIONS = ENTITIES * 5;
const KNOWLEDGE = ENTITIES;
const SEED_CHUNK = 4_000;

describe(`Convex fix orphans within half of every transaction limit (${CONNECTIONS} connections)`, () => {
  it('plans, runs and undoes with no limit error, every call metered within half', { timeout: 600_000 }, async () => {
    const parts = convexParts({ limits: HALF_OF_CONVEX_LIMITS, meter: true });
    const { t } = parts.harness;
    const group = await t.run(async (ctx) => ctx.db.insert('groups', { slug: 'g', name: 'g', type: 'organization', status: 'active' }));
    const entities: string[] = [];
    for (let start = 0; start < ENTITIES; start += SEED_CHUNK) {
      entities.push(
        ...(await t.run(async (ctx) => {
          const ids: string[] = [];
          for (let index = start; index < Math.min(start + SEED_CHUNK, ENTITIES); index++) ids.push(await ctx.db.insert('entities', { groupId: group, type: 'creator', name: `e${index}`, properties: {}, schemaVersion: 1 }));
          return ids;
        })),
      );
    }
    const insertMany = async (count: number, make: (index: number) => Record<string, unknown>, table: 'connections' | 'knowledge') => {
      for (let start = 0; start < count; start += SEED_CHUNK) {
        await t.run(async (ctx) => {
          for (let index = start; index < Math.min(start + SEED_CHUNK, count); index++) await ctx.db.insert(table, make(index) as never);
        });
      }
    };
    await insertMany(CONNECTIONS, (index) => ({ groupId: group, fromEntityId: entities[index % ENTITIES]!, toEntityId: entities[(index * 7 + 1) % ENTITIES]!, relationshipType: 'owns' }), 'connections');
    await insertMany(KNOWLEDGE, (index) => ({ groupId: group, knowledgeType: 'chunk', text: `k${index}`, sourceThingId: entities[index]! }), 'knowledge');
    // Every 10th entity is deleted: connections and knowledge naming one are orphaned.
    await t.run(async (ctx) => {
      for (let index = 0; index < ENTITIES; index += 10) await ctx.db.delete(entities[index] as never);
    });
    const dead = new Set(entities.filter((_, index) => index % 10 === 0));
    let orphanedConnections = 0;
    for (let index = 0; index < CONNECTIONS; index++) if (dead.has(entities[index % ENTITIES]!) || dead.has(entities[(index * 7 + 1) % ENTITIES]!)) orphanedConnections++;

    const backend = convexBackend({ url: parts.harness.url, deployKey: parts.harness.deployKey, fetch: parts.harness.fetch, sleep: async () => undefined });
    const service = backend.fixes({ backupDir: '/nonexistent-never-written' });
    const plan = await service.plan('orphans', { idLimit: 0 });
    expect(plan.counts).toEqual({ connections: orphanedConnections, knowledge: KNOWLEDGE / 10 });
    const run = await service.run('orphans', { actor: 'limits', backup: false, batchSize: 1_000 });
    expect(run).toMatchObject({ status: 'completed', changed: { connections: orphanedConnections, knowledge: KNOWLEDGE / 10 } });
    const undo = await service.undo(run.runId!, { actor: 'limits', batchSize: 1_000 });
    expect(undo).toMatchObject({ status: 'completed', reverted: orphanedConnections + KNOWLEDGE / 10, conflictCount: 0 });
    expect((await service.plan('orphans', { idLimit: 0 })).counts).toEqual(plan.counts);

    const fixCalls = parts.harness.usage.filter((call) => call.path.startsWith('fix:'));
    expect(new Set(fixCalls.map((call) => call.path))).toEqual(new Set(['fix:orphanPage', 'fix:applyOrphanBatch', 'fix:undoFixBatch', 'fix:finishFixUndo']));
    for (const call of fixCalls) {
      expect(call.databaseQueries, call.path).toBeLessThanOrEqual(HALF_OF_CONVEX_LIMITS.databaseQueries);
      expect(call.documentsRead, call.path).toBeLessThanOrEqual(HALF_OF_CONVEX_LIMITS.documentsRead);
      expect(call.bytesRead, call.path).toBeLessThanOrEqual(HALF_OF_CONVEX_LIMITS.bytesRead);
      expect(call.documentsWritten, call.path).toBeLessThanOrEqual(HALF_OF_CONVEX_LIMITS.documentsWritten);
    }
    await expect(new ConvexFixStore(parts.caller).applyOrphanBatch({ runId: run.runId!, table: 'connections', groupId: null, cursor: null, limit: 1_001, fence: { name: 'v1-migration', holder: 'x', ttlMs: 1, now: 1 } })).rejects.toThrow(/batch size must be a whole number from 1 to 1000/);
  });
});
