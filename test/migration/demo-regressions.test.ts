// @vitest-environment edge-runtime
/**
 * The demo data `npm start` seeds (2,000 legacy entities, seed 1): the migration's dry run names what it makes
 * worse, identically on the SQLite store and on a Convex deployment holding the same data set: the referential
 * integrity score drops from healthy to critical and 1,789 cross-group references appear (1,328 connections and
 * 461 events, into legacy-default), named per group on the other side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend, type Backend } from '../../src/backend.ts';
import type { DryRunReport } from '../../src/migration/types.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { createConvexHarness } from '../convex/harness.ts';
import { seedConvex, toDatasetIds } from '../convex/seed.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
/** The data set `npm start` seeds (src/main.ts). */
const DEMO = { entities: 2_000, seed: 1, now: NOW, legacy: true };

describe('the demo migration plan on both adapters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ontology-ops-demo-regressions-'));
  let sqlite: Backend;
  let convex: Backend;
  let fromConvex: Map<string, string>;

  beforeAll(async () => {
    sqlite = openBackend({ dbPath: join(dir, 'demo.db') });
    await seedStore(sqlite.bulkLoad, DEMO);
    const harness = createConvexHarness();
    convex = openBackend({ dbPath: join(dir, 'never-opened.db'), convex: { url: harness.url, deployKey: harness.deployKey, fetch: harness.fetch, sleep: async () => undefined } });
    fromConvex = (await seedConvex(harness, DEMO)).fromConvex;
  }, 300_000);

  afterAll(async () => {
    await sqlite.close();
    await convex.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dryRunOf = (backend: Backend): Promise<DryRunReport> => backend.migration({ now: () => NOW, backupDir: join(dir, 'backups') }).dryRun({ backup: false });

  it('SQLite: the integrity regression and the 1,789 references behind it, per table and group', async () => {
    const report = await dryRunOf(sqlite);
    const { regressions } = report;
    expect(regressions.worsened.map((change) => [change.metric, change.before, change.after, change.beforeStatus, change.afterStatus])).toEqual([
      ['referentialIntegrityScore', 99.6675, 75.1385, 'healthy', 'critical'],
      ['crossGroupViolations', 8, 1_797, 'critical', 'critical'],
    ]);
    expect(regressions.cause).toMatchObject({ connections: 1_328, events: 461, total: 1_789, into: 'legacy-default' });
    const byGroup = regressions.cause!.byGroup;
    expect(byGroup.map((group) => group.slug)).toEqual(['group-0001', 'group-0002', 'group-0003']);
    expect(byGroup.reduce((sum, group) => sum + group.connections, 0)).toBe(1_328);
    expect(byGroup.reduce((sum, group) => sum + group.events, 0)).toBe(461);
    // Most references first.
    const totals = byGroup.map((group) => group.connections + group.events);
    expect(totals).toEqual(totals.toSorted((a, b) => b - a));
    // Every metric is listed, improvements too.
    expect(regressions.metrics.find((change) => change.metric === 'schemaComplianceScore')).toMatchObject({ before: 10, after: 100, worse: false });
    // The pre-flight carries the same before → after.
    const preflight = await sqlite.migration({ now: () => NOW, backupDir: join(dir, 'backups') }).preflight({ backup: false });
    expect(preflight.regressions).toEqual(regressions);
  }, 120_000);

  it('Convex: the same plan, regressions included, paged within the deployment limits', async () => {
    const [onSqlite, onConvex] = [await dryRunOf(sqlite), await dryRunOf(convex)];
    expect(toDatasetIds(onConvex.regressions, fromConvex)).toEqual(onSqlite.regressions);
    expect(onConvex.predicted.crossGroupReferencesCreated).toEqual({ connections: 1_328, events: 461, total: 1_789 });
  }, 300_000);
});
