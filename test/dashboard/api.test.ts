/**
 * The dashboard's JSON over a real seeded SQLite store whose snapshots the real daily job wrote: every value is
 * compared with its source (the snapshot store, the quality service, the job-run log, the alert store), for the
 * platform and for one group.
 */
import { describe, expect, it } from 'vitest';
import { snapshotMetrics } from '../../monitors/ports.ts';
import type {
  AlertsAnswer,
  GroupsAnswer,
  IntegrityAnswer,
  MigrationAnswer,
  TrendsAnswer,
  VersionsAnswer,
} from '../../src/dashboard/types.ts';
import { allGroupIds } from '../../src/quality/paging.ts';
import { formatMetric, judge, SUBJECTS, type Subject } from '../../src/quality/severity.ts';
import { DAY, dashboardFixture, HOUR, RUN_DAYS, TODAY } from './fixture.ts';
import { VERSIONS_REUSE_MS } from '../../src/dashboard/versions.ts';

describe('GET /dashboard/api/integrity', () => {
  it('is the latest platform snapshot against the thresholds, with the last daily run and the next hourly and daily slots', async () => {
    const { get, backend, config, clock } = await dashboardFixture();
    const { status, body } = await get<IntegrityAnswer>('integrity');
    expect(status).toBe(200);
    const snapshot = (await backend.monitorPorts.stores.snapshots.latestSnapshotBefore(null, clock.now() + 1))!;
    expect(snapshot.timestamp).toBe(TODAY);
    const values = snapshotMetrics(snapshot);
    const card = body.card!;
    expect(card.checkedAt).toBe(snapshot.timestamp);
    expect(card.score).toBe(snapshot.referentialIntegrityScore);
    expect(card.status).toBe(snapshot.metadata.status);
    expect(card.malformedPropertiesCount).toBe(snapshot.malformedProperties);
    expect(card.invalidMetadataCount).toBe(snapshot.metadata.invalidMetadataCount);
    expect(card.metrics.map((metric) => metric.metric)).toEqual([...SUBJECTS]);
    const v1MigrationCompleted = await backend.checks.v1MigrationCompleted();
    expect(card.v1MigrationCompletedAtSnapshot).toBe(v1MigrationCompleted);
    for (const metric of card.metrics) {
      expect(metric.value, metric.metric).toBe(values[metric.metric]);
      expect(metric.status, metric.metric).toBe(judge(metric.metric as Subject, metric.value, { v1MigrationCompleted }, config.alerts.thresholds));
      expect(metric.display, metric.metric).toBe(formatMetric(metric.metric as Subject, metric.value, config.alerts.thresholds));
    }
    // The data has not changed since the last run: the card says what the quality service computes now.
    const metrics = await backend.quality.metrics({ now: clock.now() });
    expect(card.score).toBe(metrics.referentialIntegrityScore);
    expect(card.metrics.find((metric) => metric.metric === 'orphanedEntityCount')!.value).toBe(metrics.orphanedEntityCount);
    const [lastDaily] = await backend.monitorPorts.stores.jobRuns.recentJobRuns({ limit: 1, job: 'daily' });
    expect(body.lastCheck).toEqual({ job: 'daily', startedAt: lastDaily!.startedAt, finishedAt: lastDaily!.finishedAt, outcome: 'succeeded' });
    // Read at 03:30 UTC: the hourly job (0 * * * *) runs next at 04:00, the daily one (0 2 * * *) tomorrow at 02:00.
    expect(body.nextCheck).toEqual({ job: 'hourly', at: TODAY + 2 * HOUR });
    expect(body.nextDailyAt).toBe(TODAY + DAY);
    expect(body.dailyRunning).toBe(false);
    expect(body.v1MigrationCompleted).toBe(v1MigrationCompleted);
    expect(body.group).toBeNull();
  });

  it('is the latest snapshot of the group named by slug or id', async () => {
    const { get, backend, clock } = await dashboardFixture();
    const groupId = (await allGroupIds(backend.checks))[0]!;
    const group = (await backend.documents.get('groups', groupId))!;
    const snapshot = (await backend.monitorPorts.stores.snapshots.latestSnapshotBefore(groupId, clock.now() + 1))!;
    for (const name of [groupId, String(group.slug)]) {
      const { body } = await get<IntegrityAnswer>(`integrity?group=${encodeURIComponent(name)}`);
      expect(body.group).toEqual({ id: groupId, slug: group.slug, name: group.name });
      expect(body.card!.score).toBe(snapshot.referentialIntegrityScore);
      expect(body.card!.metrics.map((metric) => metric.value)).toEqual(SUBJECTS.map((metric) => snapshotMetrics(snapshot)[metric]));
    }
    const groupMetrics = await backend.quality.metrics({ now: clock.now(), groupId });
    const { body } = await get<IntegrityAnswer>(`integrity?group=${groupId}`);
    expect(body.card!.metrics.find((metric) => metric.metric === 'crossGroupViolations')!.value).toBe(groupMetrics.crossGroupViolations);
  });

  it('has no card before the first daily snapshot', async () => {
    const { get } = await dashboardFixture({ runs: false });
    const { status, body } = await get<IntegrityAnswer>('integrity');
    expect(status).toBe(200);
    expect(body.card).toBeNull();
    expect(body.lastCheck).toBeNull();
  });
});

