import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/quality/categories.ts';
import { sqliteQualityService } from '../helpers/quality-service.ts';
import { scanAll } from '../../src/quality/paging.ts';
import { SqliteCheckPort } from '../../src/store/sqlite/check-port.ts';
import { counterRandom, tempStore } from '../helpers/temp-store.ts';
import { buildFixture, EXPECTED_PLATFORM, NOW } from './fixtures.ts';

const SCOPE = { categories: CATEGORIES, groupId: null, now: NOW, issueLimit: 100, v1MigrationCompleted: false };

describe('scan edge cases', () => {
  it('judges number encodings the same after a round trip through the stored JSON', async () => {
    const { store } = tempStore({ random: counterRandom() });
    const group = await store.insert('groups', { slug: 'g' });
    const product = (price: number | bigint) =>
      store.insert('entities', { groupId: group._id, type: 'product', properties: { price, currency: 'USD' }, schemaVersion: 1 });
    const nan = await product(Number.NaN);
    const infinite = await product(Number.POSITIVE_INFINITY);
    await product(-0);
    await product(7n);
    await product(2.5);
    const payment = (amount: number | bigint) =>
      store.insert('events', { groupId: group._id, type: 'payment_event', timestamp: NOW, metadata: { protocol: 'acp', status: 'verified', amount } });
    await payment(Number.NaN);
    await payment(3n);
    const report = await sqliteQualityService(store, { useWorker: false }).check({ now: NOW });
    expect(report.details.malformedProperties).toBe(2);
    expect(report.issues.filter((issue) => issue.category === 'malformedProperties').map((issue) => issue.recordId)).toEqual([
      nan._id,
      infinite._id,
    ]);
    expect(report.details.invalidMetadata).toBe(0);
  });

  it('counts exactly when rowids have gaps (deleted rows)', async () => {
    const { store, ids } = await buildFixture();
    // Remove one healthy record of each kind straight from the tables, leaving holes in the rowids.
    store.database.prepare('DELETE FROM connections WHERE id = ?').run(ids.c1);
    store.database.prepare('DELETE FROM events WHERE id = ?').run(ids.e1);
    store.database.prepare('DELETE FROM knowledge WHERE id = ?').run(ids.k1);
    store.database.prepare('DELETE FROM entities WHERE id = ?').run(ids.b1);
    const { tally } = await scanAll(new SqliteCheckPort(store, { useWorker: false }), SCOPE);
    expect(tally.counts).toEqual({
      ...EXPECTED_PLATFORM,
      entities: 4,
      v1Entities: 2,
      malformedProperties: 2,
      connections: 7,
      // c4 (a1 → b1) and c7 (ghost → b1) now point at a deleted entity; c5 (b1 → n1) too.
      orphanedConnections: 6,
      crossGroupConnections: 0,
      events: 6,
      // e3's actor b1 is gone.
      crossGroupEvents: 0,
      knowledge: 3,
      knowledgeWithSource: 2,
      // k4's source b1 is gone.
      orphanedKnowledge: 2,
    });
    // Without the cross-group check, entity groups are not read; existence and counts must not change.
    const partial = await scanAll(new SqliteCheckPort(store, { useWorker: false }), { ...SCOPE, categories: ['orphaned', 'missingGroupId'] });
    expect(partial.tally.counts).toEqual({
      ...tally.counts,
      invalidMetadataConnections: 0,
      invalidMetadataEvents: 0,
      malformedProperties: 0,
    });
  });

  it('finds nothing in an empty store and reports it healthy', async () => {
    const { store } = tempStore();
    const service = sqliteQualityService(store, { useWorker: false });
    expect((await service.check({ now: NOW })).status).toBe('healthy');
    const metrics = await service.metrics({ now: NOW });
    expect(metrics).toMatchObject({ referentialIntegrityScore: 100, schemaComplianceScore: 100, eventArchivalProgress: 100, status: 'healthy' });
    expect(await service.metricsAllGroups({ now: NOW })).toEqual({ platform: metrics, groups: [] });
  });
});
