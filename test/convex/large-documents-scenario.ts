/**
 * The large-document scenarios (documents up to Convex's 1 MiB maximum) that `test/convex/large-documents.test.ts`
 * runs against both adapters and `npm run bench`'s `convex-large-documents` phase measures
 * (`bench/convex/large-documents-phase.vitest.ts`): an exact undo past 17 × 1 MB and 1,001 × 15 KB events of the
 * legacy-default group, and four 1 MB entities referenced by thousands of connections and events through check,
 * migration, undo and archival. Each drives the ports as the bot does and returns what it observed, store ids
 * replaced by record names, so two adapters' results compare equal.
 */
import type { EventArchiveStore } from '../../monitors/ports.ts';
import { MIGRATED_TABLES, type LeaseFence, type MigrationStore } from '../../src/migration/port.ts';
import type { OntologyTable } from '../../src/ontology/naming.ts';
import type { ConvexValue } from '../../src/ontology/values.ts';
import { createQualityService, type QualityService } from '../../src/quality/service.ts';
import { ConvexEventArchive } from '../../src/store/convex/event-archive.ts';
import { ConvexMigrationStore } from '../../src/store/convex/migration-store.ts';
import type { DocumentStore, LeaseStore } from '../../src/store/port.ts';
import { SqliteCheckPort } from '../../src/store/sqlite/check-port.ts';
import { SqliteMigrationStore } from '../../src/store/sqlite/migration-store.ts';
import { SqliteEventArchive } from '../../src/store/sqlite/sqlite-event-archive.ts';
import { tempStore } from '../helpers/temp-store.ts';
import type { CallUsage, ConvexHarness, HarnessLimits } from './harness.ts';
import { convexParts } from './parts.ts';

/** Half of each of Convex's per-transaction limits. */
export const HALF_OF_CONVEX_LIMITS = {
  databaseQueries: 2_048,
  documentsRead: 16_000,
  bytesRead: 8 * 1024 * 1024,
  documentsWritten: 8_000,
  bytesWritten: 8 * 1024 * 1024,
};
/** Convex's own limits, to report each call's share of them. */
export const CONVEX_LIMITS: Record<keyof Omit<CallUsage, 'path'>, number> = {
  databaseQueries: 4_096,
  documentsRead: 32_000,
  bytesRead: 16 * 1024 * 1024,
  documentsWritten: 16_000,
  bytesWritten: 16 * 1024 * 1024,
};

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const FENCE: LeaseFence = { name: 'v1-migration', holder: 'large-documents', ttlMs: 600_000, now: NOW };
/** Just under Convex's 1 MiB document maximum, with the other fields. */
const MEGABYTE_TEXT = 'x'.repeat(1_000_000);

/** One adapter's ports the scenarios drive. */
export interface Side {
  documents: DocumentStore;
  leases: LeaseStore;
  migrations: MigrationStore;
  archive: EventArchiveStore;
  quality: QualityService;
  /** Store id → the record's name in the data set. */
  names: Map<string, string>;
  harness?: ConvexHarness;
}

/** The SQLite adapter over a temporary store file. */
export function sqliteSide(): Side {
  const { store } = tempStore();
  return {
    documents: store,
    leases: store,
    migrations: new SqliteMigrationStore(store),
    archive: new SqliteEventArchive(store),
    quality: createQualityService({ checks: new SqliteCheckPort(store, { useWorker: false }), documents: store }),
    names: new Map(),
  };
}

