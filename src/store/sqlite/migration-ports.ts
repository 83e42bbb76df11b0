/**
 * Builds the ports the migration service takes, over one SQLite store. The entry points (CLI commands, bench,
 * tests) get these from the composition root (`src/backend.ts`), which calls this.
 */
import type { FixDeps } from '../../fix/service.ts';
import type { MigrationDeps } from '../../migration/service.ts';
import { qualityProbeOver } from '../../migration/quality-probe.ts';
import type { CrashPoint } from '../../migration/test-hooks.ts';
import type { ThresholdTable } from '../../quality/thresholds.ts';
import { SqliteCheckPort } from './check-port.ts';
import { SqliteFixStore } from './fix-store.ts';
import { SqliteBackupPort } from './migration-backup.ts';
import { SqliteMigrationStore } from './migration-store.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** The store ports of `MigrationDeps` over `store`: migration store, backups, leases, settings, documents, quality. */
export function sqliteMigrationPorts(
  store: SqliteStore,
  options: { crash?: CrashPoint; thresholds?: ThresholdTable; useWorker?: boolean; checkThreads?: number; pageRows?: number } = {},
): Pick<MigrationDeps, 'migrations' | 'backups' | 'leases' | 'meta' | 'documents' | 'quality' | 'thresholds' | 'crash'> {
  return {
    migrations: new SqliteMigrationStore(store, { crash: options.crash, pageRows: options.pageRows }),
    backups: new SqliteBackupPort(store, { crash: options.crash }),
    leases: store,
    meta: store,
    documents: store,
    quality: qualityProbeOver(new SqliteCheckPort(store, { useWorker: options.useWorker, threads: options.checkThreads }), options.thresholds),
    thresholds: options.thresholds,
    crash: options.crash,
  };
}

/** The store ports of `FixDeps` over `store`: the migration's ports plus the fix store on the same migration store. */
export function sqliteFixPorts(
  store: SqliteStore,
  options: { crash?: CrashPoint; thresholds?: ThresholdTable; useWorker?: boolean; pageRows?: number } = {},
): Pick<FixDeps, 'migrations' | 'fixes' | 'backups' | 'leases' | 'meta' | 'documents' | 'quality' | 'thresholds' | 'crash'> {
  const migrations = new SqliteMigrationStore(store, { crash: options.crash, pageRows: options.pageRows });
  return { ...sqliteMigrationPorts(store, options), migrations, fixes: new SqliteFixStore(migrations, { crash: options.crash, pageRows: options.pageRows }) };
}
