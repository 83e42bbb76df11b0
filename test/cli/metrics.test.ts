import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { stopCheckWorker } from '../../src/store/sqlite/check-scan.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureIo } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { buildFixture, NOW } from '../quality/fixtures.ts';

afterAll(() => stopCheckWorker());

describe('ontology-ops metrics', () => {
  it('prints the metrics document with the --now instant as timestamp', async () => {
    const { path } = await buildFixture();
    const io = captureIo();
    expect(await runCli(['--db', path, '--json', '--now', new Date(NOW).toISOString(), 'metrics'], io)).toBe(0);
    const report = JSON.parse(io.out());
    expect(Object.keys(report)).toEqual([
      'timestamp',
      'groupId',
      'referentialIntegrityScore',
      'orphanedEntityCount',
      'crossGroupViolations',
      'missingGroupIds',
      'malformedPropertiesCount',
      'malformedPropertiesPercent',
      'schemaComplianceScore',
      'eventArchivalProgress',
      'invalidMetadataCount',
      'status',
      'statusByMetric',
    ]);
    expect(report).toMatchObject({ timestamp: NOW, groupId: null, referentialIntegrityScore: 45.4545, eventArchivalProgress: 50 });
  });

  it('scopes to a group and renders a table', async () => {
    const { path, ids } = await buildFixture();
    const io = captureIo();
    expect(await runCli(['--db', path, '--now', String(NOW), 'metrics', '--group', ids.groupA!], io)).toBe(0);
    expect(io.out()).toContain(`Data-quality metrics of group ${ids.groupA} as of 2026-11-01T00:00:00.000Z: 🚨 critical`);
    // The severity model's format: the score's 2 decimals, rounded down (28.5714 → 28.57%), with its rule.
    expect(io.out()).toMatch(/Referential integrity score +│ 28\.57% +│ 🚨 critical │ critical when < 95%, healthy ≥ 99% /);
    expect(io.out()).toMatch(/Invalid metadata +│ \d+ +│ (⚠️ warning|✅ healthy) +│ warning when > 0 /);
  });

  it('fails with one line on an unknown group', async () => {
    const { path } = await buildFixture();
    const io = captureIo();
    expect(await runCli(['--db', path, 'metrics', '--group', 'zzz'], io)).toBe(1);
    expect(io.err()).toMatch(/^ontology-ops: No group with id or slug "zzz"[^\n]*\n$/);
  });

  it('judges the metrics by the thresholds file named in ONTOLOGY_THRESHOLDS', async () => {
    const { path } = await buildFixture();
    const dir = tempDir();
    const thresholds = join(dir, 'thresholds.json');
    // The fixture's archival progress is 50%: critical by default (< 70), healthy with a lenient table.
    writeFileSync(thresholds, JSON.stringify({ eventArchivalProgress: { healthy: 40, warning: 30 } }));
    const strict = captureIo();
    expect(await runCli(['--db', path, '--json', '--now', String(NOW), 'metrics'], strict)).toBe(0);
    expect(JSON.parse(strict.out()).statusByMetric.eventArchivalProgress).toBe('critical');
    const lenient = captureIo({ ONTOLOGY_THRESHOLDS: thresholds });
    expect(await runCli(['--db', path, '--json', '--now', String(NOW), 'metrics'], lenient)).toBe(0);
    expect(JSON.parse(lenient.out()).statusByMetric.eventArchivalProgress).toBe('healthy');
  });
});
