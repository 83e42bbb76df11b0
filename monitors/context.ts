/**
 * What every monitor job runs with: the quality engine, the monitor state, delivery, configuration and an
 * injected clock. Built once by the scheduler (or the CLI) from a store.
 */
import type { Baseline, PipelineDeps } from '../src/alerts/pipeline.ts';
import type { AlertStore, EventLog, Notifier, OutboxStore } from '../src/alerts/ports.ts';
import type { Sleep } from '../src/alerts/outbox.ts';
import type { AlertsConfig, MonitorsConfig } from '../src/config.ts';
import type { DocumentStore, LeaseStore, MetaStore } from '../src/store/port.ts';
import type { JobRunStore, QualitySource, SnapshotStore } from './ports.ts';

/** Marks old events archived, one batch at a time (the SQLite adapter keeps indexed columns in step). */
export interface EventArchiveStore {
  /** Sets `archived: true` on up to `limit` events with timestamp < `cutoff` that are not archived; returns how many. */
  archiveEventsBefore(cutoff: number, limit: number): Promise<number>;
}

/** All the monitor state a job may touch. */
export type MonitorStateStore = AlertStore & OutboxStore & JobRunStore & SnapshotStore & EventArchiveStore;

/** Dependencies of the jobs. */
export interface MonitorContext {
  quality: QualitySource;
  state: MonitorStateStore;
  meta: MetaStore;
  /** Per-job leases (`monitor-job:<job>`), so a job never runs twice at once across processes. */
  leases: LeaseStore;
  /** Record lookups (e.g. the group of an issue's record). */
  documents: DocumentStore;
  events: EventLog;
  notifier: Notifier;
  alerts: AlertsConfig;
  monitors: Pick<MonitorsConfig, 'archivalBatchSize' | 'leaseTtlMs'>;
  now: () => number;
  /**
   * The real clock for leases, which coordinate live processes: `now` may be pinned (the CLI's `--now`) while
   * a scheduler elsewhere runs on real time. `now` by default.
   */
  wallClock?: () => number;
  sleep: Sleep;
  log: (line: string) => void;
  /** True once the scheduler is stopping: deliveries stop waiting and leave the rest in the outbox. */
  isStopping?: () => boolean;
}

/** The pipeline's dependencies from a monitor context. */
export function pipelineDeps(context: MonitorContext, baseline?: Baseline): PipelineDeps {
  return {
    alerts: context.state,
    outbox: context.state,
    notifier: context.notifier,
    events: context.events,
    config: context.alerts,
    now: context.now,
    sleep: context.sleep,
    log: context.log,
    ...(baseline ? { baseline } : {}),
    ...(context.isStopping ? { isStopping: context.isStopping } : {}),
  };
}
