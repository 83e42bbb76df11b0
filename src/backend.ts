/**
 * The composition root: the one module outside an adapter's folder that names an adapter. `openBackend` builds
 * every port and service the entry points need (CLI commands, `npm start`, the monitor scheduler and, later, the
 * Slack handlers) over one store; they receive what it returns and never construct an adapter themselves. A
 * test (`test/architecture/adapter-boundary.test.ts`) fails when any other module imports an adapter.
 *
 * Today the store is the embedded SQLite adapter (`src/store/sqlite/`). The Convex adapter (`src/store/convex/`)
 * will be chosen here when `CONVEX_URL` is set, returning the same ports.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MonitorContext, MonitorContextParts } from '../monitors/context.ts';
import { createMonitorContext } from '../monitors/context.ts';
import type { MonitorPorts } from '../monitors/ports.ts';
import type { ApprovalStore } from './approvals/port.ts';
import { ErrorCode, NotFoundError, OpsError } from './errors.ts';
import { qualityProbeOver } from './migration/quality-probe.ts';
import { createMigrationService, type MigrationDeps } from './migration/service.ts';
import type { CrashPoint } from './migration/test-hooks.ts';
import type { MigrationService } from './migration/types.ts';
import { createFixService, type FixService } from './fix/service.ts';
import type { CheckPort } from './quality/port.ts';
import { createQualityService, type QualityService } from './quality/service.ts';
import type { ThresholdTable } from './quality/thresholds.ts';
import type { BulkLoadPort, BulkLoadTarget } from './store/bulk-load.ts';
import type { DocumentStore, LeaseStore, MetaStore } from './store/port.ts';
import type { SnapshotSource } from './store/snapshot-source.ts';
import { SqliteApprovalStore } from './store/sqlite/sqlite-approval-store.ts';
import { ConvexBackupPort, type ConvexRestoreOptions } from './store/convex/backup.ts';

export type { ConvexRestoreOptions } from './store/convex/backup.ts';
import type { ConvexCallerOptions, ConvexConnection } from './store/convex/client.ts';
import { ConvexEventArchive } from './store/convex/event-archive.ts';
import { openConvexParts } from './store/convex/index.ts';
import { ConvexMigrationStore } from './store/convex/migration-store.ts';
import { ConvexFixStore } from './store/convex/fix-store.ts';
import { convexMonitorStateStores } from './store/convex/monitor-stores.ts';
import { SqliteCheckPort, stopCheckWorker, warmUpCheckWorker } from './store/sqlite/check-port.ts';
import { SqliteBackupPort } from './store/sqlite/migration-backup.ts';
import { sqliteFixPorts, sqliteMigrationPorts } from './store/sqlite/migration-ports.ts';
import { sqliteMonitorStores } from './store/sqlite/monitor-stores.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';

/** How to open the backend. */
export interface BackendOptions {
  /** The SQLite store file (used unless `convex` names a deployment). */
  dbPath: string;
  /** A Convex deployment to use instead of the SQLite store (`CONVEX_URL`, `CONVEX_DEPLOY_KEY`, `CONVEX_FUNCTIONS_MODULE`). */
  convex?: ConvexBackendOptions | null;
  /** Refuse to create a store: a missing file is an error saying how to create one (commands that read). */
  mustExist?: boolean;
  /** An existing empty file becomes a new store (commands that create one: seed, import); otherwise it is refused. */
  emptyIsNew?: boolean;
  /**
   * Open without write access: true for commands that only read, `'when-not-writable'` for commands that write only
   * incidentally (schema upkeep) and should still read a store they cannot write.
   */
  readOnly?: boolean | 'when-not-writable';
  /** Threshold table the quality service and the migration judge metrics by (default: the specification's). */
  thresholds?: ThresholdTable;
  /** Run scans in the check worker threads (default true; false runs them in-process, blocking). */
  useWorker?: boolean;
  /** Threads a platform-wide SQLite check shares its scan among (default: one per available core). */
  checkThreads?: number;
  /** Test crash points of the migration (see `src/migration/test-hooks.ts`). */
  crash?: CrashPoint;
}

