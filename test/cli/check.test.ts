import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { stopCheckWorker } from '../../src/store/sqlite/check-scan.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { buildFixture, NOW } from '../quality/fixtures.ts';

afterAll(() => stopCheckWorker());

async function run(argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('ontology-ops check', () => {
  it('prints the check report as one JSON document, critical issues first', async () => {
    const { path } = await buildFixture();
    const { code, out, err } = await run(['--db', path, '--json', '--now', String(NOW), 'check', '--limit', '4']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(Object.keys(report)).toEqual(['status', 'summary', 'details', 'categoryStatus', 'issues']);
    expect(report.status).toBe('critical');
    expect(report.summary.totalIssues).toBe(16);
    expect(report.issues).toHaveLength(4);
    expect(report.issues.every((issue: { severity: string }) => issue.severity === 'critical')).toBe(true);
  });

  it('scopes to a group given by slug and prints a table without --json', async () => {
    const { path } = await buildFixture();
    const { code, out } = await run(['--db', path, '--now', String(NOW), 'check', '--group', 'beta']);
    expect(code).toBe(0);
    // Beta's malformed entity is a large share of its entities: critical, as `metrics` judges it.
    expect(out).toContain('Integrity check: 🚨 critical: 2 issues (2 critical, 0 warning, 0 info)');
    expect(out).toMatch(/Cross-group references +│ 1 +│ 🚨 critical │ critical when > 0 /);
    expect(out).toMatch(/Malformed properties +│ 1 +│ 🚨 critical │ critical when > 0\.1%, healthy ≤ 0\.01% /);
    expect(out).toMatch(/Invalid metadata +│ 0 +│ ✅ healthy +│ warning when > 0 /);
  });

  it('checks a subset of categories given with --categories', async () => {
    const { path } = await buildFixture();
    // Blanks and a trailing comma are fine.
    const { code, out } = await run(['--db', path, '--json', 'check', '--categories', 'orphaned, crossGroup,']);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.details).toEqual({
      orphanedConnections: 4,
      orphanedKnowledge: 1,
      crossGroupReferences: 2,
      missingGroupIds: 0,
      invalidMetadata: 0,
      malformedProperties: 0,
    });
    expect(report.summary.totalIssues).toBe(7);
  });

  it('exits 0 with a healthy report on a clean group', async () => {
    const { path } = await buildFixture();
    const { code, out } = await run(['--db', path, '--json', 'check', '--group', 'empty']);
    expect(code).toBe(0);
    expect(JSON.parse(out).status).toBe('healthy');
  });

  it.each([
    [['check', '--group', 'nowhere'], /^ontology-ops: No group with id or slug "nowhere"/, 'an unknown group'],
    [['check', '--limit', '0'], /^ontology-ops: --limit must be a whole number ≥ 1, got "0"\./, 'a zero limit'],
    [['check', '--limit', 'lots'], /^ontology-ops: --limit must be a whole number ≥ 1, got "lots"\./, 'a limit that is not a number'],
    [['check', '--limit', '20000'], /^ontology-ops: --limit must be a whole number from 1 to 10000, got 20000\./, 'a limit over the maximum'],
    [['--now', 'soon', 'check'], /^ontology-ops: --now must be an ISO 8601/, 'a bad --now'],
    [['check', '--categories', 'orphaned,typos'], /^ontology-ops: Unknown check category typos: use one of orphaned, crossGroup/, 'an unknown category'],
    [['check', '--categories', ' , '], /^ontology-ops: --categories names no category: pass a comma-separated subset of orphaned, crossGroup/, 'no category at all'],
  ])('fails with one line and exit 1 on %o (%s)', async (argv, message) => {
    const { path } = await buildFixture();
    const { code, out, err } = await run(['--db', path, ...argv]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('prints the same report whatever ONTOLOGY_CHECK_THREADS shares the scan among', async () => {
    const { path } = await buildFixture();
    const outputs: string[] = [];
    for (const threads of ['1', '2', '4']) {
      const io = captureIo({ ONTOLOGY_CHECK_THREADS: threads });
      expect(await runCli(['--db', path, '--json', '--now', String(NOW), 'check', '--limit', '100'], io)).toBe(0);
      outputs.push(io.out());
    }
    expect(JSON.parse(outputs[0]!).summary.totalIssues).toBe(16);
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  });

  it.each([
    ['0', 'must be a whole number ≥ 1', 'no thread to check with'],
    ['many', 'must be a whole number ≥ 1', 'not a number'],
    ['65', 'must be at most 64', 'more threads than any machine here has cores'],
  ])('refuses ONTOLOGY_CHECK_THREADS=%s with one line (%s)', async (threads, message) => {
    const { path } = await buildFixture();
    const io = captureIo({ ONTOLOGY_CHECK_THREADS: threads });
    expect(await runCli(['--db', path, 'check'], io)).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err().trim()).toBe(`ontology-ops: Environment variable ONTOLOGY_CHECK_THREADS ${message}.`);
  });

  it('refuses a store file that does not exist instead of creating one', async () => {
    const dir = tempDir();
    const { code, err } = await run(['--db', `${dir}/missing.db`, 'check']);
    expect(code).toBe(1);
    expect(err).toMatch(/^ontology-ops: No store at .*missing\.db/);
  });
});
