/** `ontology-ops import <snapshot.zip|dir> [--replace]`: loads a Convex snapshot export into the store, atomically. */
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

/** Registers `import`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('import')
    .description('Import a Convex snapshot export (ZIP or folder, either encoding) into the store; all or nothing.')
    .argument('<snapshot>', 'snapshot .zip file or unpacked snapshot folder')
    .option('--replace', 'replace the documents of a store that already holds data')
    .action(async (snapshot: string, options: { replace?: boolean }) => {
      await context.fillStore('import', async (store, control) => {
        const progress = progressReporter(context.io, 'Importing (bytes)');
        try {
          const summary = await importSnapshot(store, snapshot, {
            replace: options.replace === true,
            onProgress: progress.update,
            lease: control.lease,
            signal: control.signal,
          });
          progress.stop();
          context.print({ location: store.location, ...summary }, (result) => renderImportSummary(result, result.location));
        } finally {
          progress.stop();
        }
      });
    });
}