/** What the migration service takes per use beyond the ports: where backups go, the clock and the lock's lifetime. */
export type MigrationServiceOptions = Pick<MigrationDeps, 'backupDir' | 'now' | 'leaseTtlMs' | 'holderId' | 'newRunId' | 'monotonic' | 'freeBytes'>;

/** Every port and service over one store. */
export interface Backend {
  /** Which adapter serves it. */
  readonly adapter: 'sqlite' | 'convex';
  /** Where the data lives: a file path (SQLite) or a deployment URL (Convex). */
  readonly location: string;
  readonly documents: DocumentStore;
  readonly leases: LeaseStore;
  readonly meta: MetaStore;
  /** The paged check port (the quality service pages it; the migration probes it). */
  readonly checks: CheckPort;
  readonly quality: QualityService;
  /** Where imports and seeds write. */
  readonly bulkLoad: BulkLoadTarget;
  /** Where exports and backups read. */
  readonly snapshotSource: SnapshotSource;
  /** The monitors' state and the ports they share. */
  readonly monitorPorts: MonitorPorts;
  /** Four-eyes approval requests of migrations and rollbacks. */
  readonly approvals: ApprovalStore;
  /** The folder migration backups go to by default (a rollback from Slack restores only from there). */
  readonly backupDir: string;
  /** The migration service (plan, run, undo, restore, runs) with per-use options. */
  migration(options?: MigrationServiceOptions): MigrationService;
  /** The named fixes (plan, run, exact undo) with the migration's per-use options. */
  fixes(options?: MigrationServiceOptions): FixService;
  /** The monitor context over this backend's ports. */
  monitorContext(parts: Omit<MonitorContextParts, keyof MonitorPorts | 'quality'>): MonitorContext;
  /** Starts what makes the first request fast (the check worker threads). */
  warmUp(): Promise<void>;
  /** Closes the store and stops the threads this backend started. */
  close(): Promise<void>;
}

/** Opens the backend over the configured store: the Convex deployment when one is given, else the SQLite file. */
export function openBackend(options: BackendOptions): Backend {
  if (options.convex) return convexBackend(options.convex, options);
  const path = resolve(options.dbPath);
  if (options.mustExist && !existsSync(path)) {
    throw new NotFoundError(`No store at ${path}: create one with \`ontology-ops seed\` or \`ontology-ops import <snapshot>\`, or pass --db <file>.`);
  }
  const readonly = options.readOnly === 'when-not-writable' ? !writableStore(path) : options.readOnly === true;
  return sqliteBackend(SqliteStore.open(path, { readonly, emptyIsNew: options.emptyIsNew === true }), options);
}

