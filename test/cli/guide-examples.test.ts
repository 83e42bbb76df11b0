/**
 * The JSON examples of docs/data-quality-metrics.md are what the commands print: a change of the numbers or the
 * shape fails here until the guide is updated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { stopCheckWorker } from '../../src/store/sqlite/check-scan.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { buildFixture, NOW } from '../quality/fixtures.ts';

afterAll(() => stopCheckWorker());

const GUIDE = readFileSync(fileURLToPath(new URL('../../docs/data-quality-metrics.md', import.meta.url)), 'utf8');

/** The first ```json block after a heading of the guide, parsed. */
function exampleAfter(heading: string): Record<string, unknown> {
  const start = GUIDE.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const block = /```json\n([\s\S]*?)```/.exec(GUIDE.slice(start))![1]!;
  return JSON.parse(block) as Record<string, unknown>;
}

async function runJson(argv: string[]): Promise<Record<string, unknown>> {
  const io = captureIo();
  expect(await runCli(['--json', ...argv], io)).toBe(0);
  return JSON.parse(io.out()) as Record<string, unknown>;
}

describe('docs/data-quality-metrics.md examples', () => {
  it('metrics: the default demo store at 2026-11-01 prints exactly the example document', async () => {
    const db = join(tempDir(), 'demo.db');
    const now = ['--now', '2026-11-01T00:00:00Z'];
    expect(await runCli(['--db', db, ...now, 'seed'], captureIo())).toBe(0);
    expect(await runJson(['--db', db, ...now, 'metrics'])).toEqual(exampleAfter('### `ontology-ops metrics'));
  });

  it('check: the test fixture gives the example status, summary, details and first issue shape', async () => {
    const { path } = await buildFixture();
    const report = await runJson(['--db', path, '--now', String(NOW), 'check']);
    const example = exampleAfter('### `ontology-ops check');
    expect({ status: report.status, summary: report.summary, details: report.details }).toEqual({
      status: example.status,
      summary: example.summary,
      details: example.details,
    });
    const [first] = report.issues as Record<string, unknown>[];
    const [shown] = example.issues as Record<string, unknown>[];
    expect(Object.keys(first!)).toEqual(Object.keys(shown!));
    expect(first).toMatchObject({ category: shown!.category, severity: shown!.severity, table: shown!.table });
    expect(Object.keys(first!.metadata as object)).toEqual(Object.keys(shown!.metadata as object));
  });
});
