import { describe, expect, it } from 'vitest';
import { CATEGORIES, CRITICAL_CATEGORIES } from '../../src/quality/categories.ts';
import { scanAll } from '../../src/quality/paging.ts';
import type { CheckScope } from '../../src/quality/port.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { SqliteCheckPort } from '../../src/store/sqlite/check-port.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { referenceScan } from '../helpers/reference-scan.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { buildFixture, EXPECTED_PLATFORM, NOW } from './fixtures.ts';

const ALL: CheckScope = { categories: CATEGORIES, groupId: null, now: NOW, issueLimit: 10_000, v1MigrationCompleted: false };

/** Scopes that exercise every branch of the scan (the group ones are added per store). */
const SCOPES: [string, CheckScope][] = [
  ['every issue, per group', { ...ALL, perGroup: true }],
  ['the critical subset, 3 issues each, after the migration', { ...ALL, categories: CRITICAL_CATEGORIES, issueLimit: 3, v1MigrationCompleted: true }],
  ['a check without metric counts', { ...ALL, metricCounts: false, issueLimit: 7 }],
  ['counts only', { ...ALL, issueLimit: 0 }],
  ['versions: entities only', { ...ALL, categories: [], tables: ['entities'], issueLimit: 0 }],
  ['cross-group and invalid metadata of connections and events', { ...ALL, categories: ['crossGroup', 'invalidMetadata'], tables: ['connections', 'events'] }],
];

/** Every scope above plus each group of the store alone (with and without per-group counts). */
async function scopesOf(store: SqliteStore): Promise<[string, CheckScope][]> {
  const groups = (store.database.prepare('SELECT id FROM groups ORDER BY id').pluck().all() as string[]).slice(0, 4);
  return [...SCOPES, ...groups.map((groupId, index): [string, CheckScope] => [`group ${groupId}`, { ...ALL, groupId, perGroup: index % 2 === 0 }])];
}

async function expectAgreement(store: SqliteStore): Promise<void> {
  const onePage = new SqliteCheckPort(store, { useWorker: false });
  const paged = new SqliteCheckPort(store, { useWorker: false, pageSize: 333 });
  for (const [name, scope] of await scopesOf(store)) {
    const reference = await referenceScan(store, scope);
    expect(await scanAll(onePage, scope), name).toEqual(reference);
    expect(await scanAll(paged, scope), `${name}, paged`).toEqual(reference);
  }
}

// The SQLite scan counts in SQL for speed; the pure rules judge one document at a time, as Convex will. Both
// must give the same counts, the same issues in the same order and the same per-group counts.
describe('the SQLite scan agrees with the pure rules run document by document', () => {
  it.each(['current', 'legacy'] as const)('on the hand-made fixture (%s naming)', async (generation) => {
    const { store } = await buildFixture(generation);
    expect((await referenceScan(store, ALL)).tally.counts).toEqual(EXPECTED_PLATFORM);
    await expectAgreement(store);
  });

  it.each([false, true])('on a seeded store with every planted defect (legacy: %s)', async (legacy) => {
    const { store } = tempStore();
    await seedStore(store, { entities: 800, legacy, seed: 11, now: NOW });
    await expectAgreement(store);
  });
});
