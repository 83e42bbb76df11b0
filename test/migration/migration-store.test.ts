import { describe, expect, it } from 'vitest';
import { parseDocument, stringifyUniform } from '../../src/ontology/values.ts';
import { MIGRATED_TABLES, type MigratedTable } from '../../src/migration/port.ts';
import { LeaseLostError, SqliteMigrationStore } from '../../src/store/sqlite/migration-store.ts';
import { SqliteBackupPort } from '../../src/store/sqlite/migration-backup.ts';
import { indexedColumns, TABLE_COLUMNS } from '../../src/store/sqlite/schema.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { counterRandom, tempStore } from '../helpers/temp-store.ts';
import { buildFixture, documentTexts, FIXTURE_CHANGES } from './fixtures.ts';
import { pendingCounts } from '../../src/migration/plan.ts';

const LEASE = { name: 'v1-migration', holder: 'test-holder', ttlMs: 60_000, now: 1_000 };
const DEFAULT_GROUP = 'legacy-default-id';

async function setup(naming: 'legacy' | 'current' = 'legacy') {
  const { store } = tempStore({ random: counterRandom(), now: () => 1_700_000_000_000 });
  const fixture = await buildFixture(store, naming);
  const migrations = new SqliteMigrationStore(store);
  await store.acquireLease(LEASE.name, LEASE.holder, LEASE.ttlMs, LEASE.now);
  await migrations.createRun({ id: 'run1', kind: 'migrate', state: 'migrating', actor: 't', holder: LEASE.holder, startedAt: 1, batchSize: 2 });
  return { store, fixture, migrations };
}

/** Pending records of a table, summed over the count pages. */
async function pendingCount(migrations: SqliteMigrationStore, table: MigratedTable): Promise<number> {
  return (await pendingCounts({ migrations }, table)).records;
}

async function migrateAll(migrations: SqliteMigrationStore, runId = 'run1', batchSize = 2): Promise<Record<MigratedTable, number>> {
  const changed = { entities: 0, connections: 0, events: 0, knowledge: 0 };
  for (const table of MIGRATED_TABLES) {
    let cursor: string | null = null;
    for (;;) {
      const result: Awaited<ReturnType<SqliteMigrationStore['applyBatch']>> = await migrations.applyBatch({
        runId,
        table,
        cursor,
        limit: batchSize,
        defaultGroupId: DEFAULT_GROUP,
        fence: LEASE,
      });
      changed[table] += result.changed;
      cursor = result.cursor;
      if (result.finished) break;
    }
  }
  return changed;
}

function journalRows(store: SqliteStore): number {
  return store.database.prepare('SELECT COUNT(*) FROM migration_journal').pluck().get() as number;
}

function field(store: SqliteStore, table: MigratedTable, id: string, name: string): unknown {
  return parseDocument(store.database.prepare(`SELECT doc FROM ${table} WHERE id = ?`).pluck().get(id) as string, 'uniform')[name];
}

