/** `ontology-ops import <snapshot.zip|dir> [--replace]`: loads a Convex snapshot export into the store, atomically. */
import { existsSync, rmSync } from 'node:fs';
import type { Command } from 'commander';
import { importSnapshot, type ImportSummary } from '../../snapshot/import.ts';
import { progressReporter } from '../../snapshot/progress-bar.ts';
import type { CliContext } from '../context.ts';

/** Text shown without `--json`. */
export function renderImportSummary(summary: ImportSummary, location: string): string {
  const lines = [
    `Imported ${summary.documents} documents from ${summary.source} (${summary.format}, ${summary.naming} naming) into ${location}.`,
  ];
  if (summary.replacedDocuments > 0) lines.push(`Replaced ${summary.replacedDocuments} documents the store held before.`);
  if (summary.skippedTables.length > 0) lines.push(`Not imported (system tables): ${summary.skippedTables.join(', ')}.`);
  for (const table of summary.tables) {
    const kind = table.logical ? `ontology ${table.logical}` : 'kept whole';
    lines.push(`  ${table.name}: ${table.documents} (${table.encoding} encoding, ${kind})`);
  }
  return lines.join('\n');
}

/** Deletes a database file with its WAL and shared-memory files. */
export function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** Registers `import`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('import')
    .description('Import a Convex snapshot export (ZIP or folder, either encoding) into the store; all or nothing.')
    .argument('<snapshot>', 'snapshot .zip file or unpacked snapshot folder')
    .option('--replace', 'replace the documents of a store that already holds data')
    .action(async (snapshot: string, options: { replace?: boolean }) => {
      const created = !existsSync(context.dbPath());
      const store = context.openStore();
      const progress = progressReporter(context.io, 'Importing (bytes)');
      let imported = false;
      try {
        const summary = await importSnapshot(store, snapshot, { replace: options.replace === true, onProgress: progress.update });
        imported = true;
        progress.stop();
        context.print({ location: store.location, ...summary }, (result) => renderImportSummary(result, result.location));
      } finally {
        progress.stop();
        store.close();
        // A failed import into a store that did not exist leaves no empty store file behind.
        if (created && !imported) removeDatabaseFiles(store.location);
      }
    });
}
