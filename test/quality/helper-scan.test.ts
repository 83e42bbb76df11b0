import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/quality/categories.ts';
import { computeClaimedPieces, openReadOnly, scanDatabase, scanDatabaseFile, scanPieces, type PieceResult } from '../../src/store/sqlite/check-scan.ts';
import type { PieceHelper, SharedScanJob } from '../../src/store/sqlite/check-workers.ts';
import { PieceBoard } from '../../src/store/sqlite/piece-board.ts';
import type { CheckScope } from '../../src/quality/port.ts';
import { buildFixture, EXPECTED_PLATFORM, NOW } from './fixtures.ts';

const SCOPE: CheckScope = { categories: CATEGORIES, groupId: null, now: NOW, issueLimit: 100, v1MigrationCompleted: false };

/**
 * A helper that runs its share at once, on a connection of its own, after `beforeReading` ran: it claims every
 * piece (the scanning thread has not claimed any yet), so the scan's result is made of the helper's pieces.
 */
function helperThat(beforeReading: () => void, options: { garbage?: boolean; fail?: boolean } = {}): PieceHelper & { jobs: SharedScanJob[] } {
  const helper = {
    jobs: [] as SharedScanJob[],
    compute(job: SharedScanJob): Promise<[number, PieceResult][]> {
      helper.jobs.push(job);
      beforeReading();
      if (options.fail) return Promise.reject(new Error('no thread'));
      const computed = computeClaimedPieces(job);
      return Promise.resolve(options.garbage ? computed.map(([piece]): [number, PieceResult] => [piece, new Int32Array(1_000).fill(0)]) : computed);
    },
  };
  return helper;
}

describe('scanning with helper threads', () => {
  it.each<[string, CheckScope, string[]]>([
    [
      'full check: the property rules in slices first, then references and metadata',
      SCOPE,
      [
        'malformed:0/4',
        'malformed:1/4',
        'malformed:2/4',
        'malformed:3/4',
        'references:connections.from_id',
        'references:connections.to_id',
        'inverted',
        'payments:0/2',
        'payments:1/2',
        'references:events.actor_id',
        'references:events.target_id',
        'v1',
        'references:knowledge.source_id',
      ],
    ],
    [
      'critical subset: only the references',
      { ...SCOPE, categories: ['orphaned', 'crossGroup', 'missingGroupId'] },
      [
        'references:connections.from_id',
        'references:connections.to_id',
        'references:events.actor_id',
        'references:events.target_id',
        'v1',
        'references:knowledge.source_id',
      ],
    ],
    ['a group scope runs alone', { ...SCOPE, groupId: 'g' }, []],
  ])('shares out the pieces (%s)', (_reason, scope, expected) => {
    const key = (piece: ReturnType<typeof scanPieces>[number]) =>
      'column' in piece ? `${piece.kind}:${piece.column}` : 'slice' in piece && piece.slice ? `${piece.kind}:${piece.slice.index}/${piece.slice.of}` : piece.kind;
    expect(scanPieces(scope).map(key)).toEqual(expected);
  });

  it('counts and lists the same with the helper’s pieces as alone', async () => {
    const { path } = await buildFixture();
    const helper = helperThat(() => undefined);
    const shared = await scanDatabaseFile(path, SCOPE, [helper]);
    expect(helper.jobs).toHaveLength(1);
    // The helper computed every piece: the scanning thread found none left.
    const board = PieceBoard.of(helper.jobs[0]!.board, helper.jobs[0]!.threads);
    expect(Array.from({ length: board.pieces }, (_unused, piece) => board.ownerOf(piece))).toEqual(scanPieces(SCOPE).map(() => 1));
    expect(shared.tally.counts).toEqual(EXPECTED_PLATFORM);
    const database = openReadOnly(path);
    try {
      expect(shared).toEqual(scanDatabase(database, SCOPE));
    } finally {
      database.close();
    }
  });

  it('shares the pieces among several helpers and the scanning thread alike', async () => {
    const { path } = await buildFixture();
    // The first helper takes whatever is left when it is called; the second finds nothing left.
    const first = helperThat(() => undefined);
    const second = helperThat(() => undefined);
    const { tally } = await scanDatabaseFile(path, SCOPE, [first, second]);
    expect(tally.counts).toEqual(EXPECTED_PLATFORM);
    const board = PieceBoard.of(second.jobs[0]!.board, second.jobs[0]!.threads);
    expect(new Set(Array.from({ length: board.pieces }, (_unused, piece) => board.ownerOf(piece)))).toEqual(new Set([1]));
  });

  it('ignores a helper when a write committed between the two snapshots', async () => {
    const { path, store, ids } = await buildFixture();
    // The write lands after the scan's snapshot and before the helper's; the helper's (here: wrong) pieces
    // must not be used, and the scan must count its own snapshot, without the new orphan.
    const helper = helperThat(
      () => void store.insertSync('connections', { groupId: ids.groupA!, fromEntityId: 'gone', toEntityId: 'gone', relationshipType: 'x' }),
      { garbage: true },
    );
    const { tally } = await scanDatabaseFile(path, SCOPE, [helper]);
    expect(tally.counts).toEqual(EXPECTED_PLATFORM);
  });

  it('computes everything itself when the helper fails', async () => {
    const { path } = await buildFixture();
    const { tally } = await scanDatabaseFile(path, SCOPE, [helperThat(() => undefined, { fail: true })]);
    expect(tally.counts).toEqual(EXPECTED_PLATFORM);
  });
});
