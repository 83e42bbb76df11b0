import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import { describe, expect, it } from 'vitest';
import { encodeConvexId } from '../../src/ontology/ids.ts';
import { importSnapshot } from '../../src/snapshot/import.ts';
import { SnapshotReader, verifySnapshot } from '../../src/snapshot/reader.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { appendLine, copyFixture, FIXTURES, storeDigest, zipFolder } from './helpers.ts';

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

describe('SnapshotReader: hostile snapshots are refused', () => {
  const entityId = (byte: number) => encodeConvexId(10002, new Uint8Array(16).fill(byte));

  /** A ZIP of the uniform fixture plus extra entries (name → content), written by yazl. */
  async function zipWith(extra: [string, Buffer | Readable][], omit: string[] = []): Promise<string> {
    const zipPath = join(tempDir(), 'snap.zip');
    const zip = new yazl.ZipFile();
    for (const table of readdirSync(FIXTURES.uniformCurrent)) {
      for (const file of readdirSync(join(FIXTURES.uniformCurrent, table))) {
        if (!omit.includes(`${table}/${file}`)) zip.addBuffer(readFileSync(join(FIXTURES.uniformCurrent, table, file)), `${table}/${file}`);
      }
    }
    for (const [name, content] of extra) {
      if (Buffer.isBuffer(content)) zip.addBuffer(content, name);
      else zip.addReadStream(content, name);
    }
    zip.end();
    const output = createWriteStream(zipPath);
    zip.outputStream.pipe(output);
    await finished(output);
    return zipPath;
  }

  it('reads a document of almost 1 MiB split over many chunks, and refuses a multi-MB line with file:line', async () => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    const big = `{"_id":"${entityId(9)}","_creationTime":1.5,"name":"${'é'.repeat(400_000)}x"}`;
    appendLine(folder, 'entities', `${big}\n`);
    const zip = await zipFolder(folder, join(tempDir(), 'big.zip'));
    for (const source of [folder, zip]) {
      const reader = await SnapshotReader.open(source);
      try {
        const seen: string[] = [];
        await reader.readTable(reader.tables.find((table) => table.name === 'entities')!, (lines) => void seen.push(...lines));
        // A two-byte character split across a chunk boundary is decoded whole.
        expect(seen[4]).toBe(big);
      } finally {
        await reader.close();
      }
    }
    appendLine(folder, 'entities', `{"_id":"${entityId(10)}","_creationTime":1.5,"name":"${'a'.repeat(3 * 1024 * 1024)}"}\n`);
    await expect(verifySnapshot(folder)).rejects.toThrow(/^entities\/documents\.jsonl:6: the document is larger than 1048576 bytes \(1 MiB\)/);
  });

  it('stops reading a 200 MB line in a small ZIP after about 1 MiB (bounded memory, fails fast)', async () => {
    let left = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const bomb = new Readable({
      read() {
        if (left <= 0) return void this.push(null);
        left -= chunk.length;
        this.push(left === 200 * 1024 * 1024 - chunk.length ? Buffer.concat([Buffer.from('{"name":"'), chunk]) : chunk);
      },
    });
    const zip = await zipWith([['huge/documents.jsonl', bomb]]);
    const reader = await SnapshotReader.open(zip);
    try {
      let read = 0;
      const started = performance.now();
      await expect(
        reader.readTable(reader.tables.find((table) => table.name === 'huge')!, () => undefined, (bytes) => (read += bytes)),
      ).rejects.toThrow(/^huge\/documents\.jsonl:1: the document is larger than 1048576 bytes/);
      expect(read).toBeLessThan(2 * 1024 * 1024);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await reader.close();
    }
  });

  it('refuses nesting deeper than 64 levels, naming the line', async () => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}1.0${'}'.repeat(depth - 1)}`;
    appendLine(folder, 'messages', `{"_id":"${encodeConvexId(10006, new Uint8Array(16).fill(1))}","_creationTime":1.5,"ok":${nested(60)},"s":"${'['.repeat(100)}"}\n`);
    await expect(verifySnapshot(folder)).resolves.toMatchObject({ documents: 16 });
    appendLine(folder, 'messages', `{"_id":"${encodeConvexId(10006, new Uint8Array(16).fill(2))}","_creationTime":1.5,"deep":${nested(65)}}\n`);
    await expect(verifySnapshot(folder)).rejects.toThrow(/^messages\/documents\.jsonl:4: objects and arrays nest deeper than 64 levels/);
  });

  it('refuses two ZIP entries with the same name instead of keeping the last one', async () => {
    const duplicate = readFileSync(join(FIXTURES.uniformCurrent, 'entities', 'documents.jsonl'));
    const zip = await zipWith([['entities/documents.jsonl', duplicate]]);
    await expect(SnapshotReader.open(zip)).rejects.toThrow(/two entries named "entities\/documents\.jsonl"/);
  });

  it.each([
    { bytes: [0xff], reason: 'a byte that is never UTF-8' },
    { bytes: [0xc3], reason: 'a truncated two-byte sequence' },
    { bytes: [0xed, 0xa0, 0x80], reason: 'an encoded surrogate' },
  ])('refuses invalid UTF-8 with file:line instead of replacing it ($reason)', async ({ bytes }) => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    const path = join(folder, 'entities', 'documents.jsonl');
    const line = Buffer.concat([Buffer.from(`{"_id":"${entityId(3)}","_creationTime":1.5,"name":"`), Buffer.from(bytes), Buffer.from('"}\n')]);
    writeFileSync(path, Buffer.concat([readFileSync(path), line]));
    await expect(verifySnapshot(folder)).rejects.toThrow(/^entities\/documents\.jsonl:5: the line is not valid UTF-8/);
    await expect(verifySnapshot(await zipFolder(folder, join(tempDir(), 'utf8.zip')))).rejects.toThrow(/^entities\/documents\.jsonl:5: the line is not valid UTF-8/);
  });

  it.each([
    { line: '{"name":"bad-name","id":10099}', error: /_tables\/documents\.jsonl:7: table name "bad-name" is not a valid Convex table name/, reason: 'a dash' },
    { line: '{"name":"1table","id":10099}', error: /_tables\/documents\.jsonl:7: table name "1table"/, reason: 'a leading digit' },
    { line: `{"name":"${'t'.repeat(65)}","id":10099}`, error: /_tables\/documents\.jsonl:7: table name "t+" is not/, reason: '65 characters' },
    { line: '{"name":"../etc","id":10099}', error: /_tables\/documents\.jsonl:7: table name "..\/etc"/, reason: 'a path' },
    { line: '{"name":"wide","id":4294967296}', error: /_tables\/documents\.jsonl:7: id 4294967296 is above 4294967295/, reason: 'a table number above 32 bits' },
  ])('refuses a _tables entry Convex would refuse ($reason)', async ({ line, error }) => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    appendLine(folder, '_tables', `${line}\n`);
    await expect(SnapshotReader.open(folder)).rejects.toThrow(error);
  });

  it('accepts system table names such as _storage in _tables', async () => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    appendLine(folder, '_tables', '{"name":"_storage","id":7}\n');
    await expect(verifySnapshot(folder)).resolves.toMatchObject({ documents: 15 });
  });

  it.each([
    { folder: 'bad name', reason: 'a space' },
    { folder: 'über', reason: 'a non-ASCII letter' },
  ])('refuses a table folder Convex would not accept as a table name ($reason)', async ({ folder: name }) => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    mkdirSync(join(folder, name));
    writeFileSync(join(folder, name, 'documents.jsonl'), '');
    await expect(SnapshotReader.open(folder)).rejects.toThrow(`${name}/documents.jsonl: table name ${JSON.stringify(name)} is not a valid Convex table name`);
  });

  it.each([
    { zip: false, reason: 'folder' },
    { zip: true, reason: 'ZIP' },
  ])('refuses a document whose _id names another table, with file:line ($reason)', async ({ zip }) => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    const connectionId = encodeConvexId(10003, new Uint8Array(16).fill(4));
    appendLine(folder, 'entities', `{"_id":"${connectionId}","_creationTime":1.5,"name":"stray"}\n`);
    const source = zip ? await zipFolder(folder, join(tempDir(), 'snap.zip')) : folder;
    await expect(verifySnapshot(source)).rejects.toThrow(
      `entities/documents.jsonl:5: _id ${connectionId} belongs to table number 10003, but this table is number 10002 in _tables/documents.jsonl`,
    );
  });

  it.each([
    { link: 'entities/documents.jsonl', reason: 'a linked documents.jsonl' },
    { link: 'secrets', reason: 'a linked table folder' },
  ])('refuses symbolic links without following them or quoting the target ($reason)', async ({ link }) => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    const outside = join(tempDir(), 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'documents.jsonl'), 'root:x:0:0:root:/root:/bin/bash\n');
    if (link === 'secrets') symlinkSync(outside, join(folder, link));
    else {
      rmSync(join(folder, link));
      symlinkSync(join(outside, 'documents.jsonl'), join(folder, link));
    }
    const failure = verifySnapshot(folder);
    await expect(failure).rejects.toThrow(new RegExp(`${link}.* is a symbolic link`));
    await expect(verifySnapshot(folder)).rejects.not.toThrow(/root:x|outside/);
  });
});

describe('import refuses what the reader refuses, and leaves the store as it was', () => {
  it.each([
    { edit: (folder: string) => appendLine(folder, 'entities', `{"_id":"${encodeConvexId(10003, new Uint8Array(16).fill(4))}","_creationTime":1.5}\n`), error: /^entities\/documents\.jsonl:5: _id \S+ belongs to table number 10003, but this table is number 10002/, reason: 'a connection id among the entities' },
    { edit: (folder: string) => appendLine(folder, 'entities', `${'{"a":'.repeat(70)}1${'}'.repeat(70)}\n`), error: /^entities\/documents\.jsonl:5: objects and arrays nest deeper than 64 levels/, reason: 'nesting too deep' },
    { edit: (folder: string) => appendLine(folder, '_tables', '{"name":"bad name","id":10020}\n'), error: /^_tables\/documents\.jsonl:7: table name "bad name"/, reason: 'a bad table name' },
  ])('$reason', async ({ edit, error }) => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    edit(folder);
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.legacyThings);
    const before = storeDigest(store);
    await expect(importSnapshot(store, folder, { replace: true })).rejects.toThrow(error);
    expect(storeDigest(store)).toBe(before);
  });
});
