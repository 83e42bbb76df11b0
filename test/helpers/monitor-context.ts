/** A monitor context on a real store, with a fake clock, a recording notifier and a given quality source. */
import type { MonitorContext } from '../../monitors/context.ts';
import type { QualitySource } from '../../monitors/ports.ts';
import { createEventLog } from '../../src/alerts/event-log.ts';
import { SqliteMonitorStore } from '../../src/store/sqlite/monitor-store.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { FakeClock } from './fake-clock.ts';
import { testConfig } from './monitor-config.ts';
import { RecordingNotifier } from './recording-notifier.ts';

/** Builds the context; `archivalBatchSize` small to exercise batching. */
export function monitorContext(
  store: SqliteStore,
  clock: FakeClock,
  quality: QualitySource,
  options: { archivalBatchSize?: number } = {},
): { context: MonitorContext; notifier: RecordingNotifier; state: SqliteMonitorStore; lines: string[] } {
  const config = testConfig('test');
  const notifier = new RecordingNotifier();
  const state = new SqliteMonitorStore(store);
  const lines: string[] = [];
  return {
    context: {
      quality,
      state,
      meta: store,
      leases: store,
      documents: store,
      events: createEventLog(store, { groupSlug: config.monitors.eventsGroupSlug }),
      notifier,
      alerts: config.alerts,
      monitors: { archivalBatchSize: options.archivalBatchSize ?? config.monitors.archivalBatchSize, leaseTtlMs: config.monitors.leaseTtlMs },
      now: clock.now,
      sleep: clock.sleep,
      log: (line) => lines.push(line),
    },
    notifier,
    state,
    lines,
  };
}
