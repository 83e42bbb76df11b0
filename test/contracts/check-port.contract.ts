/**
 * The contract every check port adapter passes (SQLite now, Convex next): a small world seeded through
 * `DocumentStore.insert`, then scans paged through the port only. Pages must merge to exactly what the pure
 * rules give document by document (`referenceScan`) and to hand-counted numbers; cursors must resume exactly;
 * group scope, issue limit, per-group counts, the issues' groupId and group paging must hold.
 *
 * Seeding goes through `DocumentStore.insert` for now; it should move to the bulk-load port once that exists.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.ts';
import { groupIdOf, logicalTable } from '../../src/ontology/naming.ts';
import type { ConvexValue } from '../../src/ontology/values.ts';
import { CATEGORIES, CRITICAL_CATEGORIES, type Category } from '../../src/quality/categories.ts';
import { allGroupIds, emptyScanResult, mergeScanResults, scanAll } from '../../src/quality/paging.ts';
import type { CheckPort, CheckScope, ScanPage } from '../../src/quality/port.ts';
import { emptyCounts, type QualityCounts } from '../../src/quality/tally.ts';
import type { DocumentStore } from '../../src/store/port.ts';
import { referenceScan } from '../helpers/reference-scan.ts';

/** What a contract run needs from an adapter. */
export interface CheckPortHandles {
  port: CheckPort;
  /** The same store's documents: the contract seeds through `insert` and reads back through `get`/`page`. */
  documents: DocumentStore;
  /** An id shaped like an entity id that names no entity (a new one per call). */
  danglingEntityId: () => string;
  close: () => Promise<void>;
}

const NOW = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

const SCOPE: CheckScope = { categories: CATEGORIES, groupId: null, now: NOW, issueLimit: 100, v1MigrationCompleted: false };

/** Ids of the seeded world by role. */
type World = Record<string, string>;

/**
 * Five groups (two empty), five entities, seven connections, five events, four knowledge records, with every
 * defect at least once. The comments give the hand count the contract expects.
 */
async function seedWorld(documents: DocumentStore, dangling: () => string): Promise<World> {
  const ids: World = {};
  const add = async (role: string, table: 'groups' | 'entities' | 'connections' | 'events' | 'knowledge', fields: Record<string, ConvexValue>) => {
    ids[role] = (await documents.insert(table, fields))._id;
  };
  for (const slug of ['g1', 'g2', 'g3', 'g4', 'g5']) await add(slug, 'groups', { slug, name: slug.toUpperCase() });
  const [g1, g2, g3] = [ids.g1!, ids.g2!, ids.g3!];
  await add('e1', 'entities', { groupId: g1, type: 'creator', name: 'Ann', properties: { role: 'host' }, schemaVersion: 1 });
  await add('e2', 'entities', { groupId: g1, type: 'product', name: 'Kit', properties: { price: -1, currency: 'usd' } }); // malformed
  await add('e3', 'entities', { groupId: g2, type: 'blog_post', name: 'Post', properties: { title: 'T', content: 'C' }, schemaVersion: 1 });
  await add('e4', 'entities', { type: 'agent', name: 'Bot', properties: {} }); // no groupId
  await add('e5', 'entities', { groupId: g3, type: 'organization', name: 'Org', properties: { plan: 'pro' } });
  const link = (groupId: string | null, from: string, to: string, extra: Record<string, ConvexValue> = {}) => ({
    ...(groupId === null ? {} : { groupId }),
    fromEntityId: from,
    toEntityId: to,
    relationshipType: 'owns',
    ...extra,
  });
  await add('c1', 'connections', link(g1, ids.e1!, ids.e2!, { validFrom: 1, validTo: 2 }));
  await add('c2', 'connections', link(g1, ids.e1!, dangling())); // orphaned
  await add('c3', 'connections', link(g1, ids.e1!, ids.e3!)); // cross-group
  await add('c4', 'connections', link(null, ids.e3!, ids.e4!)); // no groupId; e4 has no group: not cross-group
  await add('c5', 'connections', link(g2, dangling(), dangling())); // orphaned
  await add('c6', 'connections', link(g3, ids.e5!, ids.e5!, { validFrom: 10, validTo: 5 })); // inverted window
  await add('c7', 'connections', link(g2, ids.e3!, ids.e1!)); // cross-group
  const payment = (metadata: ConvexValue) => ({ type: 'payment_event', actorId: ids.e1!, targetId: ids.e2!, timestamp: NOW - DAY, metadata });
  await add('v1', 'events', { groupId: g1, ...payment({ protocol: 'x402', status: 'processed', amount: 5 }) });
  await add('v2', 'events', { groupId: g1, ...payment({ protocol: 'bogus', status: 'processed', amount: 5 }) }); // invalid
  await add('v3', 'events', { groupId: g2, type: 'user_login', actorId: ids.e3!, targetId: ids.e1!, timestamp: NOW - 400 * DAY, archived: true }); // cross-group, old
  await add('v4', 'events', { type: 'user_login', actorId: ids.e1!, targetId: dangling(), timestamp: NOW - DAY }); // no groupId
  await add('v5', 'events', { groupId: g3, type: 'entity_created', actorId: ids.e5!, timestamp: NOW - 366 * DAY }); // old
  await add('k1', 'knowledge', { groupId: g1, knowledgeType: 'document', sourceThingId: ids.e1! });
  await add('k2', 'knowledge', { groupId: g2, knowledgeType: 'document', sourceThingId: dangling() }); // orphaned
  await add('k3', 'knowledge', { knowledgeType: 'chunk', sourceThingId: ids.e3! }); // no groupId
  await add('k4', 'knowledge', { groupId: g3, knowledgeType: 'label' });
  return ids;
}

