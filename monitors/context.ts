/**
 * What every monitor job runs with: the quality engine, the monitor stores, delivery, configuration and an
 * injected clock. Built in one place, `createMonitorContext`, by the scheduler, the CLI and the tests alike.
 */
import { createEventLog } from '../src/alerts/event-log.ts';
import { groupSlugLookup } from '../src/alerts/group-slugs.ts';
import type { Baseline, PipelineDeps } from '../src/alerts/pipeline.ts';
import type { EventLog, Notifier } from '../src/alerts/ports.ts';
import { realSleep, type Sleep } from '../src/alerts/outbox.ts';
import type { AlertsConfig, MonitorsConfig } from '../src/config.ts';
import type { DocumentStore, LeaseStore, MetaStore } from '../src/store/port.ts';
import type { MonitorStores, QualitySource } from './ports.ts';

/** Dependencies of the jobs. */
export interface MonitorContext {
  quality: QualitySource;
  /** Alert state, outbox, job runs, snapshots and archival: one port each. */
  stores: MonitorStores;
  meta: MetaStore;
  /** Per-job leases (`monitor-job:<job>`), so a job never runs twice at once across processes. */
  leases: LeaseStore;
  /**
   * Record lookups, only for check issues that do not carry their record's `groupId` (see the daily job); the
   * check port gives every issue its `groupId`, after which nothing here needs it.
   */
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
  /**
   * Test hook for crash tests (`src/migration/test-hooks.ts`): called at named points, e.g. `archival-batch:<n>`
   * once archival batch n has committed. Absent in production.
   */
  crash?: (point: string) => void;
}

/** What a monitor context is built from: the ports, configuration, a notifier and the clocks. */
export interface MonitorContextParts {
  quality: QualitySource;
  stores: MonitorStores;
  meta: MetaStore;
  leases: LeaseStore;
  /** Where the bot's own events go (the ontology's events table) and, for now, issue record lookups. */
  documents: DocumentStore;
  config: {
    alerts: AlertsConfig;
    monitors: Pick<MonitorsConfig, 'archivalBatchSize' | 'leaseTtlMs' | 'eventsGroupSlug'>;
  };
  notifier: Notifier;
  now: () => number;
  wallClock?: () => number;
  /** Real sleeping by default. */
  sleep?: Sleep;
  log: (line: string) => void;
  isStopping?: () => boolean;
  crash?: (point: string) => void;
}

/** The one place a `MonitorContext` is assembled. */
export function createMonitorContext(parts: MonitorContextParts): MonitorContext {
  const { config } = parts;
  return {
    quality: parts.quality,
    stores: parts.stores,
    meta: parts.meta,
    leases: parts.leases,
    documents: parts.documents,
    events: createEventLog(parts.documents, { groupSlug: config.monitors.eventsGroupSlug }),
    notifier: parts.notifier,
    alerts: config.alerts,
    monitors: { archivalBatchSize: config.monitors.archivalBatchSize, leaseTtlMs: config.monitors.leaseTtlMs },
    now: parts.now,
    ...(parts.wallClock ? { wallClock: parts.wallClock } : {}),
    sleep: parts.sleep ?? realSleep,
    log: parts.log,
    ...(parts.isStopping ? { isStopping: parts.isStopping } : {}),
    ...(parts.crash ? { crash: parts.crash } : {}),
  };
}

/** The pipeline's dependencies from a monitor context. */
export function pipelineDeps(context: MonitorContext, baseline?: Baseline): PipelineDeps {
  return {
    alerts: context.stores.alerts,
    outbox: context.stores.outbox,
    notifier: context.notifier,
    events: context.events,
    config: context.alerts,
    now: context.now,
    sleep: context.sleep,
    log: context.log,
    ...(baseline ? { baseline } : {}),
    ...(context.isStopping ? { isStopping: context.isStopping } : {}),
    groupSlugs: groupSlugLookup(context.documents),
  };
}
