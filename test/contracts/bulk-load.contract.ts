/**
 * The contract of the bulk-load port (`src/store/bulk-load.ts`), for every adapter: a load made of begin,
 * writes and commit makes its documents readable through the document store; abort leaves the store as it
 * was; a repeated id fails the load; replace semantics; the lease fence. Seeds and reads only through ports.
 */
import { describe, expect, it } from 'vitest';
import { newConvexId } from '../../src/ontology/ids.ts';
import type { NamingGeneration, OntologyTable } from '../../src/ontology/naming.ts';
import { stringifyUniform, type ConvexDocument, type ConvexValue } from '../../src/ontology/values.ts';
import {
  BulkLoadLeaseHeldError,
  DuplicateDocumentError,
  InvalidTableNameError,
  StoreNotEmptyError,
  type BulkDocuments,
  type BulkLoadPlan,
  type BulkLoadTarget,
} from '../../src/store/bulk-load.ts';
import { DATA_SET_LEASE, type DocumentStore, type LeaseStore } from '../../src/store/port.ts';

/** What the contract runs against: the port, and the ports it reads results through. */
export interface BulkLoadContractSubject {
  port: BulkLoadTarget;
  documents: DocumentStore;
  leases: LeaseStore;
  close: () => Promise<void>;
}

const NUMBERS: Record<string, number> = { groups: 10001, entities: 10002, things: 10002, connections: 10003, events: 10004, knowledge: 10005 };

/** Deterministic documents: `count` of a physical table, ids from a counter so every run sees the same ids. */
function makeDocuments(table: string, count: number, start: number, fields: (index: number) => Record<string, ConvexValue> = () => ({})): ConvexDocument[] {
  const number = NUMBERS[table] ?? 10100;
  return Array.from({ length: count }, (_, offset) => {
    let value = start + offset;
    const id = newConvexId(number, (size) => {
      const bytes = new Uint8Array(size);
      for (let index = size - 1; index >= 0 && value > 0; index--) {
        bytes[index] = value & 0xff;
        value = Math.floor(value / 256);
      }
      return bytes;
    });
    return { _id: id, _creationTime: 1_700_000_000_000 + start + offset + 0.5, ...fields(start + offset) } as ConvexDocument;
  });
}

function asBulk(documents: ConvexDocument[]): BulkDocuments {
  return {
    ids: documents.map((document) => document._id),
    creationTimes: documents.map((document) => document._creationTime),
    texts: documents.map((document) => stringifyUniform(document)),
    fields: documents,
  };
}

function plan(naming: NamingGeneration, replace = false, extra: Partial<BulkLoadPlan> = {}): BulkLoadPlan {
  const entities = naming === 'legacy' ? 'things' : 'entities';
  return {
    replace,
    naming,
    tableNumbers: [
      ['groups', 10001],
      [entities, 10002],
      ['connections', 10003],
      ['events', 10004],
      ['knowledge', 10005],
    ],
    ...extra,
  };
}

/** Every document of a logical table, paging with a small page size and merging. */
async function readAll(documents: DocumentStore, table: OntologyTable): Promise<ConvexDocument[]> {
  const out: ConvexDocument[] = [];
  let cursor: string | null = null;
  do {
    const page = await documents.page(table, cursor, 7);
    out.push(...page.documents);
    cursor = page.continueCursor;
  } while (cursor !== null);
  return out;
}

/** Snapshot of what a reader sees: naming, and every document of every ontology table. */
async function visible(documents: DocumentStore): Promise<unknown> {
  const naming = (await documents.naming()).generation;
  const tables: Record<string, unknown[]> = {};
  for (const table of ['groups', 'entities', 'connections', 'events', 'knowledge'] as const) {
    tables[table] = (await readAll(documents, table)).map((document) => stringifyUniform(document));
  }
  const info = await documents.info();
  return { naming, tables, others: info.tables.filter((table) => table.logical === null) };
}

const groups = (start: number, count: number) => makeDocuments('groups', count, start, (index) => ({ slug: `group-${index}`, name: `Group ${index}` }));
const entities = (start: number, count: number, groupId: string) =>
  makeDocuments('entities', count, start, (index) => ({ groupId, type: 'lesson', name: `Entity ${index}`, properties: { order: BigInt(index) } }));