const PLATFORM: QualityCounts = {
  entities: 5,
  connections: 7,
  events: 5,
  knowledge: 4,
  knowledgeWithSource: 3,
  orphanedConnections: 2,
  orphanedKnowledge: 1,
  crossGroupConnections: 2,
  crossGroupEvents: 1,
  entitiesMissingGroupId: 1,
  connectionsMissingGroupId: 1,
  eventsMissingGroupId: 1,
  knowledgeMissingGroupId: 1,
  invalidMetadataConnections: 1,
  invalidMetadataEvents: 1,
  malformedProperties: 1,
  v1Entities: 2,
  eventsOlderThanYear: 2,
  archivedEventsOlderThanYear: 1,
};

const GROUP_1: QualityCounts = {
  ...emptyCounts(),
  entities: 2,
  connections: 3,
  events: 2,
  knowledge: 1,
  knowledgeWithSource: 1,
  orphanedConnections: 1,
  crossGroupConnections: 1,
  invalidMetadataEvents: 1,
  malformedProperties: 1,
  v1Entities: 1,
};

/** Kept issues by category, in scan order (tables in order, records in storage order). */
const ISSUE_ROLES: Record<Category, string[]> = {
  orphaned: ['c2', 'c5', 'k2'],
  crossGroup: ['c3', 'c7', 'v3'],
  missingGroupId: ['e4', 'c4', 'v4', 'k3'],
  invalidMetadata: ['c6', 'v2'],
  malformedProperties: ['e2'],
};

/** Every page of a scan, with the cursor that asked for it. */
async function allPages(port: CheckPort, scope: CheckScope): Promise<{ cursor: string | null; page: ScanPage }[]> {
  const pages: { cursor: string | null; page: ScanPage }[] = [];
  let cursor: string | null = null;
  do {
    const page = await port.scanPage(scope, cursor);
    pages.push({ cursor, page });
    cursor = page.continueCursor;
    if (pages.length > 10_000) throw new Error('The scan did not end after 10,000 pages.');
  } while (cursor !== null);
  return pages;
}

