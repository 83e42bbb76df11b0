import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_INSTANT, parseInstant, parseInstantOrDuration, parseWholeNumber } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/program.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { storeDigest } from '../snapshot/helpers.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-store.ts';

const NOW = '2026-11-27T02:00:00Z';
const HUGE = '9999999999999999999999';

async function seededDb(): Promise<string> {
  const path = join(tempDir(), 'ontology.db');
  const store = SqliteStore.open(path);
  try {
    await seedStore(store, { entities: 40, seed: 3, now: Date.parse(NOW) });
  } finally {
    store.close();
  }
  return path;
}

async function cli(argv: string[]) {
  const io = captureIo({ USER: 'dana' });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

function digestOf(path: string): string {
  const store = SqliteStore.open(path, { readonly: true });
  try {
    return storeDigest(store);
  } finally {
    store.close();
  }
}

describe('parseInstant: only real dates from 1970 to 9999', () => {
  it.each([
    ['0', 0, 'the epoch itself'],
    ['9999-12-31T23:59:59.999Z', MAX_INSTANT, 'the last millisecond of year 9999'],
    [String(MAX_INSTANT), MAX_INSTANT, 'the same as epoch milliseconds'],
  ])('accepts %s (%s)', (raw, expected) => {
    expect(parseInstant(raw, '--now')).toBe(expected);
  });

  it.each([
    [HUGE, 'far beyond what a Date holds (was stored, then broke every status)'],
    ['-1', 'before 1970'],
    ['1969-12-31T23:59:59Z', 'an ISO date before 1970'],
    ['+010000-01-01T00:00:00Z', 'year 10000'],
    ['+275760-09-13T00:00:00.000Z', 'the largest date JavaScript holds'],
    [String(MAX_INSTANT + 1), 'one millisecond after year 9999'],
    ['1e400', 'not a plain number'],
  ])('refuses %s (%s)', (raw) => {
    expect(() => parseInstant(raw, '--now')).toThrow(/^--now must be /);
  });

  it('range-checks an instant given as a duration from now', () => {
    expect(parseInstantOrDuration('2h', '--until', Date.parse(NOW))).toBe(Date.parse(NOW) + 2 * 3_600_000);
    expect(() => parseInstantOrDuration('99999999999d', '--until', Date.parse(NOW))).toThrow(/^--until must be an instant from 1970/);
    expect(() => parseInstantOrDuration(HUGE, '--until', Date.parse(NOW))).toThrow(/^--until must be an instant from 1970/);
  });

  it.each([
    ['10001', 10_000, /--batch-size must be at most 10000, got "10001"/, 'above the maximum'],
    ['0', 10_000, /--batch-size must be a whole number ≥ 1, got "0"/, 'below the minimum'],
  ])('parseWholeNumber(%s) with an upper bound', (raw, max, error) => {
    expect(() => parseWholeNumber(raw, '--batch-size', 1, max)).toThrow(error);
  });
});

describe('out-of-range input is refused before anything is written', () => {
  it('monitor silence with an --until beyond year 9999 writes no silence, and status keeps working', async () => {
    const db = await seededDb();
    const before = await cli(['--db', db, '--now', NOW, '--json', 'monitor', 'status']);
    expect(before.code).toBe(0);
    for (const until of [HUGE, '99999999999d']) {
      const result = await cli(['--db', db, '--now', NOW, 'monitor', 'silence', 'crossGroupViolations', '--until', until, '--by', 'U1', '--reason', 'x']);
      expect(result.code).toBe(1);
      expect(result.err.trim().split('\n')).toEqual([`ontology-ops: --until must be an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got "${until}".`]);
    }
    const status = await cli(['--db', db, '--now', NOW, '--json', 'monitor', 'status']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out).silences).toEqual([]);
    expect((await cli(['--db', db, '--now', NOW, 'monitor', 'status'])).code).toBe(0);
  });

  it.each([
    [['monitor', 'silence', 'crossGroupViolations', '--until', '2h', '--by', 'U1', '--reason', 'x'], 'monitor silence'],
    [['migrate', '--no-backup'], 'migrate'],
    [['monitor', 'run', 'daily'], 'monitor run'],
  ])('a bad --now stops %s before it writes anything', async (argv) => {
    const db = await seededDb();
    const digest = digestOf(db);
    const result = await cli(['--db', db, '--now', HUGE, ...argv]);
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toEqual([`ontology-ops: --now must be an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got "${HUGE}".`]);
    expect(digestOf(db)).toBe(digest);
    const status = await cli(['--db', db, '--now', NOW, '--json', 'migration-status']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out).runs).toEqual([]);
    const monitors = await cli(['--db', db, '--now', NOW, '--json', 'monitor', 'status']);
    expect(monitors.code).toBe(0);
    expect(JSON.parse(monitors.out)).toMatchObject({ silences: [], runs: [] });
  });

  it.each([
    [['migrate', '--batch-size', '10001'], /^ontology-ops: --batch-size must be at most 10000, got "10001"\.$/],
    [['rollback', '--run', 'r1', '--batch-size', '50000'], /^ontology-ops: --batch-size must be at most 10000, got "50000"\.$/],
    [['migration-status', '--limit', '10001'], /^ontology-ops: --limit must be at most 10000, got "10001"\.$/],
    [['monitor', 'status', '--limit', '99999999'], /^ontology-ops: --limit must be at most 10000, got "99999999"\.$/],
    [['audit', 'x', '--limit', '10001'], /^ontology-ops: --limit must be at most 10000, got "10001"\.$/],
    [['migrate', '--lease-ttl', '9999999999'], /^ontology-ops: --lease-ttl must be at most 86400, got "9999999999"\.$/],
  ])('%j is refused with one line', async (argv, error) => {
    const db = await seededDb();
    const digest = digestOf(db);
    const result = await cli(['--db', db, '--now', NOW, ...argv]);
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err.trim()).toMatch(error);
    expect(digestOf(db)).toBe(digest);
  });

  it('seed --entities above 5,000,000 is refused without creating a store', async () => {
    const db = join(tempDir(), 'new.db');
    const result = await cli(['--db', db, 'seed', '--entities', '5000001']);
    expect(result.code).toBe(1);
    expect(result.err.trim()).toBe('ontology-ops: --entities must be at most 5000000, got "5000001".');
    expect(existsSync(db)).toBe(false);
  });
});

describe('ontology-ops --version', () => {
  it.each([['--version'], ['-V']])('%s prints the package version', async (flag) => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await cli([flag]);
    expect(result.code).toBe(0);
    expect(result.out).toBe(`${version}\n`);
  });
});