describe('GET /dashboard/api/trends', () => {
  it('holds the daily snapshots of the window, per metric, with the threshold bounds', async () => {
    const { get, backend, clock, config } = await dashboardFixture();
    const now = clock.now();
    const stored = (await backend.monitorPorts.stores.snapshots.snapshotsBetween(now - 30 * DAY, now)).filter((snapshot) => snapshot.groupId === undefined);
    expect(stored.map((snapshot) => snapshot.timestamp)).toEqual(RUN_DAYS.map((days) => TODAY - days * DAY));

    const week = (await get<TrendsAnswer>('trends')).body;
    expect(week.days).toBe(7);
    expect(week.to - week.from).toBe(7 * DAY);
    expect(week.snapshots).toBe(2);
    const month = (await get<TrendsAnswer>('trends?days=30')).body;
    expect(month.snapshots).toBe(3);
    for (const series of month.series) {
      expect(series.points, series.metric).toEqual(stored.map((snapshot) => ({ at: snapshot.timestamp, value: snapshotMetrics(snapshot)[series.metric] })));
      const row = (config.alerts.thresholds as Record<string, { healthy: number; warning: number | null }>)[series.metric];
      expect(series.thresholds, series.metric).toEqual(row ? { healthy: row.healthy, warning: row.warning } : null);
    }
    const orphans = month.series.find((series) => series.metric === 'orphanedEntityCount')!;
    // One orphaned connection was added before each later run.
    expect(orphans.points[1]!.value - orphans.points[0]!.value).toBe(1);
    expect(orphans.points[2]!.value - orphans.points[1]!.value).toBe(1);
    expect(month.series.find((series) => series.metric === 'invalidMetadataCount')!.thresholds).toBeNull();
  });

  it("holds only the group's snapshots when a group is selected", async () => {
    const { get, backend, clock } = await dashboardFixture();
    const groupId = (await allGroupIds(backend.checks))[1]!;
    const now = clock.now();
    const stored = (await backend.monitorPorts.stores.snapshots.snapshotsBetween(now - 30 * DAY, now)).filter((snapshot) => snapshot.groupId === groupId);
    const { body } = await get<TrendsAnswer>(`trends?days=30&group=${groupId}`);
    expect(body.group?.id).toBe(groupId);
    expect(body.snapshots).toBe(stored.length);
    const score = body.series.find((series) => series.metric === 'schemaComplianceScore')!;
    expect(score.points).toEqual(stored.map((snapshot) => ({ at: snapshot.timestamp, value: snapshot.metadata.schemaComplianceScore })));
  });
});

describe('GET /dashboard/api/alerts', () => {
  it('lists the firing alerts and the latest ones as the alert store holds them, ids and values only', async () => {
    const { get, backend, seeded } = await dashboardFixture();
    const { alerts } = backend.monitorPorts.stores;
    const firing = await alerts.firingAlerts();
    expect(firing.length).toBeGreaterThan(2);
    const { body } = await get<AlertsAnswer>('alerts?limit=5');
    expect(new Set(body.firing.map((alert) => alert.id))).toEqual(new Set(firing.map((alert) => alert.id)));
    expect(body.firing.map((alert) => alert.severity)).toEqual([...body.firing.map((alert) => alert.severity)].sort((a, b) => ['critical', 'warning', 'info'].indexOf(a) - ['critical', 'warning', 'info'].indexOf(b)));
    expect(body.recent.map((alert) => alert.id)).toEqual((await alerts.listAlerts({ limit: 5 })).map((alert) => alert.id));
    const orphaned = body.firing.find((alert) => alert.subject === 'orphanedEntityCount' && alert.group === null)!;
    expect(orphaned).toMatchObject({ severity: 'critical', state: 'firing', unit: 'count', threshold: 'critical when > 0' });
    expect(orphaned.value).toBe(seeded.defects.orphanedConnections + seeded.defects.orphanedKnowledge + 2);
    // Record property values never appear: the answer carries no entity name.
    const names = (await backend.documents.page('entities', null, 200)).documents.map((entity) => entity.name).filter((name): name is string => typeof name === 'string' && name.length >= 8);
    expect(names.length).toBeGreaterThan(50);
    const text = JSON.stringify(body);
    expect(names.filter((name) => text.includes(name))).toEqual([]);
  });

  it("lists only the selected group's alerts, and marks acknowledged ones", async () => {
    const { get, backend, clock } = await dashboardFixture();
    const { alerts } = backend.monitorPorts.stores;
    const grouped = (await alerts.firingAlerts()).find((alert) => alert.groupId !== null)!;
    await alerts.acknowledge(grouped.id, 'U0LEAD', clock.now());
    const { body } = await get<AlertsAnswer>(`alerts?group=${grouped.groupId}`);
    const expected = (await alerts.firingAlerts()).filter((alert) => alert.groupId === grouped.groupId);
    expect(body.firing.map((alert) => alert.id).sort()).toEqual(expected.map((alert) => alert.id).sort());
    expect(body.firing.every((alert) => alert.group?.id === grouped.groupId)).toBe(true);
    expect(body.recent.every((alert) => alert.group?.id === grouped.groupId)).toBe(true);
    expect(body.firing.find((alert) => alert.id === grouped.id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'U0LEAD', acknowledgedAt: clock.now() });
  });
});

