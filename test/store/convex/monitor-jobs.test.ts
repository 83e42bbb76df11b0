// @vitest-environment edge-runtime
/**
 * The daily and weekly jobs with their state in Convex: a week of daily runs and the weekly summary over the
 * same seeded data send, count and store exactly what they do with their state in SQLite (snapshots saved per
 * scope in one mutation, "what changed" from the previous day's snapshot, the weekly window read back).
 */
import { describe, expect, it } from 'vitest';
import { createMonitorContext } from '../../../monitors/context.ts';
import { runDaily } from '../../../monitors/jobs/daily.ts';
import { runWeekly } from '../../../monitors/jobs/weekly.ts';
import type { EventArchiveStore, MonitorStores } from '../../../monitors/ports.ts';
import { seedStore } from '../../../src/seed/seed.ts';
import { convexMonitorStateStores } from '../../../src/store/convex/monitor-stores.ts';
import { sqliteMonitorStores } from '../../../src/store/sqlite/monitor-stores.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { testConfig } from '../../helpers/monitor-config.ts';
import { sqliteQualityService } from '../../helpers/quality-service.ts';
import { RecordingNotifier } from '../../helpers/recording-notifier.ts';
import { tempStore } from '../../helpers/temp-store.ts';
import { convexParts } from '../../convex/parts.ts';

const DAY = 86_400_000;

/** Eight daily runs a day apart, then the weekly job, on freshly seeded data; `state` picks where state lives. */
async function week(state: (archive: EventArchiveStore) => MonitorStores) {
  const { store } = tempStore();
  const clock = new FakeClock('2026-11-20T02:00:00Z');
  await seedStore(store, { entities: 120, seed: 5, now: clock.now() });
  const config = testConfig('test');
  const notifier = new RecordingNotifier();
  const stores = state(sqliteMonitorStores(store).archive);
  const context = createMonitorContext({
    quality: sqliteQualityService(store, { useWorker: false }),
    stores,
    meta: store,
    leases: store,
    documents: store,
    config: { alerts: config.alerts, monitors: config.monitors },
    notifier,
    now: clock.now,
    sleep: clock.sleep,
    log: () => undefined,
  });
  const counts = [];
  for (let day = 0; day < 8; day++) {
    counts.push(await runDaily(context));
    clock.advance(DAY);
  }
  counts.push(await runWeekly(context));
  const snapshots = await stores.snapshots.snapshotsBetween(0, clock.now());
  // The group of the bot's own events is created on first use with a random id; everything else is seeded.
  const eventsGroup = (await store.findGroupBySlug(config.monitors.eventsGroupSlug))!._id;
  const named = (groupId: string | undefined) => (groupId === eventsGroup ? '<events group>' : groupId);
  return {
    counts,
    sent: notifier.sent.map(({ kind, channel, text, blocks, threadTs, file }) => ({
      kind,
      channel,
      text,
      blocks: blocks ?? [],
      threadTs: threadTs ?? null,
      // The weekly chart goes through the outbox as an `upload` row: the file must come back byte for byte.
      file: file === undefined ? null : { filename: file.filename, title: file.title, altText: file.altText, content: Array.from(file.content) },
    })),
    // Snapshots of one run share a timestamp; their groups are listed in each store's own id order, so compare
    // them in a fixed order (the platform first, then by group).
    snapshots: snapshots
      .map(({ _id: _, _creationTime: __, groupId, ...fields }) => ({ ...fields, groupId: named(groupId) }))
      .sort((a, b) => a.timestamp - b.timestamp || (a.groupId ?? '').localeCompare(b.groupId ?? '')),
    firing: (await stores.alerts.firingAlerts()).map((alert) => [alert.key, alert.lastValue, alert.firstFiringAt, alert.lastReminderAt]),
    outbox: await stores.outbox.outboxCounts(),
  };
}

describe('monitor jobs with their state in Convex', () => {
  it('send, count and store what they do with their state in SQLite', async () => {
    const onSqlite = await week((archive) => ({ ...sqliteMonitorStores(tempStore().store), archive }));
    const parts = convexParts();
    const onConvex = await week((archive) => ({ ...convexMonitorStateStores(parts.caller), archive }));
    expect(onSqlite.snapshots.length).toBeGreaterThan(8);
    expect(onSqlite.sent.some((message) => message.channel === 'C_REPORT')).toBe(true);
    expect(onSqlite.sent.filter((message) => message.kind === 'upload' && message.file !== null && message.file.content.length > 0)).toHaveLength(1);
    expect(onConvex).toEqual(onSqlite);
    expect(parts.harness.requests.filter((request) => request.path === 'snapshots:save')).toHaveLength(8);
  }, 120_000);
});
