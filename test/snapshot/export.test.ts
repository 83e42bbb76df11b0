import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { OpsError } from '../../src/errors.ts';
import { ONTOLOGY_TABLES } from '../../src/ontology/naming.ts';
import { parseDocument } from '../../src/ontology/values.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { exportSnapshot } from '../../src/snapshot/export.ts';
import { importSnapshot } from '../../src/snapshot/import.ts';
import { verifySnapshot } from '../../src/snapshot/reader.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { copyFixture, FIXTURES, zipFolder } from './helpers.ts';

const NOW = Date.parse('2026-11-01T00:00:00Z');

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every stored row (columns and document text) of every data table, in storage order. */
function rows(store: SqliteStore): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of [...ONTOLOGY_TABLES, 'other_documents', 'convex_tables']) {
    out[table] = store.database.prepare(`SELECT * FROM ${table} ORDER BY rowid`).raw().all();
  }
  return out;
}

/** Every file of a snapshot folder, relative path → text. */
function folderFiles(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const table of readdirSync(folder).sort()) {
    for (const file of readdirSync(join(folder, table)).sort()) out[`${table}/${file}`] = readFileSync(join(folder, table, file), 'utf8');
  }
  return out;
}

/** Every entry of a ZIP in archive order, name → text. */
async function zipEntries(path: string): Promise<Map<string, string>> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  const list: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      list.push(entry);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  const entries = new Map<string, string>();
  for (const entry of list) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
  }
  zip.close();
  return entries;
}

