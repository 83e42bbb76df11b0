import { describe, expect, it } from 'vitest';
import { groupSlugLookup, SLUG_PAGE_SIZE } from '../../src/alerts/group-slugs.ts';
import type { DocumentStore } from '../../src/store/port.ts';
import { tempStore } from '../helpers/temp-store.ts';

describe('group slugs for alert messages', () => {
  it('pages the groups table once for many groups, reads no group one by one, and remembers what it found', async () => {
    const { store } = tempStore();
    const ids: string[] = [];
    for (let index = 0; index < SLUG_PAGE_SIZE + 5; index++) {
      ids.push(String((await store.insert('groups', index === 3 ? { name: 'no slug' } : { slug: `g-${index}` }))._id));
    }
    const calls = { page: 0, get: 0 };
    const documents = Object.create(store) as DocumentStore;
    documents.page = (table, cursor, limit) => {
      calls.page++;
      return store.page(table, cursor, limit);
    };
    documents.get = (table, id) => {
      calls.get++;
      return store.get(table, id);
    };
    const lookup = groupSlugLookup(documents);
    const first = await lookup([ids[0]!, ids[3]!, ids.at(-1)!]);
    expect([...first].map(([id, naming]) => [id, naming?.slug ?? null])).toEqual([
      [ids[0], 'g-0'],
      [ids[3], null],
      [ids.at(-1), `g-${SLUG_PAGE_SIZE + 4}`],
    ]);
    // The name comes along, for messages that name a group by slug and name.
    expect(first.get(ids[3]!)).toEqual({ slug: null, name: 'no slug' });
    expect(calls).toEqual({ page: 2, get: 0 });
    // Known ids and ids that do not exist cost nothing more once the table has been read to its end.
    const second = await lookup([ids[1]!, 'no-such-group']);
    expect([...second].map(([id, naming]) => [id, naming?.slug ?? null])).toEqual([[ids[1], 'g-1'], ['no-such-group', null]]);
    expect(calls).toEqual({ page: 2, get: 0 });
  });
});