/** True when the store file exists and this process may write it and its folder (SQLite writes files next to it). */
function writableStore(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The backend over an open SQLite store (the store is closed with the backend). */
export function sqliteBackend(store: SqliteStore, options: Omit<BackendOptions, 'dbPath' | 'mustExist' | 'readOnly' | 'emptyIsNew'> = {}): Backend {
  const checks = new SqliteCheckPort(store, { useWorker: options.useWorker, threads: options.checkThreads });
  const quality = createQualityService({ checks, documents: store, thresholds: options.thresholds });
  // Built on first use: the monitor stores keep their tables up to date, a write a read-only store cannot take.
  let monitorPorts: MonitorPorts | null = null;
  const monitors = (): MonitorPorts => (monitorPorts ??= { stores: sqliteMonitorStores(store), documents: store, leases: store, meta: store });
  let warmedUp = false;
  // Built on first use, like the monitor stores: creating its table is a write.
  let approvals: ApprovalStore | null = null;
  return {
    adapter: 'sqlite',
    location: store.location,
    documents: store,
    leases: store,
    meta: store,
    checks,
    quality,
    bulkLoad: store,
    snapshotSource: store,
    get monitorPorts() {
      return monitors();
    },
    get approvals() {
      return (approvals ??= new SqliteApprovalStore(store));
    },
    backupDir: new SqliteBackupPort(store).defaultDir(),
    migration: (serviceOptions = {}) =>
      createMigrationService({
        ...sqliteMigrationPorts(store, { crash: options.crash, thresholds: options.thresholds, useWorker: options.useWorker, checkThreads: options.checkThreads }),
        ...serviceOptions,
      }),
    fixes: (serviceOptions = {}) =>
      createFixService({
        ...sqliteFixPorts(store, { crash: options.crash, thresholds: options.thresholds, useWorker: options.useWorker }),
        ...serviceOptions,
      }),
    monitorContext: (parts) => createMonitorContext({ ...parts, ...monitors(), quality }),
    async warmUp() {
      if (options.useWorker === false) return;
      warmedUp = true;
      await warmUpCheckWorker(options.checkThreads);
    },
    async close() {
      if (warmedUp) await stopCheckWorker();
      store.close();
    },
  };
}

/** A Convex deployment and how a full restore of it is carried out. */
export interface ConvexBackendOptions extends ConvexConnection, ConvexCallerOptions {
  /**
   * A full restore is `npx convex import --replace` of the backup ZIP: print the command (default, so nothing
   * replaces a deployment's data unasked) or run it after a confirmation.
   */
  restore?: Partial<ConvexRestoreOptions>;
  /** Where backups of the deployment are written (default `data/backups`). */
  backupDir?: string;
}

/** Data is loaded into a deployment by Convex's own import, never through the bot's functions. */
class ConvexImportOnly implements BulkLoadTarget {
  constructor(readonly location: string) {}

  bulkLoad(): BulkLoadPort {
    throw new OpsError(
      ErrorCode.InvalidArgument,
      `${this.location} is a Convex deployment: load a snapshot into it with \`npx convex import <snapshot.zip>\` ` +
        '(its documents keep their ids only that way), or unset CONVEX_URL to seed or import the local SQLite store.',
    );
  }
}

/** The backend over a Convex deployment: every port one bounded function call at a time. */
export function convexBackend(connection: ConvexBackendOptions, options: Omit<BackendOptions, 'dbPath' | 'convex'> = {}): Backend {
  const parts = openConvexParts(connection);
  const { caller, documents, leases, meta, checks } = parts;
  const quality = createQualityService({ checks, documents, thresholds: options.thresholds });
  const monitorPorts: MonitorPorts = {
    stores: { ...convexMonitorStateStores(caller), archive: new ConvexEventArchive(caller) },
    documents,
    leases,
    meta,
  };
  const backups = new ConvexBackupPort(caller, documents, {
    deployKey: connection.deployKey,
    ...(connection.backupDir ? { backupDir: connection.backupDir } : {}),
    restore: {
      mode: 'print',
      yes: false,
      confirm: async () => false,
      print: (line) => process.stderr.write(`${line}\n`),
      ...connection.restore,
    },
  });
  return {
    adapter: 'convex',
    location: caller.url,
    documents,
    leases,
    meta,
    checks,
    quality,
    bulkLoad: new ConvexImportOnly(caller.url),
    snapshotSource: parts.snapshots,
    monitorPorts,
    approvals: parts.approvals,
    backupDir: backups.defaultDir(),
    migration: (serviceOptions = {}) =>
      createMigrationService({
        migrations: new ConvexMigrationStore(caller),
        backups,
        leases,
        meta,
        documents,
        quality: qualityProbeOver(checks, options.thresholds),
        thresholds: options.thresholds,
        crash: options.crash,
        ...serviceOptions,
      }),
    fixes: (serviceOptions = {}) =>
      createFixService({
        migrations: new ConvexMigrationStore(caller),
        fixes: new ConvexFixStore(caller),
        backups,
        leases,
        meta,
        documents,
        quality: qualityProbeOver(checks, options.thresholds),
        thresholds: options.thresholds,
        crash: options.crash,
        ...serviceOptions,
      }),
    monitorContext: (parts) => createMonitorContext({ ...parts, ...monitorPorts, quality }),
    // Nothing to start or stop: each call is one HTTP request.
    async warmUp() {},
    async close() {},
  };
}