describe('exportSnapshot', () => {
  it('writes the uniform fixture back byte for byte: every table, its number and its documents in stored order', async () => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.uniformCurrent);
    const target = join(tempDir(), 'out');
    const summary = await exportSnapshot(store, target);
    expect(summary).toMatchObject({ path: target, format: 'dir', naming: 'current', documents: 15 });
    expect(folderFiles(target)).toEqual(folderFiles(FIXTURES.uniformCurrent));
    for (const table of summary.tables) expect(table.sha256).toBe(sha256(join(target, table.name, 'documents.jsonl')));
  });

  it('writes legacy data under its physical names (things) in the uniform encoding', async () => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.legacyThings);
    const target = join(tempDir(), 'out');
    const summary = await exportSnapshot(store, target);
    expect(summary.naming).toBe('legacy');
    expect(summary.tables.map((table) => [table.name, table.documents])).toEqual([
      ['groups', 1],
      ['things', 2],
      ['connections', 2],
      ['events', 1],
      ['knowledge', 1],
    ]);
    const files = folderFiles(target);
    expect(files['things/generated_schema.jsonl']).toBe('"uniform"\n');
    expect(files['_tables/documents.jsonl']).toBe(
      '{"name":"groups","id":10001}\n{"name":"things","id":10002}\n{"name":"connections","id":10003}\n{"name":"events","id":10004}\n{"name":"knowledge","id":10005}\n',
    );
    expect(files['things/documents.jsonl']).toContain('"followers":3.0,"posts":3}');
    expect(existsSync(join(target, 'entities'))).toBe(false);
  });

  it.each([
    { fixture: FIXTURES.uniformCurrent, target: 'out.zip', reason: 'uniform fixture through a ZIP' },
    { fixture: FIXTURES.uniformCurrent, target: 'out', reason: 'uniform fixture through a folder' },
    { fixture: FIXTURES.legacyThings, target: 'out.zip', reason: 'legacy fixture (int64 from $integer, floats from plain numbers)' },
    { fixture: FIXTURES.legacyThings, target: 'out', reason: 'legacy fixture through a folder' },
  ])('round trip import → export → import keeps every document and number type ($reason)', async ({ fixture, target }) => {
    const first = tempStore();
    await importSnapshot(first.store, fixture);
    const exported = await exportSnapshot(first.store, join(tempDir(), target));
    const second = tempStore();
    await importSnapshot(second.store, exported.path);
    expect(rows(second.store)).toEqual(rows(first.store));
    expect(second.store.namingSync()).toEqual(first.store.namingSync());
    const texts = first.store.database.prepare('SELECT doc FROM entities ORDER BY rowid').pluck().all() as string[];
    const again = second.store.database.prepare('SELECT doc FROM entities ORDER BY rowid').pluck().all() as string[];
    // Decoded values equal too (int64 stays bigint, float64 stays number, bytes stay bytes).
    expect(again.map((text) => parseDocument(text, 'uniform'))).toEqual(texts.map((text) => parseDocument(text, 'uniform')));
    const reexported = await exportSnapshot(second.store, join(tempDir(), target));
    expect(reexported.tables).toEqual(exported.tables);
  });

  it('converts legacy numbers to the uniform encoding once, and a second round trip changes nothing', async () => {
    const folder = join(tempDir(), 'legacy');
    mkdirSync(join(folder, 'misc'), { recursive: true });
    mkdirSync(join(folder, '_tables'));
    writeFileSync(join(folder, '_tables', 'documents.jsonl'), '{"name":"misc","id":10006}\n');
    writeFileSync(join(folder, 'misc', 'generated_schema.jsonl'), '"{_creationTime: normalfloat64}"\n');
    const id = 'js75m00000000000000000000000wk38';
    writeFileSync(
      join(folder, 'misc', 'documents.jsonl'),
      `{"_id":"${id}","_creationTime":1600000001000,"a":1,"negZero":-0,"huge":1e300,"wide":123456789012345678,` +
        `"list":[{"$integer":"AQAAAAAAAAA="},[2.5,{"$bytes":""}]],"nan":{"$float":"AAAAAAAA+H8="}}\n`,
    );
    const first = tempStore();
    await importSnapshot(first.store, folder);
    const exported = await exportSnapshot(first.store, join(tempDir(), 'out'));
    const line = readFileSync(join(exported.path, 'misc', 'documents.jsonl'), 'utf8');
    expect(line).toBe(
      `{"_id":"${id}","_creationTime":1600000001000.0,"a":1.0,"negZero":{"$float":"AAAAAAAAAIA="},"huge":1e+300,` +
        `"wide":123456789012345680.0,"list":[1,[2.5,{"$bytes":""}]],"nan":{"$float":"AAAAAAAA+H8="}}\n`,
    );
    const second = tempStore();
    await importSnapshot(second.store, exported.path);
    const again = await exportSnapshot(second.store, join(tempDir(), 'again'));
    expect(readFileSync(join(again.path, 'misc', 'documents.jsonl'), 'utf8')).toBe(line);
    const decoded = parseDocument(line.trim(), 'uniform');
    expect(decoded.list).toEqual([1n, [2.5, new ArrayBuffer(0)]]);
    expect(Object.is(decoded.negZero, -0)).toBe(true);
  });

  it('round-trips seeded data (every defect kind, int64 amounts, NaN prices) and its checksums match the reader', async () => {
    const { store } = tempStore();
    await seedStore(store, { entities: 300, now: NOW, seed: 9 });
    const zip = await exportSnapshot(store, join(tempDir(), 'seed.zip'));
    const verified = await verifySnapshot(zip.path);
    expect(verified.tables.map(({ name, documents, sha256: hash }) => ({ name, documents, sha256: hash }))).toEqual(zip.tables);
    expect(verified.documents).toBe(zip.documents);
    const copy = tempStore();
    await importSnapshot(copy.store, zip.path);
    expect(rows(copy.store)).toEqual(rows(store));
  });

  it.each([
    { seeds: [4, 4], same: true, reason: 'the same seed gives byte-identical exports' },
    { seeds: [4, 5], same: false, reason: 'another seed gives another export' },
  ])('is deterministic: $reason', async ({ seeds, same }) => {
    const hashes: string[] = [];
    for (const seed of seeds) {
      const { store } = tempStore();
      await seedStore(store, { entities: 200, now: NOW, seed });
      hashes.push(sha256((await exportSnapshot(store, join(tempDir(), 'seed.zip'))).path));
    }
    expect(hashes[0] === hashes[1]).toBe(same);
  });

  it('refuses an existing target and leaves it alone', async () => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.uniformCurrent);
    const target = await zipFolder(FIXTURES.legacyThings, join(tempDir(), 'taken.zip'));
    const before = sha256(target);
    await expect(exportSnapshot(store, target)).rejects.toThrow(/Export target .*taken\.zip already exists: choose a new path or remove it first/);
    expect(sha256(target)).toBe(before);
  });

  it.each([
    { target: 'failed.zip', reason: 'ZIP' },
    { target: 'failed', reason: 'folder' },
  ])('leaves neither the target nor a temporary file when it fails midway ($reason)', async ({ target }) => {
    const { store } = tempStore();
    await seedStore(store, { entities: 2000, now: NOW });
    const dir = tempDir();
    let calls = 0;
    const failing = exportSnapshot(store, join(dir, target), {
      onProgress: () => {
        if (++calls === 3) throw new Error('disk full');
      },
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes the ZIP layout `npx convex import` reads: _tables/documents.jsonl, then <table>/documents.jsonl and <table>/generated_schema.jsonl, at the root', async () => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.uniformCurrent);
    const summary = await exportSnapshot(store, join(tempDir(), 'convex.zip'));
    const entries = await zipEntries(summary.path);
    const tables = ['groups', 'entities', 'connections', 'events', 'knowledge', 'messages'];
    expect([...entries.keys()]).toEqual([
      '_tables/documents.jsonl',
      ...tables.flatMap((table) => [`${table}/documents.jsonl`, `${table}/generated_schema.jsonl`]),
    ]);
    for (const table of tables) expect(entries.get(`${table}/generated_schema.jsonl`)).toBe('"uniform"\n');
    const tableLines = entries.get('_tables/documents.jsonl')!.trim().split('\n').map((line) => JSON.parse(line));
    expect(tableLines).toEqual(tables.map((name, index) => ({ name, id: 10001 + index })));
    const original = readFileSync(join(FIXTURES.uniformCurrent, 'entities', 'documents.jsonl'), 'utf8');
    expect(entries.get('entities/documents.jsonl')).toBe(original);
  });

  it('leaves out system tables it did not import (an empty _storage would delete the files on a --replace-all import)', async () => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    mkdirSync(join(folder, '_storage'));
    writeFileSync(join(folder, '_storage', 'documents.jsonl'), '{"_id":"kg2abc","_creationTime":1.5}\n');
    writeFileSync(join(folder, '_tables', 'documents.jsonl'), `${readFileSync(join(folder, '_tables', 'documents.jsonl'), 'utf8')}{"name":"_storage","id":7}\n`);
    const { store } = tempStore();
    await importSnapshot(store, folder);
    const summary = await exportSnapshot(store, join(tempDir(), 'out'));
    expect(summary.tables.map((table) => table.name)).toEqual(['groups', 'entities', 'connections', 'events', 'knowledge', 'messages']);
    expect(existsSync(join(summary.path, '_storage'))).toBe(false);
    expect(readFileSync(join(summary.path, '_tables', 'documents.jsonl'), 'utf8')).not.toContain('_storage');
  });

  it.each([
    { target: 'blocked/out.zip', reason: 'ZIP' },
    { target: 'blocked/out', reason: 'folder' },
  ])('fails with one line naming the target when it cannot write there ($reason)', async ({ target }) => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.uniformCurrent);
    const dir = tempDir();
    writeFileSync(join(dir, 'blocked'), 'a file where a folder is needed\n');
    const failure = exportSnapshot(store, join(dir, target));
    await expect(failure).rejects.toBeInstanceOf(OpsError);
    await expect(exportSnapshot(store, join(dir, target))).rejects.toThrow(
      /^Cannot write the export to .*blocked\/out(\.zip)? \(a file stands where a folder is needed\): choose a path in a folder you can write to/,
    );
    expect(readdirSync(dir)).toEqual(['blocked']);
  });

  it('reports progress in documents up to the total', async () => {
    const { store } = tempStore();
    await seedStore(store, { entities: 2000, now: NOW });
    const calls: [number, number][] = [];
    await exportSnapshot(store, join(tempDir(), 'out.zip'), { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.at(-1)).toEqual([10_003, 10_003]);
  });
});
