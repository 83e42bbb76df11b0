/**
 * The monitor-state port adapters on one Convex deployment: what the composition root hands the jobs when
 * `CONVEX_URL` is set, together with the event archive (`EventArchiveStore`, built beside the migration ports).
 */
import type { MonitorStores } from '../../../monitors/ports.ts';
import { ConvexAlertStore } from './alert-store.ts';
import type { ConvexCaller } from './client.ts';
import { ConvexJobRunStore } from './job-run-store.ts';
import { ConvexOutboxStore } from './outbox-store.ts';
import { ConvexSnapshotStore } from './snapshot-store.ts';

/** Alerts, outbox, job runs and snapshots over `caller`'s deployment. */
export function convexMonitorStateStores(caller: ConvexCaller): Omit<MonitorStores, 'archive'> {
  return {
    alerts: new ConvexAlertStore(caller),
    outbox: new ConvexOutboxStore(caller),
    jobRuns: new ConvexJobRunStore(caller),
    snapshots: new ConvexSnapshotStore(caller),
  };
}
