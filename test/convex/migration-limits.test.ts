// @vitest-environment edge-runtime
/**
 * The migration, its exact undo and event archival on tables larger than one Convex transaction can read, with
 * the test deployment enforcing HALF of Convex's limits (so every call is shown to stay within half of each),
 * driven through `ConvexHttpClient` as the bot drives a real deployment; and a batch deliberately larger than
 * the bounds, which the same deployment refuses with a limit error.
 */
import { describe, expect, it } from 'vitest';
import type { ConvexDocument } from '../../src/ontology/values.ts';
import type { OntologyTable } from '../../src/ontology/naming.ts';
import { MIGRATED_TABLES, type LeaseFence, type MigratedTable } from '../../src/migration/port.ts';
import { ConvexMigrationStore } from '../../src/store/convex/migration-store.ts';
import { ConvexEventArchive } from '../../src/store/convex/event-archive.ts';
import { applyBatchIn, BATCH_BOUNDS } from '../../convex/migration.ts';
import { convexParts } from './parts.ts';

/** Half of each of Convex's per-transaction limits: what every function promises to stay within. */
const HALF_OF_CONVEX_LIMITS = {
  databaseQueries: 2_048,
  documentsRead: 16_000,
  bytesRead: 8 * 1024 * 1024,
  documentsWritten: 8_000,
  bytesWritten: 8 * 1024 * 1024,
};

const ENTITIES = Number(process.env.CONVEX_LIMITS_ENTITIES ?? 11_000);
const CONNECTIONS = ENTITIES * 3;
const EVENTS = (ENTITIES * 3) / 2;
const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const FENCE: LeaseFence = { name: 'v1-migration', holder: 'limits-test', ttlMs: 600_000, now: NOW };
/** Documents inserted per seeding transaction (within half the write limit). */
const SEED_CHUNK = 4_000;

type Parts = ReturnType<typeof convexParts>;

/**
 * Sizes: 11,000 entities, 33,000 connections (more than the 32,000 documents one transaction may read at all)
 * and 16,500 events (more than half of it); `CONVEX_LIMITS_ENTITIES` (a multiple of 4) shrinks them to try a change quickly.
 */
/** Seeds pre-v1 data: entities in 20 groups (every 4th without a group and every 2nd without a schemaVersion), connections and events without groupIds. */
async function seed(parts: Parts): Promise<{ groups: string[]; entities: string[] }> {
  const { t } = parts.harness;
  const groups = await t.run(async (ctx) => {
    const ids: string[] = [];
    for (let index = 0; index < 20; index++) ids.push(await ctx.db.insert('groups', { slug: `g${index}`, name: `g${index}`, type: 'organization', status: 'active' }));
    return ids;
  });
  const entities: string[] = [];
  for (let start = 0; start < ENTITIES; start += SEED_CHUNK) {
    entities.push(
      ...(await t.run(async (ctx) => {
        const ids: string[] = [];
        for (let index = start; index < Math.min(start + SEED_CHUNK, ENTITIES); index++) {
          ids.push(
            await ctx.db.insert('entities', {
              type: 'creator',
              name: `e${index}`,
              properties: {},
              ...(index % 4 === 0 ? {} : { groupId: groups[index % groups.length]! }),
              ...(index % 2 === 0 ? {} : { schemaVersion: 1 }),
            }),
          );
        }
        return ids;
      })),
    );
  }
  const insertMany = async (count: number, make: (index: number) => Record<string, unknown>, table: 'connections' | 'events') => {
    for (let start = 0; start < count; start += SEED_CHUNK) {
      await t.run(async (ctx) => {
        for (let index = start; index < Math.min(start + SEED_CHUNK, count); index++) await ctx.db.insert(table, make(index) as never);
      });
    }
  };
  await insertMany(CONNECTIONS, (index) => ({ fromEntityId: entities[(index * 7) % ENTITIES]!, toEntityId: entities[(index * 13 + 1) % ENTITIES]!, relationshipType: 'owns' }), 'connections');
  await insertMany(EVENTS, (index) => ({ type: 'entity_updated', actorId: entities[(index * 5) % ENTITIES]!, targetId: entities[(index * 11 + 3) % ENTITIES]!, timestamp: NOW - (index % 730) * DAY }), 'events');
  return { groups, entities };
}

/** Every document of the ontology tables, read through the adapter's bounded pages. */
async function snapshot(parts: Parts): Promise<Map<string, ConvexDocument>> {
  const out = new Map<string, ConvexDocument>();
  for (const table of ['groups', 'entities', 'connections', 'events'] as OntologyTable[]) {
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Parts['documents']['page']>> = await parts.documents.page(table, cursor, 4_000);
      for (const document of page.documents) out.set(`${table}/${document._id}`, document);
      cursor = page.continueCursor;
    } while (cursor !== null);
  }
  return out;
}

async function pendingTotal(port: ConvexMigrationStore, table: MigratedTable): Promise<number> {
  let total = 0;
  let page: string | null = null;
  do {
    const counts: Awaited<ReturnType<ConvexMigrationStore['countPendingPage']>> = await port.countPendingPage(table, null, page);
    total += counts.records;
    page = counts.continueCursor;
  } while (page !== null);
  return total;
}

