// @vitest-environment edge-runtime
/**
 * Documents of up to Convex's 1 MiB maximum through the checks, the migration, its exact undo and archival,
 * with the test deployment enforcing HALF of Convex's limits (so "within half of every limit" is what the test
 * asserts, not a claim), driven through `ConvexHttpClient` as the bot drives a real deployment, and compared
 * with the SQLite adapter on the same data: equal results, every call within half of every limit.
 */
import { describe, expect, it } from 'vitest';
import type { ConvexValue } from '../../src/ontology/values.ts';
import type { OntologyTable } from '../../src/ontology/naming.ts';
import { MIGRATED_TABLES, type LeaseFence, type MigrationStore } from '../../src/migration/port.ts';
import type { EventArchiveStore } from '../../monitors/ports.ts';
import { createQualityService, type QualityService } from '../../src/quality/service.ts';
import type { DocumentStore, LeaseStore } from '../../src/store/port.ts';
import { ConvexMigrationStore } from '../../src/store/convex/migration-store.ts';
import { ConvexEventArchive } from '../../src/store/convex/event-archive.ts';
import { SqliteMigrationStore } from '../../src/store/sqlite/migration-store.ts';
import { SqliteCheckPort } from '../../src/store/sqlite/check-port.ts';
import { SqliteEventArchive } from '../../src/store/sqlite/sqlite-event-archive.ts';
import { tempStore } from '../helpers/temp-store.ts';
import type { CallUsage, ConvexHarness } from './harness.ts';
import { convexParts } from './parts.ts';

/** Half of each of Convex's per-transaction limits. */
const HALF_OF_CONVEX_LIMITS = {
  databaseQueries: 2_048,
  documentsRead: 16_000,
  bytesRead: 8 * 1024 * 1024,
  documentsWritten: 8_000,
  bytesWritten: 8 * 1024 * 1024,
};
/** Convex's own limits, to report each call's share of them. */
const CONVEX_LIMITS: Record<keyof Omit<CallUsage, 'path'>, number> = {
  databaseQueries: 4_096,
  documentsRead: 32_000,
  bytesRead: 16 * 1024 * 1024,
  documentsWritten: 16_000,
  bytesWritten: 16 * 1024 * 1024,
};

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const FENCE: LeaseFence = { name: 'v1-migration', holder: 'large-documents', ttlMs: 600_000, now: NOW };
/** Connections referencing the 1 MB entities (`LARGE_DOCUMENTS_CONNECTIONS`, a multiple of 1,000, shrinks it to try a change quickly). */
const CONNECTIONS = Number(process.env.LARGE_DOCUMENTS_CONNECTIONS ?? 2_000);
/** Just under Convex's 1 MiB document maximum, with the other fields. */
const MEGABYTE_TEXT = 'x'.repeat(1_000_000);

interface Side {
  documents: DocumentStore;
  leases: LeaseStore;
  migrations: MigrationStore;
  archive: EventArchiveStore;
  quality: QualityService;
  /** Store id → the record's name in the data set. */
  names: Map<string, string>;
  harness?: ConvexHarness;
}

function sides(): Side[] {
  const { store } = tempStore();
  const sqlite: Side = {
    documents: store,
    leases: store,
    migrations: new SqliteMigrationStore(store),
    archive: new SqliteEventArchive(store),
    quality: createQualityService({ checks: new SqliteCheckPort(store, { useWorker: false }), documents: store }),
    names: new Map(),
  };
  const parts = convexParts({ limits: HALF_OF_CONVEX_LIMITS, meter: true });
  const convex: Side = {
    documents: parts.documents,
    leases: parts.leases,
    migrations: new ConvexMigrationStore(parts.caller),
    archive: new ConvexEventArchive(parts.caller),
    quality: createQualityService({ checks: parts.checks, documents: parts.documents }),
    names: new Map(),
    harness: parts.harness,
  };
  return [sqlite, convex];
}

async function add(side: Side, name: string, table: OntologyTable, fields: Record<string, ConvexValue>): Promise<string> {
  const id = (await side.documents.insert(table, fields))._id;
  side.names.set(id, name);
  return id;
}

/**
 * Metrics and the full issue list, every store id replaced by its record's name (the audit events the stores
 * write themselves have none: their ids, 32 characters in both stores, become `unnamed`).
 */
