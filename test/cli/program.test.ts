import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { jsonReplacer, parseInstant, parseWholeNumber } from '../../src/cli/context.ts';
import { captureIo } from '../helpers/cli.ts';

describe('ontology-ops program', () => {
  it('prints help and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: ontology-ops');
  });

  it('rejects an unknown flag with one line and exit 1', async () => {
    const io = captureIo();
    expect(await runCli(['--bogus'], io)).toBe(1);
    expect(io.err().trim().split('\n')).toEqual(["ontology-ops: unknown option '--bogus'"]);
  });

  it('rejects an unknown command', async () => {
    const io = captureIo();
    expect(await runCli(['frobnicate'], io)).toBe(1);
    expect(io.err()).toMatch(/^ontology-ops: unknown command 'frobnicate'/);
  });
});

describe('argument parsing', () => {
  it.each([
    ['2026-01-02T03:04:05Z', Date.UTC(2026, 0, 2, 3, 4, 5), 'ISO 8601'],
    ['1700000000000', 1_700_000_000_000, 'epoch milliseconds'],
  ])('parseInstant(%s)', (raw, expected) => {
    expect(parseInstant(raw, '--now')).toBe(expected);
  });

  it('names the argument of a bad instant', () => {
    expect(() => parseInstant('tomorrow-ish', '--now')).toThrow(/--now must be an ISO 8601/);
  });

  it.each([['0'], ['-1'], ['1.5'], ['ten']])('parseWholeNumber refuses %s', (raw) => {
    expect(() => parseWholeNumber(raw, '--limit')).toThrow(/--limit must be a whole number/);
  });
});

describe('jsonReplacer (the --json output of Convex values)', () => {
  it.each<[unknown, string, string]>([
    [{ n: 12n }, '{"n":12}', 'a safe int64 is a number'],
    [{ n: 9007199254740993n }, '{"n":"9007199254740993"}', 'a larger int64 is a string, so no digit is lost'],
    [{ x: Number.NaN }, '{"x":{"$float":"AAAAAAAA+H8="}}', 'NaN keeps its value instead of becoming null'],
    [{ x: Number.NEGATIVE_INFINITY }, '{"x":{"$float":"AAAAAAAA8P8="}}', '-Infinity keeps its value'],
    [{ b: Uint8Array.from([1, 2, 3]).buffer }, '{"b":{"$bytes":"AQID"}}', 'bytes as base64'],
    [{ f: 2.5, s: 'x', z: null }, '{"f":2.5,"s":"x","z":null}', 'plain values as they are'],
  ])('%o → %s (%s)', (value, expected) => {
    expect(JSON.stringify(value, jsonReplacer)).toBe(expected);
  });
});

describe('which command module a run loads', () => {
  it.each([
    [['info'], 'info', 'a bare command'],
    [['--db', 'x.db', '--json', 'check', '--limit', '5'], 'check', 'after global options with and without values'],
    [['--now', '2026-01-01', 'monitor', 'run', 'daily'], 'monitor', 'a command with subcommands'],
    [['--help'], null, 'help loads every command to list them'],
    [['help', 'info'], null, 'the help command'],
    [['inf'], null, 'a typo: every command is loaded so the error can suggest one'],
    [[], null, 'no command'],
  ] as [string[], string | null, string][])('%j → %s (%s)', async (argv, expected) => {
    const { commandOf } = await import('../../src/cli/commands/index.ts');
    expect(commandOf(argv)).toBe(expected);
  });

  it('runs a command with only its own module loaded, and lists every command in --help', async () => {
    const { buildProgram } = await import('../../src/cli/program.ts');
    const only = await buildProgram(captureIo(), ['--db', 'x.db', 'info']);
    expect(only.program.commands.map((command) => command.name())).toEqual(['info']);
    const all = await buildProgram(captureIo(), ['--help']);
    expect(all.program.commands.map((command) => command.name())).toEqual([
      'seed', 'import', 'export', 'check', 'metrics', 'audit', 'versions', 'info', 'monitor', 'migrate', 'fix', 'rollback', 'migration-status',
    ]);
  });
});
