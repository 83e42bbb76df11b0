/**
 * The contract of the snapshot-source port (`src/store/snapshot-source.ts`), for every adapter: a read lists the
 * data set's tables in number order with their counts, and pages each table so that the pages merge to exactly
 * the documents loaded, in load order, whatever the page size; a cursor resumes exactly where its page ended.
 * Data is loaded through the bulk-load port only.
 */
import { describe, expect, it } from 'vitest';
import { newConvexId } from '../../src/ontology/ids.ts';
import { parseDocument, stringifyUniform, type ConvexDocument, type ConvexValue } from '../../src/ontology/values.ts';
import type { BulkLoadTarget } from '../../src/store/bulk-load.ts';
import type { SnapshotRead, SnapshotSource } from '../../src/store/snapshot-source.ts';

/** What the contract runs against: the port, and the bulk-load port it loads its data through. */
export interface SnapshotSourceContractSubject {
  port: SnapshotSource;
  load: BulkLoadTarget;
  close: () => Promise<void>;
}

function documents(tableNumber: number, count: number, fields: (index: number) => Record<string, ConvexValue>): ConvexDocument[] {
  return Array.from({ length: count }, (_, index) => {
    let value = tableNumber * 100_000 + index + 1;
    const id = newConvexId(tableNumber, (size) => {
      const bytes = new Uint8Array(size);
      for (let at = size - 1; at >= 0 && value > 0; at--) {
        bytes[at] = value & 0xff;
        value = Math.floor(value / 256);
      }
      return bytes;
    });
    return { _id: id, _creationTime: 1_700_000_000_000 + index + 0.25, ...fields(index) } as ConvexDocument;
  });
}

const GROUPS = documents(10001, 5, (index) => ({ slug: `g${index}`, name: `Group ${index}` }));
// Written in an order unrelated to ids, so storage order is load order, not id order.
const THINGS = documents(10002, 23, (index) => ({ type: 'lesson', name: `Thing ${index}`, amount: BigInt(index), ratio: index / 3 })).reverse();
const SETTINGS = documents(10040, 3, (index) => ({ key: `k${index}`, value: index % 2 === 0 }));

async function seed(target: BulkLoadTarget): Promise<void> {
  const load = target.bulkLoad();
  await load.begin({
    replace: false,
    naming: 'legacy',
    tableNumbers: [
      ['groups', 10001],
      ['things', 10002],
      ['connections', 10003],
      ['events', 10004],
      ['knowledge', 10005],
      ['settings', 10040],
      ['_storage', 3],
    ],
  });
  const write = (table: string, docs: ConvexDocument[]) =>
    load.write(table, {
      ids: docs.map((doc) => doc._id),
      creationTimes: docs.map((doc) => doc._creationTime),
      texts: docs.map((doc) => stringifyUniform(doc)),
      fields: docs,
    });
  await write('settings', SETTINGS);
  await write('groups', GROUPS);
  await write('things', THINGS.slice(0, 10));
  await write('things', THINGS.slice(10));
  await load.commit();
}

async function pageAll(read: SnapshotRead, table: string, limit: number): Promise<{ texts: string[]; pages: number }> {
  const texts: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await read.page(table, cursor, limit);
    expect(page.texts.length).toBeLessThanOrEqual(limit);
    texts.push(...page.texts);
    cursor = page.continueCursor;
    pages++;
  } while (cursor !== null);
  return { texts, pages };
}

/** Declares the snapshot-source contract for an adapter; `open` gives a fresh, empty store each time. */
export function snapshotSourceContract(name: string, open: () => Promise<SnapshotSourceContractSubject>): void {
  describe(`SnapshotSource contract: ${name}`, () => {
    async function withRead(body: (read: SnapshotRead) => Promise<void>): Promise<void> {
      const subject = await open();
      try {
        await seed(subject.load);
        const read = await subject.port.openSnapshotRead();
        try {
          await body(read);
        } finally {
          await read.close();
        }
      } finally {
        await subject.close();
      }
    }

    it('lists every table in table-number order with its document count, system tables left out', async () => {
      await withRead(async (read) => {
        expect(read.naming).toBe('legacy');
        expect(read.tables).toEqual([
          { name: 'groups', number: 10001, documents: 5 },
          { name: 'things', number: 10002, documents: 23 },
          { name: 'connections', number: 10003, documents: 0 },
          { name: 'events', number: 10004, documents: 0 },
          { name: 'knowledge', number: 10005, documents: 0 },
          { name: 'settings', number: 10040, documents: 3 },
        ]);
      });
    });

    it.each([1, 4, 23, 24, 1000])('pages of %i merge to exactly the loaded documents, in load order', async (limit) => {
      await withRead(async (read) => {
        for (const [table, expected] of [
          ['things', THINGS],
          ['groups', GROUPS],
          ['settings', SETTINGS],
        ] as const) {
          const { texts, pages } = await pageAll(read, table, limit);
          expect(texts.map((text) => parseDocument(text, 'uniform'))).toEqual(expected);
          expect(pages).toBeLessThanOrEqual(Math.floor(expected.length / limit) + 1);
        }
      });
    });

    it('a cursor resumes exactly after its page, as often as it is used', async () => {
      await withRead(async (read) => {
        const first = await read.page('things', null, 10);
        const second = await read.page('things', first.continueCursor, 10);
        const again = await read.page('things', first.continueCursor, 10);
        expect(again).toEqual(second);
        expect(second.texts.map((text) => (JSON.parse(text) as { _id: string })._id)).toEqual(THINGS.slice(10, 20).map((doc) => doc._id));
        const last = await read.page('things', second.continueCursor, 10);
        expect(last.texts).toHaveLength(3);
        expect(last.continueCursor).toBeNull();
      });
    });

    it('an empty table is one empty last page', async () => {
      await withRead(async (read) => {
        expect(await read.page('events', null, 100)).toEqual({ texts: [], continueCursor: null });
      });
    });

    it('refuses an unknown table, a cursor it did not make, and any page after close', async () => {
      await withRead(async (read) => {
        await expect(read.page('nope', null, 10)).rejects.toThrow(/nope/);
        await expect(read.page('things', 'not-a-cursor', 10)).rejects.toThrow(/cursor/);
        await read.close();
        await expect(read.page('things', null, 10)).rejects.toThrow(/closed/);
        await read.close();
      });
    });
  });
}
