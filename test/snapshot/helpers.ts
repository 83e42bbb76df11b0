/** Snapshot test helpers: fixture paths, zipping a folder, copying a fixture to edit it, a digest of a store. */
import { createHash } from 'node:crypto';
import { cpSync, createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import { ONTOLOGY_TABLES } from '../../src/ontology/naming.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers/temp-store.ts';

/** Hand-made snapshot folders under test/fixtures/snapshots. */
export const FIXTURES = {
  uniformCurrent: fileURLToPath(new URL('../fixtures/snapshots/uniform-current', import.meta.url)),
  legacyThings: fileURLToPath(new URL('../fixtures/snapshots/legacy-things', import.meta.url)),
};

/** Writes the files of a snapshot folder into a ZIP (entries named `<table>/<file>`). */
export async function zipFolder(folder: string, zipPath: string): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const table of readdirSync(folder)) {
    for (const file of readdirSync(join(folder, table))) zip.addBuffer(readFileSync(join(folder, table, file)), `${table}/${file}`);
  }
  zip.end();
  const output = createWriteStream(zipPath);
  zip.outputStream.pipe(output);
  await finished(output);
  return zipPath;
}

/** A temporary copy of a fixture folder, so a test can change a file. */
export function copyFixture(folder: string): string {
  const copy = join(tempDir(), 'snapshot');
  cpSync(folder, copy, { recursive: true });
  return copy;
}

/** Appends raw text to a table's documents.jsonl of a snapshot folder. */
export function appendLine(folder: string, table: string, text: string): void {
  const path = join(folder, table, 'documents.jsonl');
  writeFileSync(path, readFileSync(path, 'utf8') + text);
}

/** sha256 over every row of the data tables, table numbers and settings, in storage order. */
export function storeDigest(store: SqliteStore): string {
  const hash = createHash('sha256');
  for (const table of [...ONTOLOGY_TABLES, 'other_documents', 'convex_tables', 'store_meta']) {
    for (const row of store.database.prepare(`SELECT * FROM ${table} ORDER BY rowid`).iterate()) hash.update(`${table}:${JSON.stringify(row)}\n`);
  }
  for (const index of store.database.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").iterate()) {
    hash.update(JSON.stringify(index));
  }
  return hash.digest('hex');
}
