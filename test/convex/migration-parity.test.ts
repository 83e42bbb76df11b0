// @vitest-environment edge-runtime
/**
 * The same seeded data set through the SQLite and the Convex adapters gives identical metrics and identical
 * issue sets before the v1 migration, after it, and after its exact undo: both migration stores and both
 * check ports run the same shared rules. Ids differ between the stores, so issues are compared with every id
 * replaced by the name of the record it belongs to.
 */
import { describe, expect, it } from 'vitest';
import type { ConvexValue } from '../../src/ontology/values.ts';
import type { OntologyTable } from '../../src/ontology/naming.ts';
import { MIGRATED_TABLES, type LeaseFence, type MigrationStore } from '../../src/migration/port.ts';
import { createQualityService, type QualityService } from '../../src/quality/service.ts';
import type { DocumentStore, LeaseStore } from '../../src/store/port.ts';
import { ConvexMigrationStore } from '../../src/store/convex/migration-store.ts';
import { SqliteMigrationStore } from '../../src/store/sqlite/migration-store.ts';
import { SqliteCheckPort } from '../../src/store/sqlite/check-port.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { convexParts } from './parts.ts';

const NOW = 1_800_000_000_000;
const FENCE: LeaseFence = { name: 'v1-migration', holder: 'parity', ttlMs: 60_000, now: NOW };

interface Side {
  name: string;
  documents: DocumentStore;
  leases: LeaseStore;
  migrations: MigrationStore;
  quality: QualityService;
  /** Store id → the record's name in the data set. */
  names: Map<string, string>;
}

/** A legacy data set with every kind of defect; returns ids by name. */
async function seed(side: Side): Promise<void> {
  const add = async (name: string, table: OntologyTable, fields: Record<string, ConvexValue>) => {
    const id = (await side.documents.insert(table, fields))._id;
    side.names.set(id, name);
    return id;
  };
  const groups = [await add('g0', 'groups', { slug: 'acme', name: 'Acme', type: 'organization', status: 'active' }), await add('g1', 'groups', { slug: 'globex', name: 'Globex', type: 'organization', status: 'active' })];
  const entities: string[] = [];
  for (let index = 0; index < 40; index++) {
    const fields: Record<string, ConvexValue> = { type: index % 5 === 0 ? 'creator' : 'agent', name: `e${index}`, properties: index % 7 === 0 ? { email: 42 } : {}, createdAt: NOW - index, updatedAt: NOW - index };
    if (index % 3 !== 0) fields.groupId = groups[index % 2]!;
    if (index % 4 === 0) fields.schemaVersion = 1;
    entities.push(await add(`e${index}`, 'entities', fields));
  }
  for (let index = 0; index < 60; index++) {
    const fields: Record<string, ConvexValue> = { fromEntityId: entities[(index * 7) % 40]!, toEntityId: index % 11 === 0 ? 'missing-entity' : entities[(index * 3 + 1) % 40]!, relationshipType: 'owns', createdAt: NOW, updatedAt: NOW };
    if (index % 5 === 0) fields.groupId = groups[index % 2]!;
    await add(`c${index}`, 'connections', fields);
  }
  for (let index = 0; index < 30; index++) {
    const fields: Record<string, ConvexValue> = { type: index % 6 === 0 ? 'payment_event' : 'entity_updated', actorId: entities[(index * 5) % 40]!, targetId: entities[(index * 9 + 2) % 40]!, timestamp: NOW - index * 86_400_000, metadata: index % 6 === 0 ? { amount: 'x' } : {} };
    await add(`v${index}`, 'events', fields);
  }
  for (let index = 0; index < 10; index++) {
    await add(`k${index}`, 'knowledge', { knowledgeType: 'chunk', text: 't', ...(index % 3 === 0 ? {} : { sourceThingId: entities[index]! }), createdAt: NOW, updatedAt: NOW });
  }
  await side.leases.acquireLease(FENCE.name, FENCE.holder, FENCE.ttlMs, NOW);
}

/** Metrics and the full issue list, every store id replaced by its record's name. */
async function observe(side: Side): Promise<unknown> {
  const check = await side.quality.check({ now: NOW, limit: 10_000 });
  const metrics = await side.quality.metrics({ now: NOW });
  let text = JSON.stringify({ check, metrics });
  for (const [id, name] of side.names) text = text.split(id).join(name);
  return JSON.parse(text);
}

async function migrate(side: Side): Promise<void> {
  await side.migrations.createRun({ id: 'run', kind: 'migrate', state: 'migrating', actor: 'parity', holder: FENCE.holder, startedAt: NOW, batchSize: 7 });
  const begun = await side.migrations.beginRun({ runId: 'run', fence: FENCE, slug: 'legacy-default', group: { name: 'Legacy default', type: 'organization', status: 'active' }, event: { type: 'migration_started', timestamp: NOW, metadata: {} } });
  side.names.set(begun.defaultGroupId, 'legacy-default');
  for (const table of MIGRATED_TABLES) {
    let cursor: string | null = null;
    for (;;) {
      const batch: Awaited<ReturnType<MigrationStore['applyBatch']>> = await side.migrations.applyBatch({ runId: 'run', table, cursor, limit: 7, defaultGroupId: begun.defaultGroupId, fence: FENCE });
      cursor = batch.cursor;
      if (batch.finished) break;
    }
  }
}

async function undo(side: Side): Promise<void> {
  await side.migrations.createRun({ id: 'undo', kind: 'undo', state: 'running', actor: 'parity', holder: FENCE.holder, targetRunId: 'run', startedAt: NOW, batchSize: 9 });
  let cursor: string | null = null;
  for (;;) {
    const batch: Awaited<ReturnType<MigrationStore['undoBatch']>> = await side.migrations.undoBatch({ targetRunId: 'run', cursor, limit: 9, conflictLimit: 10, defaultGroupId: null, apply: { undoRunId: 'undo', fence: FENCE } });
    cursor = batch.cursor;
    if (batch.finished) break;
  }
}

describe('SQLite and Convex adapters agree', () => {
  it('identical metrics and issue sets before the migration, after it, and after its exact undo', { timeout: 120_000 }, async () => {
    const { store } = tempStore();
    const sqlite: Side = {
      name: 'SQLite',
      documents: store,
      leases: store,
      migrations: new SqliteMigrationStore(store, { pageRows: 5 }),
      quality: createQualityService({ checks: new SqliteCheckPort(store, { useWorker: false }), documents: store }),
      names: new Map(),
    };
    const parts = convexParts({ recordsPerPage: 13 });
    const convex: Side = { name: 'Convex', documents: parts.documents, leases: parts.leases, migrations: new ConvexMigrationStore(parts.caller), quality: createQualityService({ checks: parts.checks, documents: parts.documents }), names: new Map() };
    for (const side of [sqlite, convex]) await seed(side);

    const before = await observe(sqlite);
    expect((before as { check: { summary: { totalIssues: number } } }).check.summary.totalIssues).toBeGreaterThan(20);
    expect(await observe(convex)).toEqual(before);

    for (const side of [sqlite, convex]) await migrate(side);
    const migrated = await observe(sqlite);
    expect(migrated).not.toEqual(before);
    expect(await observe(convex)).toEqual(migrated);

    for (const side of [sqlite, convex]) await undo(side);
    const undone = await observe(sqlite);
    expect(await observe(convex)).toEqual(undone);
  });
});
