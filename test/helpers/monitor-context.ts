/** A monitor context on a real store, with a fake clock, a recording notifier and a given quality source. */
import { createMonitorContext, type MonitorContext } from '../../monitors/context.ts';
import type { MonitorPorts, MonitorStores, QualitySource } from '../../monitors/ports.ts';
import { sqliteMonitorStores } from '../../src/store/sqlite/monitor-stores.ts';
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
): { context: MonitorContext; notifier: RecordingNotifier; stores: MonitorStores; lines: string[] } {
  const config = testConfig('test');
  const notifier = new RecordingNotifier();
  const stores = sqliteMonitorStores(store);
  const lines: string[] = [];
  const context = createMonitorContext({
    quality,
    stores,
    meta: store,
    leases: store,
    documents: store,
    config: {
      alerts: config.alerts,
      monitors: { ...config.monitors, archivalBatchSize: options.archivalBatchSize ?? config.monitors.archivalBatchSize },
    },
    notifier,
    now: clock.now,
    sleep: clock.sleep,
    log: (line) => lines.push(line),
  });
  return { context, notifier, stores, lines };
}

/** The monitors' ports over a real SQLite store, as the composition root builds them. */
export function monitorPortsOf(store: SqliteStore): MonitorPorts {
  return { stores: sqliteMonitorStores(store), documents: store, leases: store, meta: store };
}
