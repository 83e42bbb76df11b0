/** Every monitor port's SQLite adapter on one store: what an entry point (later, the composition root) hands the jobs. */
import type { RandomBytes } from '../../ontology/ids.ts';
import type { MonitorStores } from '../../../monitors/ports.ts';
import { SqliteAlertStore } from './sqlite-alert-store.ts';
import { SqliteEventArchive } from './sqlite-event-archive.ts';
import { SqliteJobRunStore } from './sqlite-job-run-store.ts';
import { SqliteOutboxStore } from './sqlite-outbox-store.ts';
import { SqliteSnapshotStore } from './sqlite-snapshot-store.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** The five monitor port adapters on `store`. */
export function sqliteMonitorStores(store: SqliteStore, options: { random?: RandomBytes } = {}): MonitorStores {
  return {
    alerts: new SqliteAlertStore(store),
    outbox: new SqliteOutboxStore(store),
    jobRuns: new SqliteJobRunStore(store),
    snapshots: new SqliteSnapshotStore(store, options.random),
    archive: new SqliteEventArchive(store),
  };
}
