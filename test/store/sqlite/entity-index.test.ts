import { describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { CATEGORIES } from '../../../src/quality/categories.ts';
import type { CheckScope } from '../../../src/quality/port.ts';
import { computePiece } from '../../../src/store/sqlite/check-scan.ts';
import { buildEntityIndex, resolveThroughIndex } from '../../../src/store/sqlite/entity-index.ts';
import { tempStore } from '../../helpers/temp-store.ts';

const SCOPE: CheckScope = { categories: CATEGORIES, groupId: null, now: 0, issueLimit: 10, v1MigrationCompleted: false };

/** Ids whose byte order differs from their UTF-16 order, or that share prefixes, as a walk in id order must handle. */
const AWKWARD_IDS = ['a', 'ab', 'a b', 'B', 'é', 'z', '日本', '\u{1F600}smile', '\uFF21wide', 'zz', 'a\u0301', '0', '9'];

function addEntities(database: Database.Database, ids: readonly string[]): void {
  const insert = database.prepare("INSERT INTO entities (id, creation_time, group_id, type, doc) VALUES (?, 0, 'g', 'agent', '{}')");
  for (const id of ids) insert.run(id);
}

function addConnections(database: Database.Database, ends: readonly (readonly [string | null, string | null])[]): void {
  const insert = database.prepare("INSERT INTO connections (id, creation_time, group_id, from_id, to_id, doc) VALUES (?, 0, 'g', ?, ?, '{}')");
  ends.forEach(([from, to], index) => insert.run(`c${index}`, from, to));
}

/** What each connection's from-id names, worked out with a plain lookup (0: no such entity, -1: no reference). */
function expectedFromEntities(database: Database.Database): Int32Array {
  const entityRowid = new Map((database.prepare('SELECT id, rowid FROM entities').raw(true).all() as [string, number][]).map(([id, rowid]) => [id, rowid]));
  const rows = database.prepare('SELECT rowid, from_id FROM connections').raw(true).all() as [number, string | null][];
  const expected = new Int32Array(Math.max(0, ...rows.map(([rowid]) => rowid)) + 1).fill(-1);
  for (const [rowid, from] of rows) if (from !== null) expected[rowid] = entityRowid.get(from) ?? 0;
  return expected;
}

describe('the shared entity index', () => {
  it('resolves references in byte order, hits and misses alike, whatever the ids hold', () => {
    const { store } = tempStore();
    const database = store.database;
    addEntities(database, AWKWARD_IDS);
    const references = [...AWKWARD_IDS, 'missing', 'a\u00e9', '\u{1F601}', ''].flatMap((id) => [id, id]);
    addConnections(database, [...references.map((id) => [id, 'z'] as const), [null, 'z']]);
    const index = buildEntityIndex(database);
    expect(index?.count).toBe(AWKWARD_IDS.length);
    expect(index!.rowids.buffer).toBeInstanceOf(SharedArrayBuffer);
    const entityOf = new Int32Array(expectedFromEntities(database).length).fill(-1);
    expect(resolveThroughIndex(database, index!, 'connections', 'from_id', 'connections_by_from', entityOf)).toBe(true);
    expect(entityOf).toEqual(expectedFromEntities(database));
  });

  it('resolves every reference as missing when there are no entities', () => {
    const { store } = tempStore();
    addConnections(store.database, [['x', 'y'], ['y', null]]);
    const index = buildEntityIndex(store.database);
    expect(index?.count).toBe(0);
    const entityOf = new Int32Array(3).fill(-1);
    expect(resolveThroughIndex(store.database, index!, 'connections', 'from_id', 'connections_by_from', entityOf)).toBe(true);
    expect([...entityOf]).toEqual([-1, 0, 0]);
  });

  it.each([
    ['an entity id holds a newline', ['line\nbreak', 'b'], ['b', 'line\nbreak', 'c']],
    ['a reference holds a newline', ['a', 'b'], ['a', 'b\nc', 'b']],
  ])('falls back to the SQL join when %s, with the same answer', (_reason, entityIds, fromIds) => {
    const { store } = tempStore();
    const database = store.database;
    addEntities(database, entityIds);
    addConnections(database, fromIds.map((id) => [id, 'a'] as const));
    const index = buildEntityIndex(database);
    if (index !== null) {
      const entityOf = new Int32Array(fromIds.length + 1).fill(-1);
      expect(resolveThroughIndex(database, index, 'connections', 'from_id', 'connections_by_from', entityOf)).toBe(false);
      expect([...entityOf].every((value) => value === -1)).toBe(true);
    }
    const piece = computePiece(database, SCOPE, { kind: 'references', column: 'connections.from_id' }, index);
    expect(piece).toEqual(expectedFromEntities(database));
  });
});
