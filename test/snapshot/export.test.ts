import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONTOLOGY_TABLES } from '../../src/ontology/naming.ts';
import { parseDocument } from '../../src/ontology/values.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { exportSnapshot } from '../../src/snapshot/export.ts';
import { importSnapshot } from '../../src/snapshot/import.ts';
import { verifySnapshot } from '../../src/snapshot/reader.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { FIXTURES, zipFolder } from './helpers.ts';

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

  it('reports progress in documents up to the total', async () => {
    const { store } = tempStore();
    await seedStore(store, { entities: 2000, now: NOW });
    const calls: [number, number][] = [];
    await exportSnapshot(store, join(tempDir(), 'out.zip'), { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.at(-1)).toEqual([10_003, 10_003]);
  });
});
