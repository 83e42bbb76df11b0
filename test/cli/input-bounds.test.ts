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

  it.each([
    ['2026-02-30', 'February 2026 has 28 days', '30 February (JavaScript reads it as 2 March)'],
    ['2026-02-29T12:00:00Z', 'February 2026 has 28 days', '29 February of a common year'],
    ['2026-04-31', 'April 2026 has 30 days', 'the 31st of a 30-day month'],
    ['2026-13-01', 'months run from 01 to 12', 'month 13'],
    ['2026-00-10', 'months run from 01 to 12', 'month 0'],
    ['2026-02-10T24:00:01Z', 'hours run from 00 to 23', 'hour 24'],
    ['2026-02-10T23:60:00Z', 'minutes run from 00 to 59', 'minute 60'],
    ['2026-02-10T23:59:60Z', 'seconds run from 00 to 59', 'a leap second, which a Date cannot hold'],
    ['2026-02-10T10:00:00+24:00', 'offsets run from -23:59 to +23:59', 'an offset of a whole day'],
  ])('refuses %s, a date the calendar does not have (%s: %s)', (raw, why) => {
    expect(() => parseInstant(raw, '--now')).toThrow(`--now must be a real date and time, got "${raw}" (${why}).`);
  });

  it.each([
    ['24:00:01', 'a time without a date'],
    ['Feb 30 2026', 'not ISO 8601 (JavaScript would roll it over to 2 March)'],
  ])('refuses %s (%s)', (raw) => {
    expect(() => parseInstant(raw, '--now')).toThrow(`--now must be an ISO 8601 date-time or epoch milliseconds, got "${raw}".`);
  });

  it.each([
    ['2024-02-29', Date.UTC(2024, 1, 29), 'a leap day'],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29), 'a leap day of a year divisible by 400'],
    ['2026-02-28T23:59:59.999Z', Date.UTC(2026, 1, 28, 23, 59, 59, 999), 'the last millisecond of February'],
    ['2026-11-27T02:00:00+05:30', Date.UTC(2026, 10, 26, 20, 30), 'an offset'],
  ])('accepts %s (%s)', (raw, expected) => {
    expect(parseInstant(raw, '--now')).toBe(expected);
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
    [['monitor', 'silence', 'crossGroupViolations', '--until', '2h', '--by', 'U1', '--reason', 'x'], 'monitor silence'],
    [['migrate', '--no-backup'], 'migrate'],
    [['monitor', 'run', 'daily'], 'monitor run'],
  ])('--now 2026-02-30 stops %s before it writes anything, instead of running on 2 March', async (argv) => {
    const db = await seededDb();
    const digest = digestOf(db);
    const result = await cli(['--db', db, '--now', '2026-02-30', ...argv]);
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toEqual(['ontology-ops: --now must be a real date and time, got "2026-02-30" (February 2026 has 28 days).']);
    expect(digestOf(db)).toBe(digest);
  });

  it.each([
    ['99999d', 'until the year 2300'],
    ['8d', 'a day longer than Slack allows'],
    ['2026-12-05T02:00:01Z', 'an instant one second past 7 days'],
  ])('monitor silence --until %s is refused like a Slack silence over 7 days (%s), and writes nothing', async (until) => {
    const db = await seededDb();
    const digest = digestOf(db);
    const result = await cli(['--db', db, '--now', NOW, 'monitor', 'silence', 'crossGroupViolations', '--until', until, '--by', 'U1', '--reason', 'x']);
    expect(result.code).toBe(1);
    const lines = result.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^ontology-ops: --until must be at most 7d from now, got "${until}" \\(.+\\): fix the threshold instead of a long silence\\.$`));
    expect(digestOf(db)).toBe(digest);
  });

  it('monitor silence --until 7d, the longest allowed, is recorded', async () => {
    const db = await seededDb();
    const result = await cli(['--db', db, '--now', NOW, '--json', 'monitor', 'silence', 'crossGroupViolations', '--until', '7d', '--by', 'U1', '--reason', 'x']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).until).toBe(Date.parse(NOW) + 7 * 86_400_000);
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
