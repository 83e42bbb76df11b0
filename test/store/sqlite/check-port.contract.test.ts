import { afterAll, describe, expect, it } from 'vitest';
import { newConvexId } from '../../../src/ontology/ids.ts';
import { CATEGORIES } from '../../../src/quality/categories.ts';
import { SqliteCheckPort, stopCheckWorker, type SqliteCheckPortOptions } from '../../../src/store/sqlite/check-port.ts';
import { checkPortContract, type CheckPortHandles } from '../../contracts/check-port.contract.ts';
import { counterRandom, tempStore } from '../../helpers/temp-store.ts';

afterAll(() => stopCheckWorker());

function openSqlite(options: SqliteCheckPortOptions): () => Promise<CheckPortHandles> {
  return async () => {
    const { store } = tempStore({ random: counterRandom() });
    const danglingRandom = counterRandom(1_000_000);
    return {
      port: new SqliteCheckPort(store, options),
      documents: store,
      danglingEntityId: () => newConvexId(store.tableNumber('entities'), danglingRandom),
      // tempStore closes and removes the store when the test finishes.
      close: async () => undefined,
    };
  };
}

checkPortContract('SQLite, the whole scope in one page, in process', openSqlite({ useWorker: false }));
checkPortContract('SQLite, the whole scope in one page, in the check worker', openSqlite({ useWorker: true }));
checkPortContract('SQLite, two rowids per page and two groups per group page', openSqlite({ useWorker: false, pageSize: 2, groupPageSize: 2 }));
checkPortContract('SQLite, paged in the check worker', openSqlite({ useWorker: true, pageSize: 3, groupPageSize: 4 }));

describe('SQLite check port paging', () => {
  it('pages table by table with a page size, and answers in one page without', async () => {
    const { store } = tempStore({ random: counterRandom() });
    const group = await store.insert('groups', { slug: 'g' });
    for (let index = 0; index < 5; index++) await store.insert('entities', { groupId: group._id, type: 'agent' });
    await store.insert('connections', { groupId: group._id, fromEntityId: 'x', toEntityId: 'y' });
    const scope = { categories: CATEGORIES, groupId: null, now: 0, issueLimit: 10, v1MigrationCompleted: false };
    const cursors: (string | null)[] = [];
    let cursor: string | null = null;
    const paged = new SqliteCheckPort(store, { useWorker: false, pageSize: 2 });
    do {
      cursor = (await paged.scanPage(scope, cursor)).continueCursor;
      cursors.push(cursor);
    } while (cursor !== null);
    expect(cursors).toEqual(['entities:2', 'entities:4', 'connections:0', 'events:0', 'knowledge:0', null]);
    expect((await new SqliteCheckPort(store, { useWorker: false }).scanPage(scope, null)).continueCursor).toBeNull();
  });

  it.each([0, -1, 2.5])('refuses a page size of %s', (pageSize) => {
    const { store } = tempStore();
    expect(() => new SqliteCheckPort(store, { pageSize })).toThrow(/pageSize must be a whole number of at least 1/);
  });
});
