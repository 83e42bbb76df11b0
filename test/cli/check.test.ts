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

  it('refuses a store file that does not exist instead of creating one', async () => {
    const dir = tempDir();
    const { code, err } = await run(['--db', `${dir}/missing.db`, 'check']);
    expect(code).toBe(1);
    expect(err).toMatch(/^ontology-ops: No store at .*missing\.db/);
  });
});