async function observe(side: Side): Promise<unknown> {
  const check = await side.quality.check({ now: NOW, limit: 10_000 });
  const metrics = await side.quality.metrics({ now: NOW });
  let text = JSON.stringify({ check, metrics });
  for (const [id, name] of side.names) text = text.split(id).join(name);
  return JSON.parse(text.replace(/\b[a-z0-9]{32}\b/g, 'unnamed'));
}

/** Runs the migration to the end in batches of the largest size; the number of batches. */
async function migrate(side: Side): Promise<{ defaultGroupId: string; batches: number }> {
  const limit = side.migrations.maxBatchSize;
  await side.migrations.createRun({ id: 'run', kind: 'migrate', state: 'migrating', actor: 'test', holder: FENCE.holder, startedAt: NOW, batchSize: limit });
  const { defaultGroupId } = await side.migrations.beginRun({ runId: 'run', fence: FENCE, slug: 'legacy-default', group: { name: 'Legacy default', type: 'organization', status: 'active' }, event: { type: 'migration_started', timestamp: NOW, metadata: {} } });
  side.names.set(defaultGroupId, 'legacy-default');
  let batches = 0;
  for (const table of MIGRATED_TABLES) {
    let cursor: string | null = null;
    for (;;) {
      const batch: Awaited<ReturnType<MigrationStore['applyBatch']>> = await side.migrations.applyBatch({ runId: 'run', table, cursor, limit, defaultGroupId, fence: FENCE });
      batches++;
      cursor = batch.cursor;
      if (batch.finished) break;
    }
  }
  await side.migrations.updateRun('run', { state: 'completed' });
  return { defaultGroupId, batches };
}

/** The exact undo of `run`, finished: what `finishUndo` says. */
async function undo(side: Side, defaultGroupId: string) {
  await side.migrations.createRun({ id: 'undo', kind: 'undo', state: 'running', actor: 'test', holder: FENCE.holder, targetRunId: 'run', startedAt: NOW, batchSize: 1_000 });
  let cursor: string | null = null;
  for (;;) {
    const batch: Awaited<ReturnType<MigrationStore['undoBatch']>> = await side.migrations.undoBatch({ targetRunId: 'run', cursor, limit: 1_000, conflictLimit: 10, defaultGroupId, apply: { undoRunId: 'undo', fence: FENCE } });
    expect(batch.conflictCount).toBe(0);
    cursor = batch.cursor;
    if (batch.finished) break;
  }
  return side.migrations.finishUndo({ undoRunId: 'undo', targetRunId: 'run', fence: FENCE, finishedAt: NOW + 1, clearV1Marker: true, event: { type: 'rollback_completed', groupId: null, timestamp: NOW + 1, metadata: {} } });
}

/** Each function's largest share of each of Convex's limits over the calls `usage` recorded. */
function largestShares(usage: CallUsage[]): Map<string, Record<string, number>> {
  const shares = new Map<string, Record<string, number>>();
  for (const call of usage) {
    const row = shares.get(call.path) ?? {};
    for (const [key, limit] of Object.entries(CONVEX_LIMITS)) row[key] = Math.max(row[key] ?? 0, call[key as keyof typeof CONVEX_LIMITS] / limit);
    shares.set(call.path, row);
  }
  return shares;
}

function expectWithinHalf(harness: ConvexHarness): void {
  expect(harness.requests.filter((request) => !request.ok)).toEqual([]);
  const shares = largestShares(harness.usage);
  if (process.env.CONVEX_LIMIT_SHARES) {
    for (const [path, row] of shares) console.log(path.padEnd(36), Object.entries(row).map(([key, share]) => `${key} ${(share * 100).toFixed(1)}%`).join('  '));
  }
  for (const [path, row] of shares) for (const [key, share] of Object.entries(row)) expect(share, `${path} ${key}`).toBeLessThanOrEqual(0.5);
}