describe('GET /dashboard/api/groups, versions, migration', () => {
  it('lists every group of the groups table with its slug and name', async () => {
    const { get, backend } = await dashboardFixture();
    const ids = await allGroupIds(backend.checks);
    const { body } = await get<GroupsAnswer>('groups');
    expect(body.groups.map((group) => group.id).sort()).toEqual([...ids].sort());
    expect(body.omitted).toBe(0);
    for (const group of body.groups) {
      const document = (await backend.documents.get('groups', group.id))!;
      expect(group).toEqual({ id: group.id, slug: document.slug ?? null, name: document.name ?? null });
    }
    expect(body.groups.map((group) => group.slug)).toEqual([...body.groups.map((group) => group.slug)].sort());
  });

  it('counts schema versions now, with the schema compliance score the metrics compute', async () => {
    const { get, backend, clock } = await dashboardFixture({ legacy: true, runs: false });
    const { body } = await get<VersionsAnswer>('versions');
    const report = await backend.quality.versions({ now: clock.now() });
    const metrics = await backend.quality.metrics({ now: clock.now() });
    expect(body).toMatchObject({ v0Entities: report.v0Entities, v1Entities: report.v1Entities, distributionPercentage: report.distributionPercentage });
    expect(body.v0Entities).toBeGreaterThan(0);
    expect(body.schemaComplianceScore).toBe(metrics.schemaComplianceScore);
    expect(body.schemaComplianceStatus).toBe(metrics.statusByMetric.schemaComplianceScore);
    const groupId = (await allGroupIds(backend.checks))[0]!;
    const scoped = (await get<VersionsAnswer>(`versions?group=${groupId}`)).body;
    const groupReport = await backend.quality.versions({ now: clock.now(), groupId });
    expect([scoped.v0Entities, scoped.v1Entities]).toEqual([groupReport.v0Entities, groupReport.v1Entities]);

    // A count is reused for VERSIONS_REUSE_MS (each one scans every entity; the page asks every 30 s), then taken again.
    const naming = await backend.documents.naming();
    await backend.documents.insert('entities', { type: 'lesson', name: 'New', ...(naming.generation === 'legacy' ? {} : { groupId }) });
    clock.advance(VERSIONS_REUSE_MS - 1);
    expect((await get<VersionsAnswer>('versions')).body.v0Entities).toBe(body.v0Entities);
    clock.advance(1);
    expect((await get<VersionsAnswer>('versions')).body.v0Entities).toBe(body.v0Entities + 1);
  });

  it('shows the migration as migration-status reads it, and the approvals waiting', async () => {
    const { get, backend, clock } = await dashboardFixture({ legacy: true, runs: false, entities: 60 });
    const before = (await get<MigrationAnswer>('migration')).body;
    expect((await get<VersionsAnswer>('versions')).body.schemaComplianceScore).toBeLessThan(100);
    expect(before).toMatchObject({ v1MigrationCompletedAt: null, latestRun: null, pendingApprovals: 0, lock: { held: false } });
    const request = { kind: 'migrate' as const, target: null, requestedBy: 'U0ENG', requiredApprovals: 1, planHash: 'h', plan: {} };
    await backend.approvals.create({ ...request, requestedAt: clock.now(), expiresAt: clock.now() + HOUR });
    await backend.approvals.create({ ...request, requestedAt: clock.now() - 2 * HOUR, expiresAt: clock.now() - HOUR });
    await backend.migration({ now: clock.now }).run({ actor: 'U0LEAD', backup: false });

    const { body } = await get<MigrationAnswer>('migration');
    const status = await backend.migration({ now: clock.now }).status({ limit: 1 });
    const run = status.runs[0]!;
    expect(body.v1MigrationCompletedAt).toBe(status.v1MigrationCompletedAt);
    expect(body.v1MigrationCompletedAt).not.toBeNull();
    expect(body.latestRun).toEqual({
      id: run.id,
      kind: run.kind,
      state: run.state,
      percent: run.percent,
      phase: run.phase,
      actor: 'U0LEAD',
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      batches: run.batches,
    });
    expect(body.latestRun!.percent).toBe(100);
    // The expired request no longer waits.
    expect(body.pendingApprovals).toBe(1);
    // Schema compliance reaches 100% at once (the count above is not reused), without waiting for a daily snapshot.
    expect((await get<VersionsAnswer>('versions')).body.schemaComplianceScore).toBe(100);
  });
});
