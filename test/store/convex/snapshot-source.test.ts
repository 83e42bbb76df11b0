// @vitest-environment edge-runtime
/**
 * Exports from a Convex deployment (`SnapshotSource`): the tables of the data set with their counts, pages that
 * merge to exactly the documents in creation order and resume exactly, and an export written from them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONTOLOGY_TABLES } from '../../../src/ontology/naming.ts';
import { parseDocument, type ConvexDocument } from '../../../src/ontology/values.ts';
import { exportSnapshot } from '../../../src/snapshot/export.ts';
import type { SnapshotRead } from '../../../src/store/snapshot-source.ts';
import { convexParts } from '../../convex/parts.ts';

async function seeded() {
  const parts = convexParts();
  const groups: ConvexDocument[] = [];
  for (let index = 0; index < 3; index++) groups.push(await parts.documents.insert('groups', { slug: `g${index}`, name: `G${index}` }));
  const entities: ConvexDocument[] = [];
  for (let index = 0; index < 7; index++) {
    entities.push(await parts.documents.insert('entities', { groupId: groups[index % 3]!._id, type: 'lesson', name: `E${index}`, properties: { order: BigInt(index), weight: index / 4 }, schemaVersion: 1 }));
  }
  await parts.documents.insert('connections', { groupId: groups[0]!._id, fromEntityId: entities[0]!._id, toEntityId: entities[1]!._id, relationshipType: 'part_of', validFrom: 1.5 });
  await parts.harness.t.run(async (ctx) => {
    await ctx.db.insert('thingKnowledge', { thingId: entities[0]!._id, knowledgeId: 'k1' });
    await ctx.db.insert('dataQualitySnapshots', { timestamp: 5, referentialIntegrityScore: 100, orphanedConnections: 0, crossGroupViolations: 0, malformedProperties: 0 });
  });
  return { parts, groups, entities };
}

async function pageAll(read: SnapshotRead, table: string, limit: number): Promise<ConvexDocument[]> {
  const documents: ConvexDocument[] = [];
  let cursor: string | null = null;
  do {
    const page = await read.page(table, cursor, limit);
    expect(page.texts.length).toBeLessThanOrEqual(limit);
    documents.push(...page.texts.map((text) => parseDocument(text, 'uniform')));
    cursor = page.continueCursor;
  } while (cursor !== null);
  return documents;
}

describe('Convex snapshot source', () => {
  it('lists the data set tables in number order with their counts, and pages merge to the documents in creation order', async () => {
    const { parts, groups, entities } = await seeded();
    const read = await parts.snapshots.openSnapshotRead();
    expect(read.naming).toBe('current');
    expect(read.tables.map((table) => [table.name, table.documents])).toEqual([
      ['groups', 3],
      ['entities', 7],
      ['connections', 1],
      ['events', 0],
      ['knowledge', 0],
      ['thingKnowledge', 1],
      ['dataQualitySnapshots', 1],
    ]);
    const numbers = read.tables.map((table) => table.number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const limit of [1, 3, 7, 1000]) {
      expect(await pageAll(read, 'entities', limit)).toEqual(entities);
      expect(await pageAll(read, 'groups', limit)).toEqual(groups);
    }
    const all = await pageAll(read, 'entities', 1000);
    expect(typeof (all[2]!.properties as { order: unknown }).order).toBe('bigint');
    expect(await read.page('events', null, 10)).toEqual({ texts: [], continueCursor: null });
    const first = await read.page('entities', null, 3);
    const second = await read.page('entities', first.continueCursor, 3);
    expect(await read.page('entities', first.continueCursor, 3)).toEqual(second);
    await expect(read.page('monitorAlerts', null, 10)).rejects.toThrow(/monitorAlerts/);
    await expect(read.page('entities', 'not-a-cursor', 10)).rejects.toThrow(/cursor/);
    await read.close();
    await expect(read.page('entities', null, 10)).rejects.toThrow(/closed/);
  });

  it('exports a snapshot folder whose tables hold exactly the documents, in creation order', async () => {
    // (convex-test's ids are not real Convex ids, so an import of this export would refuse them; the files are
    // compared directly instead.)
    const { parts } = await seeded();
    const dir = mkdtempSync(join(tmpdir(), 'ontology-ops-convex-export-'));
    try {
      const target = join(dir, 'export');
      const summary = await exportSnapshot(parts.snapshots, target);
      expect(summary.naming).toBe('current');
      expect(summary.documents).toBe(3 + 7 + 1 + 1 + 1);
      for (const table of ONTOLOGY_TABLES) {
        const fromConvex = (await parts.documents.page(table, null, 1000)).documents;
        const lines = readFileSync(join(target, table, 'documents.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
        expect(lines.map((line) => parseDocument(line, 'uniform')), table).toEqual(fromConvex);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
