import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError } from '../../src/errors.ts';
import { CATEGORIES, CRITICAL_CATEGORIES } from '../../src/quality/categories.ts';
import { sqliteQualityService } from '../helpers/quality-service.ts';
import { scanAll } from '../../src/quality/paging.ts';
import { SqliteCheckPort, stopCheckWorker, warmUpCheckWorker } from '../../src/store/sqlite/check-port.ts';
import { META_KEYS } from '../../src/store/sqlite/sqlite-store.ts';
import { buildFixture, EXPECTED_GROUP_A, EXPECTED_GROUP_B, EXPECTED_PLATFORM, NOW, SECRET } from './fixtures.ts';

afterAll(() => stopCheckWorker());

const SCOPE = { categories: CATEGORIES, groupId: null, now: NOW, issueLimit: 100, v1MigrationCompleted: false };

describe.each(['current', 'legacy'] as const)('checks over the %s naming', (generation) => {
  it('counts every category exactly, each record at most once per category', async () => {
    const { store } = await buildFixture(generation);
    const { tally } = await scanAll(new SqliteCheckPort(store, { useWorker: false }), SCOPE);
    expect(tally.counts).toEqual(EXPECTED_PLATFORM);
  });

  it.each([
    ['groupA', EXPECTED_GROUP_A, 'counts only records whose own groupId is A, looking up entities of every group'],
    ['groupB', EXPECTED_GROUP_B, 'group B sees the cross-group event it owns'],
  ])('scopes to %s (%s)', async (role, expected) => {
    const { store, ids } = await buildFixture(generation);
    const { tally } = await scanAll(new SqliteCheckPort(store, { useWorker: false }), { ...SCOPE, groupId: ids[role]! });
    expect(tally.counts).toEqual(expected);
  });

  it('names the physical table and the naming’s endpoint fields in issues', async () => {
    const { store, ids } = await buildFixture(generation);
    const report = await sqliteQualityService(store, { useWorker: false }).check({ now: NOW });
    const entitiesTable = generation === 'legacy' ? 'things' : 'entities';
    const [fromField, toField] = generation === 'legacy' ? ['fromThingId', 'toThingId'] : ['fromEntityId', 'toEntityId'];
    const byRecord = new Map(report.issues.map((issue) => [`${issue.category}:${issue.recordId}`, issue]));
    expect(byRecord.get(`orphaned:${ids.c3}`)?.metadata.missing).toEqual([fromField, toField]);
    expect(byRecord.get(`orphaned:${ids.c2}`)?.metadata.missing).toEqual([toField]);
    expect(byRecord.get(`orphaned:${ids.c8}`)).toMatchObject({
      metadata: { fromId: null, toId: ids.a1, missing: [fromField] },
      description: `Connection ${ids.c8} has no ${fromField}.`,
    });
    // 2 of the fixture's 5 entities are malformed: 40 % is far above the 0.1 % critical bound.
    expect(byRecord.get(`malformedProperties:${ids.a2}`)).toMatchObject({
      table: entitiesTable,
      severity: 'critical',
      metadata: { entityType: 'product', fields: ['currency', 'price'] },
    });
    expect(byRecord.get(`missingGroupId:${ids.n1}`)).toMatchObject({ table: entitiesTable, severity: 'info', groupId: null });
    // Every issue carries its record's own groupId, so no consumer has to look the record up.
    expect(byRecord.get(`orphaned:${ids.c2}`)?.groupId).toBe(ids.groupA);
    expect(byRecord.get(`crossGroup:${ids.e3}`)?.groupId).toBe(ids.groupB);
    expect(byRecord.get(`malformedProperties:${ids.o1}`)?.groupId).toBe(ids.groupB);
    expect(byRecord.get(`orphaned:${ids.c7}`)?.groupId).toBeNull();
  });
});

