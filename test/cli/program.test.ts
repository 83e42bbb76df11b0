import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { parseInstant, parseWholeNumber } from '../../src/cli/context.ts';
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