describe('documents of up to 1 MiB, within half of every Convex limit', () => {
  it.each([
    { nonMigrationEvents: 0, why: 'only the migration own events: the group goes, as SQLite removes it' },
    { nonMigrationEvents: 1, why: 'one other event after them: the group stays, one reference' },
  ])('the exact undo finishes past 17 × 1 MB and 1,001 × 15 KB events of the legacy-default group ($why)', { timeout: 600_000 }, async ({ nonMigrationEvents }) => {
    const outcomes: unknown[] = [];
    for (const side of sides()) {
      await add(side, 'acme', 'groups', { slug: 'acme', name: 'Acme', type: 'organization', status: 'active' });
      const entities: string[] = [];
      for (let index = 0; index < 10; index++) entities.push(await add(side, `e${index}`, 'entities', { type: 'agent', name: `e${index}`, properties: {} }));
      for (let index = 0; index < 20; index++) await add(side, `c${index}`, 'connections', { fromEntityId: entities[index % 10]!, toEntityId: entities[(index + 3) % 10]!, relationshipType: 'owns' });
      await side.leases.acquireLease(FENCE.name, FENCE.holder, FENCE.ttlMs, NOW);
      const { defaultGroupId } = await migrate(side);
      for (let index = 0; index < 17; index++) await add(side, `big${index}`, 'events', { type: 'migration_completed', groupId: defaultGroupId, timestamp: NOW, metadata: { note: MEGABYTE_TEXT } });
      for (let index = 0; index < 1_001; index++) await add(side, `mid${index}`, 'events', { type: 'migration_started', groupId: defaultGroupId, timestamp: NOW, metadata: { note: MEGABYTE_TEXT.slice(0, 15_000) } });
      for (let index = 0; index < nonMigrationEvents; index++) await add(side, `other${index}`, 'events', { type: 'entity_updated', groupId: defaultGroupId, timestamp: NOW, metadata: {} });
      const finished = await undo(side, defaultGroupId);
      const group = await side.documents.get('groups', defaultGroupId);
      const run = await side.migrations.getRun('undo');
      outcomes.push({ finished, groupKept: group !== null, undoState: run?.state, observed: await observe(side) });
      if (side.harness) expectWithinHalf(side.harness);
    }
    expect(outcomes[0]).toMatchObject({ finished: { removed: nonMigrationEvents === 0, references: nonMigrationEvents, cleared: false }, groupKept: nonMigrationEvents > 0, undoState: 'completed' });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('1 MB entities referenced by thousands of connections and events: check, migration, undo and archival equal SQLite', { timeout: 900_000 }, async () => {
    const results: Record<string, unknown>[] = [];
    for (const side of sides()) {
      const result: Record<string, unknown> = {};
      const acme = await add(side, 'acme', 'groups', { slug: 'acme', name: 'Acme', type: 'organization', status: 'active' });
      const entities: string[] = [];
      // Two of them in no group, none with a schemaVersion: the migration patches all four, each ~1 MB.
      for (let index = 0; index < 4; index++) {
        entities.push(await add(side, `e${index}`, 'entities', { type: 'agent', name: `e${index}`, properties: { note: MEGABYTE_TEXT }, ...(index % 2 === 0 ? {} : { groupId: acme }) }));
      }
      for (let index = 0; index < CONNECTIONS; index++) await add(side, `c${index}`, 'connections', { fromEntityId: entities[index % 4]!, toEntityId: entities[(index * 3 + 1) % 4]!, relationshipType: 'owns' });
      for (let index = 0; index < 1_500; index++) await add(side, `v${index}`, 'events', { type: 'entity_updated', actorId: entities[index % 4]!, targetId: entities[(index + 3) % 4]!, timestamp: NOW - (index % 730) * DAY });
      for (let index = 0; index < 10; index++) await add(side, `bigEvent${index}`, 'events', { type: 'entity_updated', actorId: entities[index % 4]!, timestamp: NOW - 400 * DAY - index, metadata: { note: MEGABYTE_TEXT } });
      await side.leases.acquireLease(FENCE.name, FENCE.holder, FENCE.ttlMs, NOW);
      result.before = await observe(side);
      const { defaultGroupId, batches } = await migrate(side);
      result.migrated = await observe(side);
      result.crossGroup = await side.migrations.crossGroupCreatedByRun('run');
      result.finished = await undo(side, defaultGroupId);
      result.undone = await observe(side);
      const cutoff = NOW - 365 * DAY;
      const record = { groupId: 'ops', at: NOW, eventId: null as string | null, metadata: { cutoff } };
      let archived = 0;
      for (;;) {
        const batch = await side.archive.archiveEventsBefore(cutoff, 5_000, record);
        record.eventId = batch.eventId;
        archived += batch.archived;
        if (batch.archived === 0) break;
      }
      result.archived = archived;
      results.push(result);
      if (side.harness) {
        expectWithinHalf(side.harness);
        // Large endpoints do not multiply the calls: the four 1 MB entities are read once per call, not per record.
        expect(batches).toBeLessThan(16);
      }
    }
    // Older than a year: 2 × 364 of the 1,500 small events (days 366–729 of each 730) and the ten 1 MB ones.
    expect(results[0]!.archived).toBe(2 * 364 + 10);
    expect(results[1]).toEqual(results[0]);
  });
});