describe('check report', () => {
  it('has the specified shape, summary and details', async () => {
    const { store } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).check({ now: NOW });
    expect(Object.keys(report)).toEqual(['status', 'summary', 'details', 'categoryStatus', 'issues']);
    expect(report.details).toEqual({
      orphanedConnections: 4,
      orphanedKnowledge: 1,
      crossGroupReferences: 2,
      missingGroupIds: 5,
      invalidMetadata: 2,
      malformedProperties: 2,
    });
    expect(report.summary).toEqual({ totalIssues: 16, criticalIssues: 9, warningIssues: 2, infoIssues: 5 });
    expect(report.categoryStatus).toEqual({ orphaned: 'critical', crossGroup: 'critical', missingGroupId: 'info', invalidMetadata: 'warning', malformedProperties: 'critical' });
    expect(report.status).toBe('critical');
    expect(report.issues).toHaveLength(16);
    for (const issue of report.issues) {
      expect(Object.keys(issue)).toEqual(['category', 'severity', 'table', 'recordId', 'groupId', 'description', 'metadata']);
    }
  });

  it('lists critical issues first and stops at the limit', async () => {
    const { store } = await buildFixture();
    const service = sqliteQualityService(store, { useWorker: false });
    const all = await service.check({ now: NOW });
    const rank = { critical: 0, warning: 1, info: 2 };
    const ranks = all.issues.map((issue) => rank[issue.severity]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const limited = await service.check({ now: NOW, limit: 3 });
    expect(limited.issues.map((issue) => issue.severity)).toEqual(['critical', 'critical', 'critical']);
    expect(limited.summary).toEqual(all.summary);
  });

  it('makes missing groupIds critical once the v1 migration has completed', async () => {
    const { store } = await buildFixture();
    store.setMetaSync(META_KEYS.v1MigrationCompletedAt, String(NOW));
    const report = await sqliteQualityService(store, { useWorker: false }).check({ now: NOW });
    expect(report.summary).toEqual({ totalIssues: 16, criticalIssues: 14, warningIssues: 2, infoIssues: 0 });
    expect(report.issues.filter((issue) => issue.category === 'missingGroupId').every((issue) => issue.severity === 'critical')).toBe(true);
    expect(report.issues.slice(0, 14).every((issue) => issue.severity === 'critical')).toBe(true);
  });

  it('checks only the requested categories (the hourly critical subset)', async () => {
    const { store } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).check({ now: NOW, categories: CRITICAL_CATEGORIES });
    expect(report.details).toEqual({
      orphanedConnections: 4,
      orphanedKnowledge: 1,
      crossGroupReferences: 2,
      missingGroupIds: 5,
      invalidMetadata: 0,
      malformedProperties: 0,
    });
    expect(new Set(report.issues.map((issue) => issue.category))).toEqual(new Set(CRITICAL_CATEGORIES));
  });

  it('never puts property or metadata values into issues', async () => {
    const { store } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).check({ now: NOW });
    const text = JSON.stringify(report.issues);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('usd');
    expect(text).not.toContain('ach');
  });

  it('reports a clean store as healthy with no issues', async () => {
    const { store, ids } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).check({ now: NOW, groupId: ids.groupC });
    expect(report).toEqual({
      status: 'healthy',
      summary: { totalIssues: 0, criticalIssues: 0, warningIssues: 0, infoIssues: 0 },
      details: { orphanedConnections: 0, orphanedKnowledge: 0, crossGroupReferences: 0, missingGroupIds: 0, invalidMetadata: 0, malformedProperties: 0 },
      categoryStatus: { orphaned: 'healthy', crossGroup: 'healthy', missingGroupId: 'healthy', invalidMetadata: 'healthy', malformedProperties: 'healthy' },
      issues: [],
    });
  });

  it('accepts a group slug for the group id', async () => {
    const { store } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).check({ now: NOW, groupId: 'acme' });
    expect(report.details.orphanedConnections).toBe(EXPECTED_GROUP_A.orphanedConnections);
  });

  it.each<[object, typeof NotFoundError, RegExp, string]>([
    [{ groupId: 'no-such-group' }, NotFoundError, /No group with id or slug "no-such-group"/, 'an unknown group'],
    [{ limit: 0 }, InvalidArgumentError, /--limit must be a whole number from 1 to 10000, got 0/, 'a zero limit'],
    [{ limit: 10_001 }, InvalidArgumentError, /got 10001/, 'a limit over the maximum'],
    [{ limit: 2.5 }, InvalidArgumentError, /got 2.5/, 'a fractional limit'],
    [{ categories: ['orphaned', 'bogus'] }, InvalidArgumentError, /Unknown check category bogus/, 'an unknown category'],
  ])('rejects %o (%s)', async (options, errorClass, message) => {
    const { store } = await buildFixture();
    const service = sqliteQualityService(store, { useWorker: false });
    const call = service.check({ now: NOW, ...options });
    await expect(call).rejects.toBeInstanceOf(errorClass);
    await expect(service.check({ now: NOW, ...options })).rejects.toThrow(message);
  });
});

