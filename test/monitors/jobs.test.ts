import { escapeText } from '../../src/slack/blocks/text.ts';
import { describe, expect, it } from 'vitest';
import { runDaily } from '../../monitors/jobs/daily.ts';
import { runHourly } from '../../monitors/jobs/hourly.ts';
import { sqliteQualityService } from '../helpers/quality-service.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { SNAPSHOT_TABLE } from '../../src/store/sqlite/monitor-schema.ts';
import { META_KEYS } from '../../src/store/sqlite/sqlite-store.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { tempStore } from '../helpers/temp-store.ts';

const HOUR = 3_600_000;

describe('monitor jobs on the real quality service', () => {
  it('daily: saves a dataQualitySnapshots document per scope with the exact metrics, and alerts at every level', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T02:00:00Z');
    const seeded = await seedStore(store, { entities: 300, seed: 11, now: clock.now() });
    const quality = sqliteQualityService(store);
    const { context, notifier, stores } = monitorContext(store, clock, quality);

    const expectedMetrics = await quality.metricsAllGroups({ now: clock.now() });
    const counts = await runDaily(context);
    expect(counts.groups).toBe(expectedMetrics.groups.length);
    expect(counts.snapshots).toBe(expectedMetrics.groups.length + 1);

    const snapshots = await stores.snapshots.snapshotsBetween(clock.now(), clock.now());
    expect(snapshots).toHaveLength(expectedMetrics.groups.length + 1);
    const platform = snapshots.find((snapshot) => snapshot.groupId === undefined)!;
    const { defects } = seeded;
    expect(platform).toMatchObject({
      timestamp: clock.now(),
      referentialIntegrityScore: expectedMetrics.platform.referentialIntegrityScore,
      orphanedConnections: defects.orphanedConnections + defects.orphanedKnowledge,
      crossGroupViolations: defects.crossGroupReferences,
      malformedProperties: defects.malformedProperties,
      metadata: {
        orphanedEntityCount: defects.orphanedConnections + defects.orphanedKnowledge,
        orphanedKnowledge: defects.orphanedKnowledge,
        missingGroupIds: defects.missingGroupIds.total,
        invalidMetadataCount: defects.invalidMetadata,
        schemaComplianceScore: expectedMetrics.platform.schemaComplianceScore,
        eventArchivalProgress: expectedMetrics.platform.eventArchivalProgress,
      },
    });
    // Stored as Convex documents of the ONE table, with ids of that table and float64 numbers.
    const row = store.database
      .prepare('SELECT id, doc FROM other_documents WHERE table_name = ? ORDER BY creation_time LIMIT 1')
      .get(SNAPSHOT_TABLE) as { id: string; doc: string };
    expect(row.doc).toMatch(/"crossGroupViolations":\d+\.0/);
    const plan = store.database
      .prepare(
        `EXPLAIN QUERY PLAN SELECT doc FROM other_documents WHERE table_name = '${SNAPSHOT_TABLE}'
           AND json_extract(doc, '$.groupId') = ? AND json_extract(doc, '$.timestamp') < ?`,
      )
      .all('g', 1) as { detail: string }[];
    expect(plan.map((step) => step.detail).join(' ')).toContain('data_quality_snapshots_by_group_time');

    // One message per subject and severity, however many scopes fire: several groups are unhealthy here.
    const firing = (await stores.alerts.firingAlerts()).filter((alert) => alert.severity !== 'info');
    const notifications = new Set(firing.map((alert) => `${alert.subject}|${alert.severity}`));
    expect(firing.filter((alert) => alert.groupId !== null).length).toBeGreaterThan(2);
    expect(notifier.topLevelPosts).toHaveLength(notifications.size);
    expect(counts.messages_post).toBe(notifications.size);
    expect(counts.alerts_post).toBe(counts.firing);
    expect(new Set(firing.map((alert) => alert.notificationId)).size).toBe(notifications.size);
    expect(notifier.updates).toEqual([]);

    // The critical cross-group message: platform value first, every firing group listed, seeded top issue ids.
    const critical = notifier.topLevelPosts.filter((post) => post.channel === 'C_CRIT');
    const crossGroup = critical.find((post) => post.text.includes('CRITICAL: Cross-group violations (platform-wide'))!;
    expect(crossGroup.text).toContain(`: platform-wide ${defects.crossGroupReferences} (critical when > 0`);
    const check = await quality.check({ now: clock.now(), categories: ['crossGroup'], limit: 1 });
    const blocks = JSON.stringify(crossGroup.blocks);
    expect(blocks).toContain(`\`${check.issues[0]!.recordId}\``);
    const crossGroupScopes = firing.filter((alert) => alert.subject === 'crossGroupViolations' && alert.groupId !== null);
    expect(crossGroupScopes.length).toBeGreaterThan(0);
    // Groups are named slug and name first (escaped), id after.
    for (const alert of crossGroupScopes) {
      const group = await store.get('groups', alert.groupId!);
      expect(blocks).toContain(`\`${String(group!.slug)}\` ${escapeText(String(group!.name))} (\`${alert.groupId}\`): ${alert.lastValue}`);
    }
    // Each group's alert keeps that group's own records as its top issue ids.
    for (const alert of crossGroupScopes) {
      expect(alert.details.topIssueIds.length).toBeGreaterThan(0);
      for (const id of alert.details.topIssueIds) {
        const document = (await store.get('connections', id)) ?? (await store.get('events', id));
        expect(document?.groupId).toBe(alert.groupId);
      }
    }
    // Info (missing groupIds before the v1 migration) is an event, not a post.
    expect(notifier.sent.some((post) => post.text.includes('missing a groupId'))).toBe(false);
    const infoEvents = store.database
      .prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'monitoring_alert_raised'")
      .get() as { n: number };
    expect(infoEvents.n).toBeGreaterThan(0);

    // The next day, nothing changed: no new posts, and the counts say so.
    clock.advance(24 * HOUR);
    const postsBefore = notifier.topLevelPosts.length;
    const second = await runDaily(context);
    expect(second.alerts_post ?? 0).toBe(0);
    expect(second.messages_post ?? 0).toBe(0);
    expect(notifier.topLevelPosts.length).toBe(postsBefore);
    // Critical messages still firing after the repeat interval: ONE reminder in each message's thread.
    const criticalMessages = new Set(firing.filter((alert) => alert.severity === 'critical').map((alert) => alert.subject)).size;
    expect(second.alerts_remind).toBe(firing.filter((alert) => alert.severity === 'critical').length);
    expect(notifier.replies).toHaveLength(criticalMessages);
    expect(new Set(notifier.replies.map((reply) => reply.threadTs)).size).toBe(criticalMessages);
    expect(notifier.replies.every((reply) => reply.text.includes('Still firing after 24 h'))).toBe(true);
  });

  it("daily: says what changed against an earlier day's snapshot, never the one the run has just saved", async () => {
    const { store } = tempStore();
    // Time moves while the job works, as in production: the alerts are decided after the snapshots are saved.
    const clock = new FakeClock('2026-11-27T02:00:00Z', { stepMs: 1_000 });
    await seedStore(store, { entities: 120, seed: 3, now: clock.now() });
    const { context, notifier } = monitorContext(store, clock, sqliteQualityService(store));
    await runDaily(context);
    expect(notifier.topLevelPosts.length).toBeGreaterThan(0);
    for (const post of notifier.topLevelPosts) expect(JSON.stringify(post.blocks)).not.toContain(' → ');
  });

  it('daily and hourly: the messages carry ids and counts, never a name or property value of a record', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T02:00:00Z');
    await seedStore(store, { entities: 300, seed: 11, now: clock.now() });
    const { context, notifier } = monitorContext(store, clock, sqliteQualityService(store));
    await runDaily(context);
    clock.advance(HOUR);
    await runHourly(context);
    const values = new Set<string>();
    for (const { doc } of store.database.prepare('SELECT doc FROM entities').all() as { doc: string }[]) {
      const entity = JSON.parse(doc) as { name?: unknown; properties?: Record<string, unknown> };
      for (const value of [entity.name, ...Object.values(entity.properties ?? {})]) {
        // Short strings ("USD", "draft") could match words of the message itself; names and SKUs cannot.
        if (typeof value === 'string' && value.length >= 8) values.add(value);
      }
    }
    expect(values.size).toBeGreaterThan(100);
    const sent = notifier.sent.map((message) => `${message.text}\n${JSON.stringify(message.blocks ?? [])}`).join('\n');
    expect(notifier.sent.length).toBeGreaterThan(3);
    expect([...values].filter((value) => sent.includes(value))).toEqual([]);
  });

  it('hourly: critical categories only, critical alerts only, and the same identity as the daily alert', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const seeded = await seedStore(store, { entities: 120, seed: 3, now: clock.now() });
    const { context, notifier, stores } = monitorContext(store, clock, sqliteQualityService(store));
    const counts = await runHourly(context);
    expect(counts).toMatchObject({
      orphanedEntityCount: seeded.defects.orphanedConnections + seeded.defects.orphanedKnowledge,
      crossGroupViolations: seeded.defects.crossGroupReferences,
      missingGroupIds: seeded.defects.missingGroupIds.total,
      firing: 2,
      alerts_post: 2,
      messages_post: 2,
    });
    expect(notifier.topLevelPosts.map((post) => post.channel)).toEqual(['C_CRIT', 'C_CRIT']);
    expect((await stores.alerts.firingAlerts()).map((alert) => alert.key)).toEqual([
      'orphanedEntityCount|platform|critical',
      'crossGroupViolations|platform|critical',
    ]);
    const orphans = notifier.topLevelPosts[0]!;
    expect(JSON.stringify(orphans.blocks)).toContain(`orphanedConnections: ${seeded.defects.orphanedConnections}`);

    // Once the v1 migration has completed, missing groupIds become critical too.
    await store.setMeta(META_KEYS.v1MigrationCompletedAt, String(clock.now()));
    clock.advance(HOUR);
    await runHourly(context);
    expect((await stores.alerts.firingAlerts()).map((alert) => alert.key)).toContain('missingGroupIds|platform|critical');
  });
});
