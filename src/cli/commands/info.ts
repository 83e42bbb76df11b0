/** `ontology-ops info`: what the store holds: naming generation, documents per table, size, migration state. */
import type { Command } from 'commander';
import type { TableCount } from '../../store/port.ts';
import { META_KEYS } from '../../store/port.ts';
import { isoInstant, textTable } from '../../quality/text.ts';
import type { CliContext } from '../context.ts';

/** The `info` command's document. */
export interface InfoReport {
  location: string;
  /** `current` (entities, fromEntityId/toEntityId) or `legacy` (things, fromThingId/toThingId). */
  namingGeneration: 'current' | 'legacy';
  /** Physical table name of the entities table. */
  entitiesTable: string;
  tables: TableCount[];
  /** Bytes on disk (database file plus WAL). */
  sizeBytes: number | null;
  v1MigrationCompleted: boolean;
  /** When the v1 migration completed (as stored), or null. */
  v1MigrationCompletedAt: string | null;
}

function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

function completedAtText(raw: string | null): string {
  if (raw === null) return 'no';
  const epochMs = Number(raw);
  return `yes, at ${Number.isFinite(epochMs) && raw.trim() !== '' ? isoInstant(epochMs) : raw}`;
}

/** Text shown without `--json`. */
export function renderInfoReport(report: InfoReport): string {
  return [
    `Store: ${report.location}`,
    `Naming: ${report.namingGeneration} (entities table "${report.entitiesTable}")`,
    `Size: ${formatBytes(report.sizeBytes)}`,
    `v1 migration completed: ${completedAtText(report.v1MigrationCompletedAt)}`,
    textTable(
      ['Table', 'Ontology table', 'Documents'],
      report.tables.map((table) => [table.name, table.logical ?? '(other)', table.documents]),
    ),
  ].join('\n');
}

/** Registers `info`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('info')
    .description('Show the store: naming generation, documents per table, size on disk, whether the v1 migration completed.')
    .action(async () => {
      const backend = context.openBackend({ mustExist: true, readOnly: true });
      try {
        const info = await backend.documents.info();
        const report: InfoReport = {
          location: info.location,
          namingGeneration: info.naming.generation,
          entitiesTable: info.naming.entitiesTable,
          tables: info.tables,
          sizeBytes: info.sizeBytes,
          v1MigrationCompleted: info.v1MigrationCompleted,
          v1MigrationCompletedAt: await backend.meta.getMeta(META_KEYS.v1MigrationCompletedAt),
        };
        context.print(report, renderInfoReport);
      } finally {
        await backend.close();
      }
    });
}