/** Declares the bulk-load contract for an adapter; `open` gives a fresh, empty store each time. */
export function bulkLoadContract(name: string, open: () => Promise<BulkLoadContractSubject>): void {
  describe(`BulkLoadPort contract: ${name}`, () => {
    async function withSubject(body: (subject: BulkLoadContractSubject) => Promise<void>): Promise<void> {
      const subject = await open();
      try {
        await body(subject);
      } finally {
        await subject.close();
      }
    }

    /** Loads groups and entities (in several writes) into the subject; returns what was written. */
    async function load(subject: BulkLoadContractSubject, options: { start?: number; replace?: boolean; naming?: NamingGeneration } = {}) {
      const start = options.start ?? 1;
      const naming = options.naming ?? 'current';
      const writtenGroups = groups(start, 3);
      const writtenEntities = entities(start + 100, 20, writtenGroups[0]!._id);
      const port = subject.port.bulkLoad();
      const before = await port.begin(plan(naming, options.replace));
      await port.write('groups', asBulk(writtenGroups));
      const entitiesTable = naming === 'legacy' ? 'things' : 'entities';
      for (let at = 0; at < writtenEntities.length; at += 6) await port.write(entitiesTable, asBulk(writtenEntities.slice(at, at + 6)));
      await port.commit();
      return { before, groups: writtenGroups, entities: writtenEntities };
    }

    it('begin, writes and commit make every document readable: by id, counted, and paged in write order', async () => {
      await withSubject(async (subject) => {
        const written = await load(subject);
        expect(written.before).toBe(0);
        expect(await subject.documents.count('groups')).toBe(3);
        expect(await subject.documents.count('entities')).toBe(20);
        expect(await subject.documents.get('entities', written.entities[13]!._id)).toEqual(written.entities[13]);
        // Pages of 7 merge to exactly the written documents, in the order they were written.
        expect(await readAll(subject.documents, 'entities')).toEqual(written.entities);
        expect(await readAll(subject.documents, 'groups')).toEqual(written.groups);
        expect((await subject.documents.findGroupBySlug('group-2'))?._id).toBe(written.groups[1]!._id);
        expect((await subject.documents.naming()).generation).toBe('current');
      });
    });

    it('keeps a table outside the ontology whole, and numbers it at commit', async () => {
      await withSubject(async (subject) => {
        const port = subject.port.bulkLoad();
        await port.begin(plan('current'));
        await port.write('settings', asBulk(makeDocuments('settings', 4, 1, (index) => ({ key: `k${index}` }))));
        await port.write('emptyTable', asBulk([]));
        await port.commit();
        const others = (await subject.documents.info()).tables.filter((table) => table.logical === null);
        expect(others).toEqual([{ name: 'settings', logical: null, documents: 4 }]);
      });
    });

    it('writes the legacy naming: entities go into things and the store reports legacy', async () => {
      await withSubject(async (subject) => {
        const written = await load(subject, { naming: 'legacy' });
        expect((await subject.documents.naming()).generation).toBe('legacy');
        expect(await readAll(subject.documents, 'entities')).toEqual(written.entities);
      });
    });

    it('abort leaves an empty store empty', async () => {
      await withSubject(async (subject) => {
        const before = await visible(subject.documents);
        const port = subject.port.bulkLoad();
        await port.begin(plan('legacy'));
        await port.write('groups', asBulk(groups(1, 3)));
        await port.abort();
        await port.abort();
        expect(await visible(subject.documents)).toEqual(before);
        expect(await subject.documents.count('groups')).toBe(0);
      });
    });

    it('abort of a replacing load leaves the previous data set, naming included', async () => {
      await withSubject(async (subject) => {
        await load(subject);
        const before = await visible(subject.documents);
        const port = subject.port.bulkLoad();
        expect(await port.begin(plan('legacy', true))).toBe(23);
        await port.write('groups', asBulk(groups(500, 2)));
        await port.abort();
        expect(await visible(subject.documents)).toEqual(before);
      });
    });

    it.each([
      ['within one write', (docs: ConvexDocument[]) => [[...docs, docs[1]!]]],
      ['across two writes', (docs: ConvexDocument[]) => [docs, [docs[2]!]]],
    ])('refuses a repeated id (%s): the load fails and abort leaves nothing', async (_case, split) => {
      await withSubject(async (subject) => {
        const port = subject.port.bulkLoad();
        await port.begin(plan('current'));
        const docs = groups(1, 4);
        const attempt = async () => {
          for (const part of split(docs)) await port.write('groups', asBulk(part));
          await port.commit();
        };
        // An adapter may find the duplicate at the write or only when it commits.
        const error = await attempt().then(
          () => null,
          (failure: unknown) => failure,
        );
        expect(error).toBeInstanceOf(DuplicateDocumentError);
        expect((error as DuplicateDocumentError).id).toBe(split(docs).flat().at(-1)!._id);
        await port.abort();
        expect(await subject.documents.count('groups')).toBe(0);
      });
    });

    it.each(['../escape', 'a/b', '', 'x'.repeat(65), '9lives'])('refuses the table name %j in the plan or in a write, and loads nothing', async (bad) => {
      await withSubject(async (subject) => {
        const planned = subject.port.bulkLoad();
        await expect(planned.begin({ ...plan('current'), tableNumbers: [[bad, 10060]] })).rejects.toBeInstanceOf(InvalidTableNameError);
        await planned.abort();
        const port = subject.port.bulkLoad();
        await port.begin(plan('current'));
        await port.write('groups', asBulk(groups(1, 2)));
        await expect(port.write(bad, asBulk(makeDocuments('settings', 1, 1)))).rejects.toBeInstanceOf(InvalidTableNameError);
        await port.abort();
        expect(await visible(subject.documents)).toEqual({ naming: 'current', tables: { groups: [], entities: [], connections: [], events: [], knowledge: [] }, others: [] });
      });
    });

    it('refuses a store holding documents without replace, and changes nothing', async () => {
      await withSubject(async (subject) => {
        await load(subject);
        const before = await visible(subject.documents);
        const port = subject.port.bulkLoad();
        const error = await port.begin(plan('legacy')).catch((failure: unknown) => failure);
        expect(error).toBeInstanceOf(StoreNotEmptyError);
        expect((error as StoreNotEmptyError).documents).toBe(23);
        await port.abort();
        expect(await visible(subject.documents)).toEqual(before);
      });
    });

    it('replace swaps the whole data set: old documents gone, new ones and their naming in', async () => {
      await withSubject(async (subject) => {
        const first = await load(subject);
        const second = await load(subject, { start: 1000, replace: true, naming: 'legacy' });
        expect(second.before).toBe(23);
        expect(await subject.documents.get('entities', first.entities[0]!._id)).toBeNull();
        expect(await readAll(subject.documents, 'entities')).toEqual(second.entities);
        expect(await readAll(subject.documents, 'groups')).toEqual(second.groups);
        expect((await subject.documents.naming()).generation).toBe('legacy');
      });
    });

    it('refuses to begin while another holder has the plan lease; its own, expired or no lease pass', async () => {
      await withSubject(async (subject) => {
        await subject.leases.acquireLease(DATA_SET_LEASE, 'migration-a', 60_000, 1_000);
        const held = subject.port.bulkLoad();
        const error = await held.begin(plan('current', false, { lease: { name: DATA_SET_LEASE, holder: 'import-b', now: 2_000 } })).catch((failure: unknown) => failure);
        expect(error).toBeInstanceOf(BulkLoadLeaseHeldError);
        expect((error as BulkLoadLeaseHeldError).lease).toMatchObject({ holder: 'migration-a', acquiredAt: 1_000 });
        await held.abort();
        expect(await subject.documents.count('groups')).toBe(0);
        for (const lease of [
          { name: DATA_SET_LEASE, holder: 'migration-a', now: 2_000 },
          { name: DATA_SET_LEASE, holder: 'import-b', now: 61_000 },
        ]) {
          const port = subject.port.bulkLoad();
          await port.begin(plan('current', true, { lease }));
          await port.write('groups', asBulk(groups(1, 1)));
          await port.commit();
        }
        expect(await subject.documents.count('groups')).toBe(1);
      });
    });
  });
}
