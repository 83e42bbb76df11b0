import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { tableNumberOfId } from '../../src/ontology/ids.ts';
import { ONTOLOGY_TABLES } from '../../src/ontology/naming.ts';
import { seedStore, type SeedSummary } from '../../src/seed/seed.ts';
import { META_KEYS, type SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { countDefects, loadAll } from './defect-oracle.ts';

const NOW = Date.parse('2026-11-01T00:00:00Z');

/** sha256 over every stored row (table, id, creation time, document text) in storage order. */
function storeDigest(store: SqliteStore): string {
  const hash = createHash('sha256');
  for (const table of [...ONTOLOGY_TABLES, 'other_documents', 'convex_tables']) {
    for (const row of store.database.prepare(`SELECT * FROM ${table} ORDER BY rowid`).iterate()) hash.update(JSON.stringify(row));
  }
  return hash.digest('hex');
}

function expectSummaryMatchesData(store: SqliteStore, summary: SeedSummary): void {
  const counted = countDefects(store, summary.now);
  const { defects, facts } = summary;
  expect({
    orphanedConnections: defects.orphanedConnections,
    orphanedKnowledge: defects.orphanedKnowledge,
    crossGroupConnections: defects.crossGroupConnections,
    crossGroupEvents: defects.crossGroupEvents,
    missingGroupIds: {
      entities: defects.missingGroupIds.entities,
      connections: defects.missingGroupIds.connections,
      events: defects.missingGroupIds.events,
      knowledge: defects.missingGroupIds.knowledge,
    },
    invalidValidity: defects.invalidValidity,
    invalidPaymentMetadata: defects.invalidPaymentMetadata,
    malformedProperties: defects.malformedProperties,
    v1Entities: facts.v1Entities,
    knowledgeWithSource: facts.knowledgeWithSource,
    paymentEvents: facts.paymentEvents,
    eventsOlderThanYear: facts.eventsOlderThanYear,
    archivedEventsOlderThanYear: facts.archivedEventsOlderThanYear,
  }).toEqual(counted);
  expect(defects.entitiesWithoutSchemaVersion).toBe(summary.tables.entities - facts.v1Entities);
}

describe('seedStore', () => {
  it('writes the proportions of the benchmark: 2.5·N connections, 1.25·N events, 0.25·N knowledge', async () => {
    const { store } = tempStore();
    const summary = await seedStore(store, { entities: 400, now: NOW });
    expect(summary.tables).toEqual({ groups: 3, entities: 400, connections: 1000, events: 500, knowledge: 100 });
    expect(summary.records).toBe(2000);
    for (const table of ONTOLOGY_TABLES) expect(store.countSync(table)).toBe(summary.tables[table]);
  });

  it.each([
    { legacy: false, seed: 1, entities: 600, reason: 'current data' },
    { legacy: false, seed: 7, entities: 20, reason: 'the smallest data set still holds every defect' },
    { legacy: true, seed: 3, entities: 600, reason: 'legacy data: most groupIds absent, which changes which references can cross groups' },
  ])('counts every planted defect exactly as the checks define it ($reason)', async ({ legacy, seed, entities }) => {
    const { store } = tempStore();
    const summary = await seedStore(store, { entities, legacy, seed, now: NOW });
    expectSummaryMatchesData(store, summary);
    const { defects } = summary;
    for (const count of [
      defects.orphanedConnections,
      defects.orphanedKnowledge,
      defects.crossGroupConnections,
      defects.crossGroupEvents,
      defects.missingGroupIds.entities,
      defects.missingGroupIds.connections,
      defects.missingGroupIds.events,
      defects.missingGroupIds.knowledge,
      defects.invalidValidity,
      defects.invalidPaymentMetadata,
      defects.entitiesWithoutSchemaVersion,
    ]) {
      expect(count).toBeGreaterThan(0);
    }
    expect(Object.keys(defects.malformedByType).sort()).toEqual(['blog_post', 'course', 'creator', 'organization', 'product']);
    expect(summary.facts.eventsOlderThanYear).toBeGreaterThan(summary.tables.events / 3);
  });

  it('keeps defect rates small in current data', async () => {
    const { store } = tempStore();
    const { defects, tables, facts } = await seedStore(store, { entities: 4000, now: NOW });
    expect(defects.orphanedConnections / tables.connections).toBeLessThan(0.005);
    expect(defects.missingGroupIds.total / (tables.entities + tables.connections + tables.events + tables.knowledge)).toBeLessThan(0.005);
    expect(facts.v1Entities / tables.entities).toBeGreaterThan(0.95);
    expect(facts.archivedEventsOlderThanYear / facts.eventsOlderThanYear).toBeGreaterThan(0.9);
  });

  it('writes pre-v1 data with --legacy: things, fromThingId/toThingId, mostly without groupId and schemaVersion', async () => {
    const { store } = tempStore();
    const summary = await seedStore(store, { entities: 1000, legacy: true, now: NOW });
    expect(store.getMetaSync(META_KEYS.naming)).toBe('legacy');
    expect(store.namingSync().entitiesTable).toBe('things');
    const tables = store.database.prepare('SELECT name, table_number FROM convex_tables ORDER BY table_number').all();
    expect(tables.map((row) => (row as { name: string }).name)).toEqual(['groups', 'things', 'connections', 'events', 'knowledge']);
    const all = loadAll(store);
    expect(all.connections.every((connection) => 'fromThingId' in connection && 'toThingId' in connection)).toBe(true);
    expect(all.connections.some((connection) => 'fromEntityId' in connection)).toBe(false);
    expect(all.events.every((event) => !('groupId' in event))).toBe(true);
    expect(all.knowledge.every((knowledge) => !('groupId' in knowledge))).toBe(true);
    const { missingGroupIds, entitiesWithoutSchemaVersion } = summary.defects;
    expect(missingGroupIds.entities / summary.tables.entities).toBeGreaterThan(0.5);
    expect(missingGroupIds.connections / summary.tables.connections).toBeGreaterThan(0.5);
    expect(entitiesWithoutSchemaVersion / summary.tables.entities).toBeGreaterThan(0.5);
    expect(summary.facts.archivedEventsOlderThanYear / summary.facts.eventsOlderThanYear).toBeLessThan(0.5);
  });

  it('mints real Convex ids of the registered table numbers and keeps creation times rising before now', async () => {
    const { store } = tempStore();
    await seedStore(store, { entities: 100, now: NOW });
    let previous = 0;
    for (const table of ONTOLOGY_TABLES) {
      const number = store.tableNumber(table);
      for (const document of loadAll(store)[table]) {
        expect(tableNumberOfId(document._id)).toBe(number);
        expect(document._creationTime).toBeGreaterThan(previous);
        previous = document._creationTime;
      }
    }
    expect(previous).toBeLessThan(NOW);
  });

  it.each([
    { a: { seed: 5 }, b: { seed: 5 }, same: true, reason: 'the same seed and options give the same store' },
    { a: { seed: 5 }, b: { seed: 6 }, same: false, reason: 'another seed gives other data' },
    { a: { seed: 5 }, b: { seed: 5, legacy: true }, same: false, reason: '--legacy changes the data' },
  ])('is deterministic per seed ($reason)', async ({ a, b, same }) => {
    const first = tempStore();
    const second = tempStore();
    await seedStore(first.store, { entities: 200, now: NOW, ...a });
    await seedStore(second.store, { entities: 200, now: NOW, ...b });
    expect(storeDigest(first.store) === storeDigest(second.store)).toBe(same);
  });

  it.each([
    { legacy: false, reason: 'current data' },
    { legacy: true, reason: 'legacy data' },
  ])('writes the same store through the writer thread as in-thread ($reason)', async ({ legacy }) => {
    const viaThread = tempStore();
    const inThread = tempStore();
    const a = await seedStore(viaThread.store, { entities: 300, now: NOW, legacy, writerThread: true });
    const b = await seedStore(inThread.store, { entities: 300, now: NOW, legacy, writerThread: false });
    expect(a).toEqual(b);
    expect(storeDigest(viaThread.store)).toBe(storeDigest(inThread.store));
  });

  it('refuses a store that holds documents unless told to replace, and leaves it unchanged', async () => {
    const { store } = tempStore();
    await seedStore(store, { entities: 100, now: NOW, seed: 1 });
    const before = storeDigest(store);
    await expect(seedStore(store, { entities: 100, now: NOW, seed: 2 })).rejects.toThrow(/already holds 503 documents: pass --replace/);
    expect(storeDigest(store)).toBe(before);
    const replaced = await seedStore(store, { entities: 50, now: NOW, seed: 2, replace: true });
    expect(store.countSync('entities')).toBe(50);
    expect(replaced.tables.connections).toBe(store.countSync('connections'));
  });

  it('replaces legacy data with current data, naming and table numbers included', async () => {
    const { store } = tempStore();
    await seedStore(store, { entities: 50, now: NOW, legacy: true });
    await seedStore(store, { entities: 50, now: NOW, replace: true });
    expect(store.namingSync().generation).toBe('current');
    const names = store.database.prepare('SELECT name FROM convex_tables').pluck().all();
    expect(names).not.toContain('things');
  });

  it.each([
    { entities: 19, reason: 'below the minimum that holds every defect' },
    { entities: 20.5, reason: 'not a whole number' },
  ])('rejects entities=$entities ($reason)', async ({ entities }) => {
    const { store } = tempStore();
    await expect(seedStore(store, { entities, now: NOW })).rejects.toThrow(/entities must be a whole number ≥ 20/);
    expect(store.countSync('groups')).toBe(0);
  });

  it('reports progress up to the total', async () => {
    const { store } = tempStore();
    const calls: [number, number][] = [];
    await seedStore(store, { entities: 8000, now: NOW, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.at(-1)).toEqual([40_004, 40_004]);
  });
});

describe('ontology-ops seed', () => {
  it('seeds a new store and prints the summary as JSON', async () => {
    const db = `${tempDir()}/store.db`;
    const io = captureIo();
    expect(await runCli(['--db', db, '--json', '--now', '2026-11-01T00:00:00Z', 'seed', '--entities', '100', '--seed', '4'], io)).toBe(0);
    const result = JSON.parse(io.out());
    expect(result).toMatchObject({ seed: 4, naming: 'current', now: NOW, records: 500, tables: { entities: 100 } });
    expect(io.err()).toBe('');
  });

  it('prints counts as text and refuses a second seed without --replace', async () => {
    const db = `${tempDir()}/store.db`;
    const io = captureIo();
    expect(await runCli(['--db', db, 'seed', '--entities', '40', '--legacy'], io)).toBe(0);
    expect(io.out()).toMatch(/legacy naming, seed 1\): 200 records/);
    const again = captureIo();
    expect(await runCli(['--db', db, 'seed', '--entities', '40'], again)).toBe(1);
    expect(again.err()).toMatch(/^ontology-ops: The store at .* already holds \d+ documents: pass --replace/);
    expect(await runCli(['--db', db, 'seed', '--entities', '40', '--replace'], captureIo())).toBe(0);
  });

  it.each([
    { args: ['--entities', '5'], message: /--entities must be a whole number ≥ 20, got "5"/, reason: 'too few entities' },
    { args: ['--seed', 'x'], message: /--seed must be a whole number ≥ 0, got "x"/, reason: 'a seed is a number' },
  ])('rejects $args ($reason)', async ({ args, message }) => {
    const io = captureIo();
    expect(await runCli(['--db', `${tempDir()}/store.db`, 'seed', ...args], io)).toBe(1);
    expect(io.err()).toMatch(message);
  });
});