describe('SqliteMigrationStore batches', () => {
  it.each(['legacy', 'current'] as const)('changes exactly the planned records under the %s naming', async (naming) => {
    const { store, fixture, migrations } = await setup(naming);
    expect(await Promise.all(MIGRATED_TABLES.map((table) => pendingCount(migrations, table)))).toEqual(Object.values(FIXTURE_CHANGES));
    expect(await migrateAll(migrations)).toEqual(FIXTURE_CHANGES);
    expect(await Promise.all(MIGRATED_TABLES.map((table) => pendingCount(migrations, table)))).toEqual([0, 0, 0, 0]);
    const { a, b } = fixture.groups;
    const expected: [MigratedTable, string, string][] = [
      ['entities', fixture.entities.grouped, a],
      ['entities', fixture.entities.bare, DEFAULT_GROUP],
      ['entities', fixture.entities.oldVersion, b],
      ['entities', fixture.entities.nullGroup, DEFAULT_GROUP],
      ['connections', fixture.connections.fromGrouped, a],
      ['connections', fixture.connections.toOnly, b],
      ['connections', fixture.connections.orphan, DEFAULT_GROUP],
      ['connections', fixture.connections.alreadyGrouped, b],
      ['connections', fixture.connections.emptyGroup, DEFAULT_GROUP],
      ['connections', fixture.connections.crossCreated, b],
      ['events', fixture.events.actorGrouped, a],
      ['events', fixture.events.targetOnly, b],
      ['events', fixture.events.noEndpoints, DEFAULT_GROUP],
      ['events', fixture.events.alreadyGrouped, a],
      ['knowledge', fixture.knowledge.withSource, b],
      ['knowledge', fixture.knowledge.orphanSource, DEFAULT_GROUP],
      ['knowledge', fixture.knowledge.noSource, DEFAULT_GROUP],
    ];
    for (const [table, id, groupId] of expected) expect(field(store, table, id, 'groupId'), `${table} ${id}`).toBe(groupId);
  });

  it.each([
    ['bare', 1, 'missing → float64 1'],
    ['oldVersion', 1, '0 < 1 → float64 1'],
    ['nullGroup', 1, '0.5 < 1 → float64 1 (with a null groupId: slow path)'],
    ['noGroupV2', 2n, 'int64 2 ≥ 1 stays an int64'],
    ['grouped', 1, 'already 1: untouched'],
  ] as const)('schemaVersion of %s becomes %s (%s)', async (role, expected, _reason) => {
    const { store, fixture, migrations } = await setup();
    await migrateAll(migrations);
    expect(field(store, 'entities', fixture.entities[role], 'schemaVersion')).toBe(expected);
  });

  it('keeps documents canonical and indexed columns in step with them, fast path or not', async () => {
    const { store, migrations } = await setup();
    await migrateAll(migrations);
    for (const table of MIGRATED_TABLES) {
      const rows = store.database.prepare(`SELECT ${TABLE_COLUMNS[table].join(', ')}, doc FROM ${table}`).raw().all() as unknown[][];
      for (const row of rows) {
        const text = row.at(-1) as string;
        const document = parseDocument(text, 'uniform');
        expect(stringifyUniform(document)).toBe(text);
        expect(row.slice(0, -1)).toEqual(indexedColumns(table, document));
      }
    }
  });

  it('appends new fields after nested mentions instead of touching them', async () => {
    const { store, fixture, migrations } = await setup();
    await migrateAll(migrations);
    const document = parseDocument(store.database.prepare('SELECT doc FROM entities WHERE id = ?').pluck().get(fixture.entities.nestedMention) as string, 'uniform');
    expect(document.metadata).toEqual({ groupId: 'not-top-level', schemaVersion: 7 });
    expect(Object.keys(document).slice(-2)).toEqual(['groupId', 'schemaVersion']);
  });

  it('a second pass changes nothing', async () => {
    const { store, migrations } = await setup();
    await migrateAll(migrations);
    const before = documentTexts(store);
    expect(await migrateAll(migrations)).toEqual({ entities: 0, connections: 0, events: 0, knowledge: 0 });
    expect(documentTexts(store)).toEqual(before);
  });

  it('refuses to write without the lease and leaves the batch unapplied', async () => {
    const { store, migrations } = await setup();
    await store.releaseLease(LEASE.name, LEASE.holder);
    await store.acquireLease(LEASE.name, 'someone-else', 60_000, 2_000);
    const before = documentTexts(store);
    await expect(migrateAll(migrations)).rejects.toThrow(LeaseLostError);
    expect(documentTexts(store)).toEqual(before);
    expect(journalRows(store)).toBe(0);
  });

  it('a crash after the checkpoint, before commit, rolls the whole batch back', async () => {
    const { store } = await setup();
    const migrations = new SqliteMigrationStore(store, {
      crash: (point) => {
        if (point === 'in-batch:1') throw new Error('crash inside the transaction');
      },
    });
    const before = documentTexts(store);
    await expect(migrations.applyBatch({ runId: 'run1', table: 'entities', cursor: null, limit: 10, defaultGroupId: DEFAULT_GROUP, fence: LEASE })).rejects.toThrow(
      'crash inside the transaction',
    );
    expect(documentTexts(store)).toEqual(before);
    expect(journalRows(store)).toBe(0);
    expect(await migrations.getRun('run1')).toMatchObject({ cursor: null, batches: 0, progress: {} });
  });
});

describe('SqliteMigrationStore backup estimate', () => {
  it('is within 5% of the documents’ real size on a seeded store', async () => {
    const { store } = tempStore();
    await seedStore(store, { entities: 400, legacy: true, seed: 3, now: 1_700_000_000_000 });
    let exact = 0;
    for (const table of ['groups', 'entities', 'connections', 'events', 'knowledge', 'other_documents']) {
      exact += store.database.prepare(`SELECT COALESCE(SUM(LENGTH(CAST(doc AS BLOB)) + 1), 0) FROM ${table}`).pluck().get() as number;
    }
    const estimate = (await new SqliteBackupPort(store).estimate()).bytes;
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.05);
  });
});