describe('metrics', () => {
  it('computes the platform metrics of the fixture', async () => {
    const { store } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).metrics({ now: NOW });
    expect(report).toEqual({
      timestamp: NOW,
      groupId: null,
      // (8 + 3 − 4 − 1 − 1) / (8 + 3) = 5 / 11
      referentialIntegrityScore: 45.4545,
      orphanedEntityCount: 5,
      crossGroupViolations: 2,
      missingGroupIds: 5,
      malformedPropertiesCount: 2,
      malformedPropertiesPercent: 40,
      schemaComplianceScore: 60,
      eventArchivalProgress: 50,
      invalidMetadataCount: 2,
      status: 'critical',
      statusByMetric: {
        referentialIntegrityScore: 'critical',
        orphanedEntityCount: 'critical',
        crossGroupViolations: 'critical',
        missingGroupIds: 'info',
        malformedPropertiesPercent: 'critical',
        schemaComplianceScore: 'critical',
        eventArchivalProgress: 'critical',
      },
    });
  });

  it('gives all groups from one scan, equal to scoping each group', async () => {
    const { store, ids } = await buildFixture();
    const service = sqliteQualityService(store, { useWorker: false });
    const all = await service.metricsAllGroups({ now: NOW });
    expect(all.platform).toEqual(await service.metrics({ now: NOW }));
    expect(all.groups.map((group) => group.groupId)).toEqual([ids.groupA, ids.groupB, ids.groupC].sort());
    for (const group of all.groups) expect(group).toEqual(await service.metrics({ now: NOW, groupId: group.groupId! }));
    const empty = all.groups.find((group) => group.groupId === ids.groupC)!;
    expect(empty.status).toBe('healthy');
    expect(empty.referentialIntegrityScore).toBe(100);
  });

  it('scopes metrics to a group: 2 good of 7 references in group A', async () => {
    const { store, ids } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).metrics({ now: NOW, groupId: ids.groupA });
    expect(report.groupId).toBe(ids.groupA);
    expect(report.referentialIntegrityScore).toBe(28.5714);
    expect(report.missingGroupIds).toBe(0);
    expect(report.statusByMetric.missingGroupIds).toBe('healthy');
  });
});