describe(`Convex migration within half of every transaction limit (${ENTITIES} entities, ${CONNECTIONS} connections, ${EVENTS} events)`, () => {
  it('a complete migration, its exact undo and archival finish with no limit error; a too-large batch is refused', { timeout: 600_000 }, async () => {
    const parts = convexParts({ limits: HALF_OF_CONVEX_LIMITS });
    const port = new ConvexMigrationStore(parts.caller);
    const archive = new ConvexEventArchive(parts.caller);
    await seed(parts);
    // Larger than one transaction may read, even at the real limit (unless shrunk by hand to try a change quickly).
    if (process.env.CONVEX_LIMITS_ENTITIES === undefined) expect(CONNECTIONS).toBeGreaterThan(32_000);
    await parts.leases.acquireLease(FENCE.name, FENCE.holder, FENCE.ttlMs, NOW);
    const before = await snapshot(parts);

    // Entities needing a change: without a group (every 4th) or without a schemaVersion (every 2nd) = every 2nd.
    const expected = { entities: ENTITIES / 2, connections: CONNECTIONS, events: EVENTS, knowledge: 0 };
    for (const table of MIGRATED_TABLES) expect(await pendingTotal(port, table), table).toBe(expected[table]);

    // The migration.
    await port.createRun({ id: 'big', kind: 'migrate', state: 'migrating', actor: 'test', holder: FENCE.holder, startedAt: NOW, batchSize: port.maxBatchSize });
    const { defaultGroupId } = await port.beginRun({ runId: 'big', fence: FENCE, slug: 'legacy-default', group: { name: 'Legacy default', type: 'organization', status: 'active' }, event: { type: 'migration_started', timestamp: NOW, metadata: {} } });
    const changed: Record<string, number> = {};
    for (const table of MIGRATED_TABLES) {
      let cursor: string | null = null;
      changed[table] = 0;
      for (;;) {
        const batch: Awaited<ReturnType<ConvexMigrationStore['applyBatch']>> = await port.applyBatch({ runId: 'big', table, cursor, limit: port.maxBatchSize, defaultGroupId, fence: FENCE });
        changed[table] += batch.changed;
        cursor = batch.cursor;
        if (batch.finished) break;
      }
    }
    expect(changed).toEqual(expected);
    for (const table of MIGRATED_TABLES) expect(await pendingTotal(port, table), `${table} after the migration`).toBe(0);
    expect(await port.holdsWrittenValues('big')).toBe(true);
    const crossGroup = await port.crossGroupCreatedByRun('big');
    expect(crossGroup.connections).toBeGreaterThan(0);

    // The too-large batch: the same code with bounds past half the limits is refused by the deployment.
    await port.updateRun('big', { state: 'completed' });
    await expect(
      parts.harness.t.run(async (ctx) => {
        // Un-migrate enough connections for one oversized batch, in this same transaction, then batch them all.
        const connections = await ctx.db.query('connections').take(3_000);
        for (const connection of connections) await ctx.db.patch(connection._id, { groupId: undefined });
        await applyBatchIn(ctx.db, { runId: 'big', table: 'connections', cursor: null, limit: 3_000, defaultGroupId, fence: FENCE }, {
          maxRecords: 3_000,
          maxScan: 100_000,
          limits: { indexRanges: 1e9, documents: 1e9, bytes: 1e12, writtenDocuments: 1e9, writtenBytes: 1e12 },
        });
      }),
    ).rejects.toThrow(/Too many index ranges read/);
    // Through the port, a batch past the bounds is refused up front rather than attempted.
    await expect(port.applyBatch({ runId: 'big', table: 'connections', cursor: null, limit: BATCH_BOUNDS.maxRecords + 1, defaultGroupId, fence: FENCE })).rejects.toThrow(/batch size must be a whole number from 1 to 1000/);

    // The exact undo restores every document.
    await port.createRun({ id: 'undo', kind: 'undo', state: 'running', actor: 'test', holder: FENCE.holder, targetRunId: 'big', startedAt: NOW, batchSize: 1_000 });
    let cursor: string | null = null;
    let entries = 0;
    for (;;) {
      const batch: Awaited<ReturnType<ConvexMigrationStore['undoBatch']>> = await port.undoBatch({ targetRunId: 'big', cursor, limit: 1_000, conflictLimit: 10, defaultGroupId, apply: { undoRunId: 'undo', fence: FENCE } });
      entries += batch.entries;
      expect(batch.conflictCount).toBe(0);
      cursor = batch.cursor;
      if (batch.finished) break;
    }
    expect(entries).toBe(ENTITIES / 2 + CONNECTIONS + EVENTS);
    const undone = await snapshot(parts);
    for (const [key, document] of before) expect(undone.get(key), key).toEqual(document);

    // Archival: every event older than a year, in batches of the largest size the bot allows.
    const cutoff = NOW - 365 * DAY;
    const record = { groupId: defaultGroupId, at: NOW, eventId: null as string | null, metadata: { cutoff } };
    let archived = 0;
    for (;;) {
      const batch = await archive.archiveEventsBefore(cutoff, 5_000, record);
      record.eventId = batch.eventId;
      archived += batch.archived;
      if (batch.archived < 5_000) break;
    }
    const old = [...before.values()].filter((document) => document._id.length > 0 && typeof document.timestamp === 'number' && document.timestamp < cutoff).length;
    expect(archived).toBe(old);
    expect(parts.harness.requests.every((request) => request.ok)).toBe(true);
  });
});
