// @vitest-environment edge-runtime
/**
 * A pre-v1 deployment (`things`, `fromThingId`/`toThingId`, no groupIds): the Convex adapter reads it under the
 * legacy naming, as the SQLite adapter reads a legacy import, and checks it with the same rules.
 */
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../../src/quality/categories.ts';
import { scanAll } from '../../../src/quality/paging.ts';
import { META_KEYS } from '../../../src/store/port.ts';
import { convexParts } from '../../convex/parts.ts';

describe('Convex adapter on a pre-v1 deployment', () => {
  it('detects the legacy naming from the tables present, and the setting overrides it', async () => {
    const { documents, meta, harness } = convexParts();
    expect((await documents.naming()).generation).toBe('current');
    await harness.t.run(async (ctx) => {
      await ctx.db.insert('things', { type: 'creator', name: 'Ann' });
    });
    expect((await documents.naming()).generation).toBe('legacy');
    const info = await documents.info();
    expect(info.tables.find((table) => table.logical === 'entities')).toEqual({ name: 'things', logical: 'entities', documents: 1 });
    await meta.setMeta(META_KEYS.naming, 'current');
    expect((await documents.naming()).generation).toBe('current');
  });

  it('reads, writes and checks things and their fromThingId/toThingId connections', async () => {
    const { documents, checks, meta } = convexParts();
    await meta.setMeta(META_KEYS.naming, 'legacy');
    const a = await documents.insert('entities', { type: 'creator', name: 'Ann' });
    const b = await documents.insert('entities', { type: 'creator', name: 'Bob' });
    const linked = await documents.insert('connections', { fromThingId: a._id, toThingId: b._id, relationshipType: 'follows' });
    const orphan = await documents.insert('connections', { fromThingId: a._id, toThingId: 'gone', relationshipType: 'follows' });
    expect(await documents.get('entities', a._id)).toEqual(a);
    expect(await documents.count('entities')).toBe(2);
    const ofA = await documents.connectionsOfEntity(a._id, 10);
    expect(ofA.outgoing.map((doc) => doc._id)).toEqual([linked._id, orphan._id]);
    expect((await documents.connectionsOfEntity(b._id, 10)).incoming.map((doc) => doc._id)).toEqual([linked._id]);
    const { tally } = await scanAll(checks, { categories: CATEGORIES, groupId: null, now: 0, issueLimit: 10, v1MigrationCompleted: false });
    expect(tally.counts).toMatchObject({ entities: 2, connections: 2, orphanedConnections: 1, entitiesMissingGroupId: 2, connectionsMissingGroupId: 2 });
    expect(tally.issues.orphaned.map((issue) => issue.recordId)).toEqual([orphan._id]);
  });
});
