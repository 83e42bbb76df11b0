/** `ontology-ops export <out.zip|dir>`: writes the store as a Convex snapshot export in the uniform encoding. */
import type { Command } from 'commander';
import { exportSnapshot, type ExportSummary } from '../../snapshot/export.ts';
import { progressReporter } from '../../snapshot/progress-bar.ts';
import type { CliContext } from '../context.ts';

/** Text shown without `--json`. */
export function renderExportSummary(summary: ExportSummary): string {
  return [
    `Exported ${summary.documents} documents (${summary.naming} naming) to ${summary.path} (${summary.format}).`,
    ...summary.tables.map((table) => `  ${table.name}: ${table.documents} (sha256 ${table.sha256})`),
  ].join('\n');
}

/** Registers `export`. */
export function register(program: Command, context: CliContext): void {
  program
    .command('export')
    .description('Export the store as a Convex snapshot (uniform encoding), readable by import and `npx convex import`.')
    .argument('<target>', 'output .zip file, or a folder to create')
    .action(async (target: string) => {
      const backend = context.openBackend({ mustExist: true, readOnly: 'when-not-writable' });
      const progress = progressReporter(context.io, 'Exporting');
      try {
        const summary = await exportSnapshot(backend.snapshotSource, target, { onProgress: progress.update });
        progress.stop();
        context.print(summary, renderExportSummary);
      } finally {
        progress.stop();
        await backend.close();
      }
    });
}