describe('SqliteMigrationStore exact undo', () => {
  async function undoAll(migrations: SqliteMigrationStore, apply: boolean) {
    let cursor: string | null = null;
    const totals = { reverted: 0, partial: 0, conflictCount: 0, missing: 0, conflicts: [] as unknown[] };
    for (;;) {
      const batch: Awaited<ReturnType<SqliteMigrationStore['undoBatch']>> = await migrations.undoBatch({
        targetRunId: 'run1',
        cursor,
        limit: 3,
        conflictLimit: 100,
        defaultGroupId: null,
        apply: apply ? { undoRunId: 'undo1', fence: LEASE } : undefined,
      });
      totals.reverted += batch.reverted;
      totals.partial += batch.partial;
      totals.conflictCount += batch.conflictCount;
      totals.missing += batch.missing;
      totals.conflicts.push(...batch.conflicts);
      cursor = batch.cursor;
      if (batch.finished) return totals;
    }
  }

  it('restores every document byte for byte when nothing changed since', async () => {
    const { store, migrations } = await setup();
    const original = documentTexts(store);
    await migrateAll(migrations);
    await migrations.createRun({ id: 'undo1', kind: 'undo', state: 'running', actor: 't', holder: LEASE.holder, targetRunId: 'run1', startedAt: 3, batchSize: 3 });
    const totals = await undoAll(migrations, true);
    expect(totals).toMatchObject({ reverted: 16, partial: 0, conflictCount: 0, missing: 0 });
    expect(documentTexts(store)).toEqual(original);
  });

  it.each([
    ['groupId changed since', 'bare', { groupId: 'elsewhere' }, 'partial', ['groupId']],
    ['both fields changed since', 'bare', { groupId: 'elsewhere', schemaVersion: 3 }, 'conflict', ['groupId', 'schemaVersion']],
    ['int64 1 is not the float64 1 written', 'oldVersion', { schemaVersion: 1n }, 'conflict', ['schemaVersion']],
  ] as const)('leaves a record alone where %s', async (_reason, role, patch, outcome, fields) => {
    const { store, fixture, migrations } = await setup();
    await migrateAll(migrations);
    const id = fixture.entities[role];
    await store.patch('entities', id, patch);
    const dry = await undoAll(migrations, false);
    expect(dry.conflicts).toEqual([{ table: 'entities', recordId: id, fields, outcome }]);
    await migrations.createRun({ id: 'undo1', kind: 'undo', state: 'running', actor: 't', holder: LEASE.holder, targetRunId: 'run1', startedAt: 3, batchSize: 3 });
    const applied = await undoAll(migrations, true);
    expect(applied.conflicts).toEqual(dry.conflicts);
    for (const [name, value] of Object.entries(patch)) expect(field(store, 'entities', id, name)).toEqual(value);
  });

  it('counts records deleted since the run as missing and leaves records created after it untouched', async () => {
    const { store, fixture, migrations } = await setup();
    await migrateAll(migrations);
    store.database.prepare('DELETE FROM knowledge WHERE id = ?').run(fixture.knowledge.noSource);
    const later = await store.insert('knowledge', { knowledgeType: 'chunk', groupId: DEFAULT_GROUP });
    await migrations.createRun({ id: 'undo1', kind: 'undo', state: 'running', actor: 't', holder: LEASE.holder, targetRunId: 'run1', startedAt: 3, batchSize: 3 });
    const totals = await undoAll(migrations, true);
    expect(totals).toMatchObject({ reverted: 15, missing: 1, conflictCount: 1 });
    expect(field(store, 'knowledge', later._id, 'groupId')).toBe(DEFAULT_GROUP);
  });

  it('dry run writes nothing', async () => {
    const { store, migrations } = await setup();
    await migrateAll(migrations);
    const before = documentTexts(store);
    await undoAll(migrations, false);
    expect(documentTexts(store)).toEqual(before);
  });
});

describe('SqliteMigrationStore.holdsWrittenValues', () => {
  it.each([
    ['nothing changed since the run', () => {}, true],
    [
      'every groupId the run wrote was changed since, but the entities still carry schemaVersion 1',
      (store: SqliteStore) => {
        for (const table of MIGRATED_TABLES) store.database.prepare(`UPDATE ${table} SET group_id = 'moved'`).run();
      },
      true,
    ],
    [
      'every value the run wrote was changed since',
      (store: SqliteStore) => {
        for (const table of MIGRATED_TABLES) store.database.prepare(`UPDATE ${table} SET group_id = 'moved'`).run();
        store.database.prepare('UPDATE entities SET schema_version = 3').run();
      },
      false,
    ],
    [
      'the records were replaced by others (import --replace, seed --replace)',
      (store: SqliteStore) => {
        for (const table of MIGRATED_TABLES) store.database.prepare(`DELETE FROM ${table}`).run();
      },
      false,
    ],
  ] as const)('%s → %s', async (_case, change, expected) => {
    const { store, migrations } = await setup();
    await migrateAll(migrations);
    change(store);
    expect(await migrations.holdsWrittenValues('run1')).toBe(expected);
  });

  it('looks at the given run’s journal only', async () => {
    const { migrations } = await setup();
    await migrateAll(migrations);
    expect(await migrations.holdsWrittenValues('another-run')).toBe(false);
  });
});
