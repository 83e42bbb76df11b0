/** Registers every `ontology-ops` command. One file per command in this folder. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { register as registerSeed } from './seed.ts';
import { register as registerImport } from './import.ts';
import { register as registerExport } from './export.ts';
import { register as registerCheck } from './check.ts';
import { register as registerMetrics } from './metrics.ts';
import { register as registerAudit } from './audit.ts';
import { register as registerVersions } from './versions.ts';
import { register as registerInfo } from './info.ts';
import { register as registerMonitor } from './monitor.ts';
import { register as registerMigrate } from './migrate.ts';
import { register as registerRollback } from './rollback.ts';
import { register as registerMigrationStatus } from './migration-status.ts';

/** Adds all commands to the program. */
export function registerCommands(program: Command, context: CliContext): void {
  registerSeed(program, context);
  registerImport(program, context);
  registerExport(program, context);
  registerCheck(program, context);
  registerMetrics(program, context);
  registerAudit(program, context);
  registerVersions(program, context);
  registerInfo(program, context);
  registerMonitor(program, context);
  registerMigrate(program, context);
  registerRollback(program, context);
  registerMigrationStatus(program, context);
}