/** Declares the check port contract for one adapter. */
export function checkPortContract(name: string, open: () => Promise<CheckPortHandles>): void {
  /** Opens the adapter, seeds the world, runs `body`, closes. */
  const withWorld = async (body: (handles: CheckPortHandles, ids: World) => Promise<void>) => {
    const handles = await open();
    try {
      await body(handles, await seedWorld(handles.documents, handles.danglingEntityId));
    } finally {
      await handles.close();
    }
  };

  describe(`check port contract: ${name}`, () => {
    it('counts the hand-counted world and keeps issues per category in scan order', () =>
      withWorld(async ({ port }, ids) => {
        const { tally } = await scanAll(port, SCOPE);
        expect(tally.counts).toEqual(PLATFORM);
        for (const category of CATEGORIES) {
          expect(tally.issues[category].map((issue) => issue.recordId), category).toEqual(ISSUE_ROLES[category].map((role) => ids[role]));
        }
        expect(await port.v1MigrationCompleted()).toBe(false);
      }));

    it('merges its pages to exactly what the pure rules give document by document', () =>
      withWorld(async ({ port, documents }, ids) => {
        const scopes: CheckScope[] = [
          { ...SCOPE, perGroup: true },
          { ...SCOPE, categories: CRITICAL_CATEGORIES, issueLimit: 2, v1MigrationCompleted: true },
          { ...SCOPE, metricCounts: false },
          { ...SCOPE, categories: [], tables: ['entities'], issueLimit: 0 },
          { ...SCOPE, categories: ['crossGroup'], tables: ['events', 'knowledge'] },
          { ...SCOPE, groupId: ids.g2!, perGroup: true },
          { ...SCOPE, groupId: ids.g4! },
        ];
        for (const scope of scopes) expect(await scanAll(port, scope), JSON.stringify(scope)).toEqual(await referenceScan(documents, scope));
      }));

    it('resumes exactly from every cursor it hands out', () =>
      withWorld(async ({ port }) => {
        const scope = { ...SCOPE, perGroup: true, issueLimit: 1 };
        const pages = await allPages(port, scope);
        const whole = await scanAll(port, scope);
        for (let index = 0; index < pages.length; index++) {
          // Asking again with the same cursor gives the same page, and the rest of the scan from there merges,
          // after the pages before it, to the whole.
          expect(await port.scanPage(scope, pages[index]!.cursor)).toEqual(pages[index]!.page);
          let merged = emptyScanResult(scope);
          for (const { page } of pages.slice(0, index)) merged = mergeScanResults(merged, page.result, scope);
          let cursor = pages[index]!.cursor;
          do {
            const page = await port.scanPage(scope, cursor);
            merged = mergeScanResults(merged, page.result, scope);
            cursor = page.continueCursor;
          } while (cursor !== null);
          expect(merged).toEqual(whole);
        }
      }));

    it('scopes to one group: only records whose own groupId it is, references looked up in every group', () =>
      withWorld(async ({ port }, ids) => {
        const { tally } = await scanAll(port, { ...SCOPE, groupId: ids.g1! });
        expect(tally.counts).toEqual(GROUP_1);
        const issues = CATEGORIES.flatMap((category) => tally.issues[category]);
        expect(issues.map((issue) => issue.recordId).sort()).toEqual([ids.c2, ids.c3, ids.v2, ids.e2].sort());
        for (const issue of issues) expect(issue.groupId).toBe(ids.g1);
        expect((await scanAll(port, { ...SCOPE, groupId: ids.g5! })).tally.counts).toEqual(emptyCounts());
      }));

    it('keeps at most the issue limit per category, the first in scan order, without changing a count', () =>
      withWorld(async ({ port }, ids) => {
        const { tally } = await scanAll(port, { ...SCOPE, issueLimit: 1 });
        expect(tally.counts).toEqual(PLATFORM);
        for (const category of CATEGORIES) expect(tally.issues[category].map((issue) => issue.recordId)).toEqual([ids[ISSUE_ROLES[category][0]!]]);
        const countsOnly = await scanAll(port, { ...SCOPE, issueLimit: 0 });
        expect(countsOnly.tally.counts).toEqual(PLATFORM);
        for (const category of CATEGORIES) expect(countsOnly.tally.issues[category]).toEqual([]);
      }));

    it.each([
      ['café', 'non-ASCII'],
      ['$legacy', "starts with '$'"],
      ['g'.repeat(2_000), 'longer than a field name may be'],
      ['', 'empty: no group, as `groupIdOf` rules, so counted with the records missing one'],
    ])('counts per group any groupId string: %# (%s)', async (groupId) => {
      const handles = await open();
      try {
        // Records of a group that is not in the groups table: exactly the messy data the checks exist to find.
        const entity = (await handles.documents.insert('entities', { type: 'agent', name: 'odd', properties: {}, groupId }))._id;
        await handles.documents.insert('connections', { fromEntityId: entity, toEntityId: entity, relationshipType: 'owns', groupId });
        const { tally, groups } = await scanAll(handles.port, { ...SCOPE, perGroup: true });
        if (groupId === '') {
          expect(groups).toEqual([]);
          expect(tally.counts.entitiesMissingGroupId).toBe(1);
          return;
        }
        expect(groups!.map((group) => group.groupId)).toEqual([groupId]);
        const alone = await scanAll(handles.port, { ...SCOPE, groupId });
        expect(groups![0]!.counts).toEqual(alone.tally.counts);
        expect(alone.tally.counts.entities).toBe(1);
        expect(alone.tally.counts.connections).toBe(1);
      } finally {
        await handles.close();
      }
    });

    it('counts per group what scoping each group counts, and the groups sum to the records with a groupId', () =>
      withWorld(async ({ port }, ids) => {
        const { tally, groups } = await scanAll(port, { ...SCOPE, perGroup: true });
        expect(tally.counts).toEqual(PLATFORM);
        expect(groups!.map((group) => group.groupId).sort()).toEqual([ids.g1, ids.g2, ids.g3].sort());
        for (const role of ['g1', 'g2', 'g3', 'g4', 'g5']) {
          const alone = await scanAll(port, { ...SCOPE, groupId: ids[role]! });
          expect(groups!.find((group) => group.groupId === ids[role])?.counts ?? emptyCounts(), role).toEqual(alone.tally.counts);
        }
        const sum = (field: keyof QualityCounts) => groups!.reduce((total, group) => total + group.counts[field], 0);
        expect(sum('entities')).toBe(PLATFORM.entities - PLATFORM.entitiesMissingGroupId);
        expect(sum('connections')).toBe(PLATFORM.connections - PLATFORM.connectionsMissingGroupId);
        expect(sum('events')).toBe(PLATFORM.events - PLATFORM.eventsMissingGroupId);
        expect(sum('knowledge')).toBe(PLATFORM.knowledge - PLATFORM.knowledgeMissingGroupId);
        // k3 (no groupId) has a source; v4 (no groupId) is neither old nor cross-group.
        expect(sum('knowledgeWithSource')).toBe(PLATFORM.knowledgeWithSource - 1);
        expect(sum('crossGroupConnections') + sum('crossGroupEvents') + sum('orphanedConnections')).toBe(5);
      }));

    it("gives every issue its record's own groupId", () =>
      withWorld(async ({ port, documents }) => {
        const { tally } = await scanAll(port, { ...SCOPE, v1MigrationCompleted: true });
        const issues = CATEGORIES.flatMap((category) => tally.issues[category]);
        expect(issues).toHaveLength(13);
        for (const issue of issues) {
          const record = await documents.get(logicalTable(issue.table)!, issue.recordId);
          expect(record, issue.recordId).not.toBeNull();
          expect(issue.groupId, issue.description).toBe(groupIdOf(record!));
        }
        expect(tally.issues.missingGroupId.every((issue) => issue.groupId === null && issue.severity === 'critical')).toBe(true);
      }));

    it('lists every group exactly once across its group pages', () =>
      withWorld(async ({ port }, ids) => {
        const listed: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await port.groupPage(cursor);
          listed.push(...page.groupIds);
          cursor = page.continueCursor;
        } while (cursor !== null && listed.length <= 10);
        expect(cursor).toBeNull();
        const groups = ['g1', 'g2', 'g3', 'g4', 'g5'].map((role) => ids[role]!).sort();
        expect([...listed].sort()).toEqual(groups);
        expect(await allGroupIds(port)).toEqual(groups);
      }));

    it('refuses a cursor it did not hand out', () =>
      withWorld(async ({ port }) => {
        await expect(port.scanPage(SCOPE, 'not-a-cursor')).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(port.groupPage('not-a-cursor')).rejects.toBeInstanceOf(InvalidArgumentError);
      }));
  });
}
