import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/quality/categories.ts';
import { computePiece, openReadOnly, plannedPieces, scanDatabaseFile, type PieceResult } from '../../src/store/sqlite/check-scan.ts';
import type { HelperJob, PieceHelper } from '../../src/store/sqlite/check-workers.ts';
import type { CheckScope } from '../../src/quality/port.ts';
import { buildFixture, EXPECTED_PLATFORM, NOW } from './fixtures.ts';

const SCOPE: CheckScope = { categories: CATEGORIES, groupId: null, now: NOW, issueLimit: 100, v1MigrationCompleted: false };

/** A helper that computes its pieces on a connection of its own, after `beforeReading` ran. */
function helperThat(beforeReading: () => void, options: { garbage?: boolean; fail?: boolean } = {}): PieceHelper & { jobs: number } {
  const helper = {
    jobs: 0,
    compute(databasePath: string, scope: CheckScope, pieces: Parameters<PieceHelper['compute']>[2]): HelperJob {
      helper.jobs++;
      beforeReading();
      if (options.fail) return { begun: Promise.reject(new Error('no thread')), results: Promise.reject(new Error('no thread')) };
      const database = openReadOnly(databasePath);
      database.exec('BEGIN');
      database.prepare('SELECT count(*) FROM sqlite_master').get();
      const results: PieceResult[] = pieces.map((piece) =>
        options.garbage ? new Int32Array(1_000).fill(0) : computePiece(database, scope, piece),
      );
      database.exec('COMMIT');
      database.close();
      return { begun: Promise.resolve(), results: Promise.resolve(results) };
    },
  };
  return helper;
}

describe('scanning with a helper thread', () => {
  it.each<[string, CheckScope, string[]]>([
    ['full check: the to-side and the property rules', SCOPE, ['references:connections.to_id', 'malformed']],
    [
      'critical subset: the to-side and the event targets',
      { ...SCOPE, categories: ['orphaned', 'crossGroup', 'missingGroupId'] },
      ['references:connections.to_id', 'references:events.target_id'],
    ],
    ['a group scope runs alone', { ...SCOPE, groupId: 'g' }, []],
  ])('plans the helper’s share (%s)', (_reason, scope, expected) => {
    const plan = plannedPieces(scope);
    const key = (piece: { kind: string; column?: string }) => (piece.column ? `${piece.kind}:${piece.column}` : piece.kind);
    expect(plan.helper.map(key)).toEqual(expected);
    // Every piece is planned exactly once.
    const all = [...plan.local, ...plan.helper].map(key);
    expect(new Set(all).size).toBe(all.length);
  });

  it('counts the same with the helper’s pieces as alone', async () => {
    const { path } = await buildFixture();
    const helper = helperThat(() => undefined);
    const { tally } = await scanDatabaseFile(path, SCOPE, helper);
    expect(helper.jobs).toBe(1);
    expect(tally.counts).toEqual(EXPECTED_PLATFORM);
  });

  it('ignores the helper when a write committed between the two snapshots', async () => {
    const { path, store, ids } = await buildFixture();
    // The write lands after the scan's snapshot and before the helper's; the helper's (here: wrong) pieces
    // must not be used, and the scan must count its own snapshot, without the new orphan.
    const helper = helperThat(
      () => void store.insertSync('connections', { groupId: ids.groupA!, fromEntityId: 'gone', toEntityId: 'gone', relationshipType: 'x' }),
      { garbage: true },
    );
    const { tally } = await scanDatabaseFile(path, SCOPE, helper);
    expect(tally.counts).toEqual(EXPECTED_PLATFORM);
  });

  it('computes everything itself when the helper fails', async () => {
    const { path } = await buildFixture();
    const { tally } = await scanDatabaseFile(path, SCOPE, helperThat(() => undefined, { fail: true }));
    expect(tally.counts).toEqual(EXPECTED_PLATFORM);
  });
});