/** The Convex adapter over a metered test deployment enforcing `limits`. */
export function convexSide(limits: HarnessLimits): Side {
  const parts = convexParts({ limits, meter: true });
  return {
    documents: parts.documents,
    leases: parts.leases,
    migrations: new ConvexMigrationStore(parts.caller),
    archive: new ConvexEventArchive(parts.caller),
    quality: createQualityService({ checks: parts.checks, documents: parts.documents }),
    names: new Map(),
    harness: parts.harness,
  };
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

/** The exact undo of `run`, finished: what `finishUndo` says, and the conflicts its batches found. */
async function undo(side: Side, defaultGroupId: string) {
  await side.migrations.createRun({ id: 'undo', kind: 'undo', state: 'running', actor: 'test', holder: FENCE.holder, targetRunId: 'run', startedAt: NOW, batchSize: 1_000 });
  let cursor: string | null = null;
  let conflicts = 0;
  for (;;) {
    const batch: Awaited<ReturnType<MigrationStore['undoBatch']>> = await side.migrations.undoBatch({ targetRunId: 'run', cursor, limit: 1_000, conflictLimit: 10, defaultGroupId, apply: { undoRunId: 'undo', fence: FENCE } });
    conflicts += batch.conflictCount;
    cursor = batch.cursor;
    if (batch.finished) break;
  }
  const finished = await side.migrations.finishUndo({ undoRunId: 'undo', targetRunId: 'run', fence: FENCE, finishedAt: NOW + 1, clearV1Marker: true, event: { type: 'rollback_completed', groupId: null, timestamp: NOW + 1, metadata: {} } });
  return { finished, conflicts };
}

/**
 * The exact undo after the migration when the legacy-default group holds 17 × 1 MB and 1,001 × 15 KB events (and
 * `nonMigrationEvents` other events that keep the group): what the undo said, whether the group stayed, the undo
 * run's state, and the check and metrics after it.
 */
export async function legacyDefaultUndo(side: Side, nonMigrationEvents: number): Promise<Record<string, unknown>> {
  await add(side, 'acme', 'groups', { slug: 'acme', name: 'Acme', type: 'organization', status: 'active' });
  const entities: string[] = [];
  for (let index = 0; index < 10; index++) entities.push(await add(side, `e${index}`, 'entities', { type: 'agent', name: `e${index}`, properties: {} }));
  for (let index = 0; index < 20; index++) await add(side, `c${index}`, 'connections', { fromEntityId: entities[index % 10]!, toEntityId: entities[(index + 3) % 10]!, relationshipType: 'owns' });
  await side.leases.acquireLease(FENCE.name, FENCE.holder, FENCE.ttlMs, NOW);
  const { defaultGroupId } = await migrate(side);
  for (let index = 0; index < 17; index++) await add(side, `big${index}`, 'events', { type: 'migration_completed', groupId: defaultGroupId, timestamp: NOW, metadata: { note: MEGABYTE_TEXT } });
  for (let index = 0; index < 1_001; index++) await add(side, `mid${index}`, 'events', { type: 'migration_started', groupId: defaultGroupId, timestamp: NOW, metadata: { note: MEGABYTE_TEXT.slice(0, 15_000) } });
  for (let index = 0; index < nonMigrationEvents; index++) await add(side, `other${index}`, 'events', { type: 'entity_updated', groupId: defaultGroupId, timestamp: NOW, metadata: {} });
  const { finished, conflicts } = await undo(side, defaultGroupId);
  const group = await side.documents.get('groups', defaultGroupId);
  const run = await side.migrations.getRun('undo');
  return { finished, conflicts, groupKept: group !== null, undoState: run?.state, observed: await observe(side) };
}

/**
 * Four 1 MB entities (two in no group) referenced by `connections` connections and 1,500 events, plus ten 1 MB
 * events older than a year: the check and metrics before, after the migration and after its exact undo, the
 * cross-group references the run created, and the events archival archived. `batches`: the migration's batch calls.
 */
export async function largeEntities(side: Side, connections: number): Promise<{ result: Record<string, unknown>; batches: number }> {
  const result: Record<string, unknown> = {};
  const acme = await add(side, 'acme', 'groups', { slug: 'acme', name: 'Acme', type: 'organization', status: 'active' });
  const entities: string[] = [];
  // Two of them in no group, none with a schemaVersion: the migration patches all four, each ~1 MB.
  for (let index = 0; index < 4; index++) {
    entities.push(await add(side, `e${index}`, 'entities', { type: 'agent', name: `e${index}`, properties: { note: MEGABYTE_TEXT }, ...(index % 2 === 0 ? {} : { groupId: acme }) }));
  }
  for (let index = 0; index < connections; index++) await add(side, `c${index}`, 'connections', { fromEntityId: entities[index % 4]!, toEntityId: entities[(index * 3 + 1) % 4]!, relationshipType: 'owns' });
  for (let index = 0; index < 1_500; index++) await add(side, `v${index}`, 'events', { type: 'entity_updated', actorId: entities[index % 4]!, targetId: entities[(index + 3) % 4]!, timestamp: NOW - (index % 730) * DAY });
  for (let index = 0; index < 10; index++) await add(side, `bigEvent${index}`, 'events', { type: 'entity_updated', actorId: entities[index % 4]!, timestamp: NOW - 400 * DAY - index, metadata: { note: MEGABYTE_TEXT } });
  await side.leases.acquireLease(FENCE.name, FENCE.holder, FENCE.ttlMs, NOW);
  result.before = await observe(side);
  const { defaultGroupId, batches } = await migrate(side);
  result.migrated = await observe(side);
  result.crossGroup = await side.migrations.crossGroupCreatedByRun('run');
  const undone = await undo(side, defaultGroupId);
  result.finished = undone.finished;
  result.undoConflicts = undone.conflicts;
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
  return { result, batches };
}

/** Each function's largest share (0–1) of each of Convex's limits over the calls `usage` recorded. */
export function largestShares(usage: readonly CallUsage[]): Map<string, Record<keyof typeof CONVEX_LIMITS, number>> {
  const shares = new Map<string, Record<keyof typeof CONVEX_LIMITS, number>>();
  for (const call of usage) {
    const row = shares.get(call.path) ?? { databaseQueries: 0, documentsRead: 0, bytesRead: 0, documentsWritten: 0, bytesWritten: 0 };
    for (const [key, limit] of Object.entries(CONVEX_LIMITS) as [keyof typeof CONVEX_LIMITS, number][]) row[key] = Math.max(row[key], call[key] / limit);
    shares.set(call.path, row);
  }
  return shares;
}