describe('versions and audit', () => {
  it.each<[string | null, object, string]>([
    [null, { v0Entities: 2, v1Entities: 3, distributionPercentage: { v0: 40, v1: 60 } }, 'platform: n1 and o1 are v0'],
    ['groupA', { v0Entities: 0, v1Entities: 2, distributionPercentage: { v0: 0, v1: 100 } }, 'group A is all v1'],
    ['groupC', { v0Entities: 0, v1Entities: 0, distributionPercentage: { v0: 0, v1: 0 } }, 'an empty group'],
  ])('versions of %s (%s)', async (role, expected) => {
    const { store, ids } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).versions({
      now: NOW,
      ...(role === null ? {} : { groupId: ids[role]! }),
    });
    expect(report).toEqual({ timestamp: NOW, ...expected });
  });

  it('audits an entity: its events newest first and its connections both ways', async () => {
    const { store, ids } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).audit(ids.a1!, {});
    expect(report.thingId).toBe(ids.a1);
    expect(report.groupId).toBe(ids.groupA);
    expect(report.thing._id).toBe(ids.a1);
    // e1, e2, e3 are one day old (equal timestamps: the one created last first), then e4, e6, e5.
    expect(report.events.map((event) => event._id)).toEqual([ids.e3, ids.e2, ids.e1, ids.e4, ids.e6, ids.e5]);
    expect(report.connections.outgoing.map((connection) => connection._id)).toEqual([ids.c1, ids.c2, ids.c4, ids.c6]);
    expect(report.connections.incoming.map((connection) => connection._id)).toEqual([ids.c8]);
  });

  it('limits the audit lists', async () => {
    const { store, ids } = await buildFixture();
    const report = await sqliteQualityService(store, { useWorker: false }).audit(ids.a1!, { limit: 2 });
    expect(report.events).toHaveLength(2);
    expect(report.connections.outgoing.map((connection) => connection._id)).toEqual([ids.c1, ids.c2]);
  });

  it.each<[string, { limit?: number }, typeof NotFoundError, RegExp, string]>([
    ['no-such-entity', {}, NotFoundError, /No entity with id "no-such-entity"/, 'an unknown entity'],
    ['a1', { limit: 0 }, InvalidArgumentError, /--limit must be a whole number/, 'a zero limit'],
  ])('audit of %s %o fails (%s)', async (entity, options, errorClass, message) => {
    const { store, ids } = await buildFixture();
    const service = sqliteQualityService(store, { useWorker: false });
    const call = service.audit(ids[entity] ?? entity, options);
    await expect(call).rejects.toBeInstanceOf(errorClass);
    await expect(service.audit(ids[entity] ?? entity, options)).rejects.toThrow(message);
  });
});

describe('the worker path', () => {
  it('gives the same reports as the in-process scan, from its own read-only connection', async () => {
    const { store, ids } = await buildFixture('legacy');
    const inProcess = sqliteQualityService(store, { useWorker: false });
    const worker = sqliteQualityService(store, { useWorker: true });
    expect(await worker.check({ now: NOW })).toEqual(await inProcess.check({ now: NOW }));
    expect(await worker.check({ now: NOW, groupId: ids.groupA, categories: CRITICAL_CATEGORIES, limit: 2 })).toEqual(
      await inProcess.check({ now: NOW, groupId: ids.groupA, categories: CRITICAL_CATEGORIES, limit: 2 }),
    );
    expect(await worker.metricsAllGroups({ now: NOW })).toEqual(await inProcess.metricsAllGroups({ now: NOW }));
    expect(await worker.versions({ now: NOW })).toEqual(await inProcess.versions({ now: NOW }));
  });

  it('gives the same reports with the helper thread loaded (two threads, one snapshot)', async () => {
    const { store } = await buildFixture();
    await warmUpCheckWorker();
    const inProcess = sqliteQualityService(store, { useWorker: false });
    const worker = sqliteQualityService(store, { useWorker: true });
    expect(await worker.check({ now: NOW })).toEqual(await inProcess.check({ now: NOW }));
    expect(await worker.metricsAllGroups({ now: NOW })).toEqual(await inProcess.metricsAllGroups({ now: NOW }));
  });

  it('sees writes committed after an earlier check (a fresh snapshot per task)', async () => {
    const { store, ids } = await buildFixture();
    const service = sqliteQualityService(store, { useWorker: true });
    const before = await service.check({ now: NOW, categories: ['orphaned'] });
    await store.insert('connections', { groupId: ids.groupA!, fromEntityId: ids.a1!, toEntityId: 'gone', relationshipType: 'owns' });
    const after = await service.check({ now: NOW, categories: ['orphaned'] });
    expect(after.details.orphanedConnections).toBe(before.details.orphanedConnections + 1);
  });

  it('answers several concurrent tasks', async () => {
    const { store } = await buildFixture();
    const service = sqliteQualityService(store, { useWorker: true });
    const results = await Promise.all([service.metrics({ now: NOW }), service.check({ now: NOW }), service.versions({ now: NOW })]);
    expect(results[0].orphanedEntityCount).toBe(5);
    expect(results[1].summary.totalIssues).toBe(16);
    expect(results[2].v1Entities).toBe(3);
  });
});
