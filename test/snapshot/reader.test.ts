import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotReader, verifySnapshot } from '../../src/snapshot/reader.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { appendLine, copyFixture, FIXTURES, zipFolder } from './helpers.ts';

function fileSha(folder: string, table: string): string {
  return createHash('sha256').update(readFileSync(join(folder, table, 'documents.jsonl'))).digest('hex');
}

describe('SnapshotReader', () => {
  it.each([
    { fixture: FIXTURES.uniformCurrent, zip: false, naming: 'current', encoding: 'uniform', reason: 'uniform folder' },
    { fixture: FIXTURES.uniformCurrent, zip: true, naming: 'current', encoding: 'uniform', reason: 'uniform ZIP' },
    { fixture: FIXTURES.legacyThings, zip: false, naming: 'legacy', encoding: 'legacy', reason: 'legacy folder: an inferred shape in generated_schema.jsonl' },
    { fixture: FIXTURES.legacyThings, zip: true, naming: 'legacy', encoding: 'legacy', reason: 'legacy ZIP' },
  ])('lists tables in table-number order with their encoding and the naming ($reason)', async ({ fixture, zip, naming, encoding }) => {
    const source = zip ? await zipFolder(fixture, join(tempDir(), 'snap.zip')) : fixture;
    const reader = await SnapshotReader.open(source);
    try {
      expect(reader.format).toBe(zip ? 'zip' : 'dir');
      expect(reader.naming().generation).toBe(naming);
      expect(reader.tables.map((table) => reader.tableNumbers.get(table.name))).toEqual(
        [...reader.tableNumbers.values()].sort((a, b) => a - b),
      );
      expect(new Set(reader.tables.map((table) => table.encoding))).toEqual(new Set([encoding]));
    } finally {
      await reader.close();
    }
  });

  it('hands over lines with their numbers (CRLF endings removed) and hashes the raw bytes', async () => {
    const reader = await SnapshotReader.open(FIXTURES.legacyThings);
    try {
      const things = reader.tables.find((table) => table.name === 'things')!;
      const seen: [number, string][] = [];
      const result = await reader.readTable(things, (lines, firstLine) => lines.forEach((line, offset) => seen.push([firstLine + offset, line])));
      expect(seen.map(([number]) => number)).toEqual([1, 2]);
      expect(seen.every(([, line]) => !line.endsWith('\r'))).toBe(true);
      expect(result).toMatchObject({ lines: 2, documents: 2, sha256: fileSha(FIXTURES.legacyThings, 'things') });
    } finally {
      await reader.close();
    }
  });

  it('treats a table without generated_schema.jsonl as the legacy encoding', async () => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    writeFileSync(join(folder, 'messages', 'generated_schema.jsonl'), '');
    const reader = await SnapshotReader.open(folder);
    try {
      expect(reader.tables.find((table) => table.name === 'messages')!.encoding).toBe('legacy');
    } finally {
      await reader.close();
    }
  });
});

describe('verifySnapshot', () => {
  it.each([
    { zip: false, reason: 'folder' },
    { zip: true, reason: 'ZIP' },
  ])('recomputes per-table document counts and sha256 of documents.jsonl ($reason)', async ({ zip }) => {
    const source = zip ? await zipFolder(FIXTURES.uniformCurrent, join(tempDir(), 'snap.zip')) : FIXTURES.uniformCurrent;
    const result = await verifySnapshot(source);
    expect(result).toMatchObject({ format: zip ? 'zip' : 'dir', naming: 'current', documents: 15 });
    expect(result.tableNumbers).toMatchObject({ groups: 10001, messages: 10006 });
    expect(result.tables.map(({ name, documents }) => [name, documents])).toEqual([
      ['groups', 2],
      ['entities', 4],
      ['connections', 3],
      ['events', 2],
      ['knowledge', 2],
      ['messages', 2],
    ]);
    for (const table of result.tables) expect(table.sha256).toBe(fileSha(FIXTURES.uniformCurrent, table.name));
  });

  it.each([
    { table: 'entities', text: '{"_id":"j975m000000000000000000000006f8n","_creationTime":1.5}', error: /^entities\/documents\.jsonl:5: duplicate _id j975m000000000000000000000006f8n \(an earlier line has it\)$/, reason: 'a duplicate id' },
    { table: 'events', text: 'not json', error: /^events\/documents\.jsonl:3: invalid JSON/, reason: 'a line that is not JSON' },
  ])('fails on $reason with file:line, as import would', async ({ table, text, error }) => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    appendLine(folder, table, `${text}\n`);
    await expect(verifySnapshot(folder)).rejects.toThrow(error);
  });
});

describe('SnapshotReader: layouts around the tables', () => {
  it('reads a ZIP made by zipping the exported folder itself (one wrapper folder)', async () => {
    const yazl = (await import('yazl')).default;
    const { createWriteStream, readdirSync } = await import('node:fs');
    const { finished } = await import('node:stream/promises');
    const zipPath = join(tempDir(), 'wrapped.zip');
    const zip = new yazl.ZipFile();
    for (const table of readdirSync(FIXTURES.uniformCurrent)) {
      for (const file of readdirSync(join(FIXTURES.uniformCurrent, table))) {
        zip.addBuffer(readFileSync(join(FIXTURES.uniformCurrent, table, file)), `export-2026/${table}/${file}`);
      }
    }
    zip.end();
    const output = createWriteStream(zipPath);
    zip.outputStream.pipe(output);
    await finished(output);
    const result = await verifySnapshot(zipPath);
    expect(result.documents).toBe(15);
    expect(result.tableNumbers.entities).toBe(10002);
  });

  it('lists system tables it does not read (file storage is not kept)', async () => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(folder, '_storage'));
    writeFileSync(join(folder, '_storage', 'documents.jsonl'), '{"_id":"x","_creationTime":1.5,"sha256":"abc","size":3}\n');
    const result = await verifySnapshot(folder);
    expect(result.skippedTables).toEqual(['_storage']);
    expect(result.tables.map((table) => table.name)).not.toContain('_storage');
  });
});
