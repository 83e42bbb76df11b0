import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidSnapshotError, NotFoundError } from '../../src/errors.ts';
import { encodeConvexId } from '../../src/ontology/ids.ts';
import { importSnapshot } from '../../src/snapshot/import.ts';
import { META_KEYS, SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { appendLine, copyFixture, FIXTURES, storeDigest, zipFolder } from './helpers.ts';

const E1 = 'j975m000000000000000000000006f8n';
const E2 = 'j975m000000000000000000000008fgp';
/** A valid entities id that no fixture uses. */
const NEW_ID = encodeConvexId(10002, Uint8Array.from({ length: 16 }, (_, index) => (index === 15 ? 200 : 0)));
const NEW_EVENT_ID = encodeConvexId(10004, Uint8Array.from({ length: 16 }, (_, index) => (index === 15 ? 201 : 0)));

function bytesOf(value: unknown): number[] {
  expect(value).toBeInstanceOf(ArrayBuffer);
  return [...new Uint8Array(value as ArrayBuffer)];
}

describe('importSnapshot: the uniform encoding, current naming', () => {
  it.each([
    { format: 'dir', reason: 'an unpacked snapshot folder' },
    { format: 'zip', reason: 'a snapshot ZIP' },
  ])('loads every table with its number types ($reason)', async ({ format }) => {
    const { store } = tempStore();
    const source = format === 'zip' ? await zipFolder(FIXTURES.uniformCurrent, join(tempDir(), 'snap.zip')) : FIXTURES.uniformCurrent;
    const summary = await importSnapshot(store, source);
    expect(summary).toMatchObject({ format, naming: 'current', documents: 15, replacedDocuments: 0 });
    expect(summary.tables.map((table) => [table.name, table.logical, table.documents, table.encoding])).toEqual([
      ['groups', 'groups', 2, 'uniform'],
      ['entities', 'entities', 4, 'uniform'],
      ['connections', 'connections', 3, 'uniform'],
      ['events', 'events', 2, 'uniform'],
      ['knowledge', 'knowledge', 2, 'uniform'],
      ['messages', null, 2, 'uniform'],
    ]);
    expect(store.getMetaSync(META_KEYS.naming)).toBe('current');
    expect(store.database.prepare('SELECT name, table_number FROM convex_tables ORDER BY table_number').raw().all()).toEqual([
      ['groups', 10001],
      ['entities', 10002],
      ['connections', 10003],
      ['events', 10004],
      ['knowledge', 10005],
      ['messages', 10006],
    ]);

    const product = store.getSync('entities', E2)!;
    const properties = product.properties as Record<string, unknown>;
    expect(product._creationTime).toBe(1700000002000);
    expect(product.schemaVersion).toBe(1n);
    expect(properties.price).toBe(19.99);
    expect(properties.stock).toBe(12n);
    expect(properties.big).toBe(9007199254740993n);
    expect(properties.ratio).toBeNaN();
    expect(Object.is(properties.negativeZero, -0)).toBe(true);
    expect(properties.ceiling).toBe(Number.POSITIVE_INFINITY);
    expect(properties.tiny).toBe(2.5e-7);
    expect(bytesOf(properties.blob)).toEqual([1, 2, 3]);
    expect(properties.nested).toEqual({ list: [1n, 2.5, { deep: [true, false, null, 'x', -3n] }] });
    expect(store.getSync('entities', E1)!.schemaVersion).toBe(1);

    const columns = store.database.prepare('SELECT group_id, type, schema_version FROM entities ORDER BY rowid').raw().all();
    expect(columns).toEqual([
      ['j575m000000000000000000000002eg1', 'creator', 1],
      ['j575m000000000000000000000002eg1', 'product', 1],
      ['j575m000000000000000000000004er2', 'blog_post', null],
      [null, 'agent', null],
    ]);
    const event = store.database.prepare('SELECT type, actor_id, target_id, timestamp, archived FROM events ORDER BY rowid LIMIT 1').raw().get();
    expect(event).toEqual(['payment_event', E1, E2, 1690000000000, 1]);

    const messages = store.database.prepare("SELECT id, doc FROM other_documents WHERE table_name = 'messages' ORDER BY rowid").all() as {
      id: string;
      doc: string;
    }[];
    expect(messages.map((row) => row.id)).toEqual(['js75m00000000000000000000000wk38', 'js75m00000000000000000000000ykb9']);
    expect(messages[1]!.doc).toContain('"count":-9223372036854775808');
  });

  it('keeps a uniform line exactly as written', async () => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.uniformCurrent);
    const stored = store.database.prepare('SELECT doc FROM entities ORDER BY rowid').pluck().all();
    const lines = readFileSync(join(FIXTURES.uniformCurrent, 'entities', 'documents.jsonl'), 'utf8').trim().split('\n');
    expect(stored).toEqual(lines);
  });

  it('reports progress in bytes up to the total', async () => {
    const { store } = tempStore();
    const calls: [number, number][] = [];
    await importSnapshot(store, FIXTURES.uniformCurrent, { onProgress: (done, total) => calls.push([done, total]) });
    const total = calls.at(-1)![1];
    expect(total).toBeGreaterThan(1000);
    expect(calls.at(-1)).toEqual([total, total]);
  });
});

describe('importSnapshot: the legacy encoding and naming', () => {
  it('maps things to entities, decodes $integer as int64 and plain numbers as float64, re-encodes to uniform', async () => {
    const { store } = tempStore();
    const summary = await importSnapshot(store, await zipFolder(FIXTURES.legacyThings, join(tempDir(), 'legacy.zip')));
    expect(summary.naming).toBe('legacy');
    expect(summary.tables.map((table) => [table.name, table.logical, table.encoding])).toContainEqual(['things', 'entities', 'legacy']);
    expect(store.namingSync().entitiesTable).toBe('things');
    const creator = store.getSync('entities', E1)!;
    expect(creator.properties).toEqual({ role: 'author', followers: 3, posts: 3n });
    const product = store.getSync('entities', E2)!;
    const properties = product.properties as Record<string, unknown>;
    expect(product._creationTime).toBe(1600000002000);
    expect(properties.big).toBe(9007199254740993n);
    expect(properties.delta).toBe(-7n);
    expect(properties.ratio).toBeNaN();
    expect(bytesOf(properties.blob)).toEqual([1, 2, 3]);
    const text = store.database.prepare('SELECT doc FROM entities WHERE id = ?').pluck().get(E1);
    expect(text).toBe(
      '{"_id":"j975m000000000000000000000006f8n","_creationTime":1600000001000.5,"groupId":"j575m000000000000000000000002eg1","type":"creator","name":"Ada","properties":{"role":"author","followers":3.0,"posts":3}}',
    );
    const connections = store.database.prepare('SELECT from_id, to_id, group_id FROM connections ORDER BY rowid').raw().all();
    expect(connections[0]).toEqual([E1, E2, null]);
    const metadata = store.getSync('events', 'jh75m00000000000000000000000mhj0')!.metadata;
    expect(metadata).toEqual({ protocol: 'acp', status: 'verified', amount: 1999n });
  });
});

describe('importSnapshot: bad input fails with file:line and leaves the store exactly as it was', () => {
  const goodEntity = `{"_id":"${NEW_ID}","_creationTime":1700000099000.5,"type":"agent"}`;
  it.each([
    { table: 'entities', line: `{"_id":"${NEW_ID}","_creationTime":1.5,`, error: /^entities\/documents\.jsonl:5: invalid JSON/, reason: 'a truncated line' },
    { table: 'entities', line: '[1,2]', error: /^entities\/documents\.jsonl:5: a document must be a JSON object$/, reason: 'not an object' },
    { table: 'entities', line: '{"_creationTime":1.5,"type":"x"}', error: /:5: _id must be a non-empty string$/, reason: 'no _id' },
    { table: 'entities', line: '{"_id":"entity-1","_creationTime":1.5}', error: /:5: _id "entity-1" is not a valid Convex document id$/, reason: 'an _id that is no Convex id' },
    { table: 'entities', line: `{"_id":"${NEW_ID}","type":"x"}`, error: /:5: _creationTime must be a finite float64 number$/, reason: 'no _creationTime' },
    { table: 'entities', line: `{"_id":"${NEW_ID}","_creationTime":1700000000000}`, error: /:5: _creationTime must be a float64 \(got the int64 literal 1700000000000\)$/, reason: 'a bare integer is an int64 in the uniform encoding' },
    { table: 'entities', line: `{"_id":"${NEW_ID}","_creationTime":"1.5"}`, error: /:5: _creationTime must be a finite float64 number$/, reason: 'a string creation time' },
    { table: 'entities', line: `{"_id":"${NEW_ID}","_creationTime":1.5,"groupId":12}`, error: /:5: field groupId must be a string \(got number\)$/, reason: 'groupId of the wrong type' },
    { table: 'entities', line: `{"_id":"${NEW_ID}","_creationTime":1.5,"schemaVersion":"1"}`, error: /:5: field schemaVersion must be a number \(got string\)$/, reason: 'schemaVersion as text' },
    { table: 'events', line: `{"_id":"${NEW_EVENT_ID}","_creationTime":1.5,"timestamp":"yesterday"}`, error: /^events\/documents\.jsonl:3: field timestamp must be a number \(got string\)$/, reason: 'a timestamp as text' },
    { table: 'events', line: `{"_id":"${NEW_EVENT_ID}","_creationTime":1.5,"archived":"yes"}`, error: /^events\/documents\.jsonl:3: field archived must be a boolean \(got string\)$/, reason: 'archived as text' },
    { table: 'connections', line: `{"_id":"${NEW_ID}","_creationTime":1.5,"fromEntityId":{"$bytes":"AQ=="}}`, error: /^connections\/documents\.jsonl:4: field fromEntityId must be a string \(got bytes\)$/, reason: 'a special value where an id belongs (decoder path)' },
    { table: 'entities', line: `{"_id":"${E1}","_creationTime":1.5}`, error: new RegExp(`:5: duplicate _id ${E1}`), reason: 'an id already imported' },
    { table: 'messages', line: '{"_id":"js75m00000000000000000000000wk38","_creationTime":1.5}', error: /^messages\/documents\.jsonl:3: duplicate _id/, reason: 'duplicates in other tables too' },
    { table: 'entities', line: `{"_id":"${NEW_ID}","_creationTime":1.5,"x":{"$integer":"AQAAAAAAAAA="}}`, error: /:5: x: \$integer is not part of the uniform encoding$/, reason: '$integer belongs to the legacy encoding' },
    { table: 'entities', line: `{"_id":"${NEW_ID}","_creationTime":1.5,"$x":1}`, error: /:5: field names may not start with "\$" \(\$x\)$/, reason: 'reserved field name' },
    { table: 'entities', line: `${goodEntity}\n\n{oops}`, error: /^entities\/documents\.jsonl:7: invalid JSON/, reason: 'line numbers count blank lines' },
  ])('$reason', async ({ table, line, error }) => {
    const snapshot = copyFixture(FIXTURES.uniformCurrent);
    appendLine(snapshot, table, `${line}\n`);
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.legacyThings);
    const before = storeDigest(store);
    const failure = importSnapshot(store, snapshot, { replace: true });
    await expect(failure).rejects.toBeInstanceOf(InvalidSnapshotError);
    await expect(importSnapshot(store, snapshot, { replace: true })).rejects.toThrow(error);
    expect(storeDigest(store)).toBe(before);
  });

  it.each([
    { file: 'things/documents.jsonl', text: '{"_id":"j975m000000000000000000000006f8n","_creationTime":{"$integer":"AQAAAAAAAAA="}}', error: /^things\/documents\.jsonl:3: _creationTime must be a finite float64 number$/, reason: 'an int64 creation time in the legacy encoding' },
    { file: 'things/documents.jsonl', text: '{"_id":"j975m000000000000000000000006f8n",', error: /^things\/documents\.jsonl:3: invalid JSON/, reason: 'broken JSON in the legacy encoding' },
    { file: 'things/documents.jsonl', text: `{"_id":"${NEW_ID}","_creationTime":1,"x":{"$integer":"AQ=="}}`, error: /^things\/documents\.jsonl:3: x: \$integer must hold 8 bytes$/, reason: 'a short $integer' },
    { file: '_tables/documents.jsonl', text: '{"name":"extra","id":10001}', error: /^_tables\/documents\.jsonl:6: table number 10001 is used twice$/, reason: 'table numbers are unique' },
    { file: '_tables/documents.jsonl', text: '{"name":"extra"}', error: /^_tables\/documents\.jsonl:6: id must be a positive whole number$/, reason: 'a table without number' },
  ])('$reason', async ({ file, text, error }) => {
    const snapshot = copyFixture(FIXTURES.legacyThings);
    const path = join(snapshot, file);
    writeFileSync(path, `${readFileSync(path, 'utf8')}${text}\n`);
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.uniformCurrent);
    const before = storeDigest(store);
    await expect(importSnapshot(store, snapshot, { replace: true })).rejects.toThrow(error);
    expect(storeDigest(store)).toBe(before);
  });

  it.each([
    { cut: 0.5, reason: 'half of the file: no central directory' },
    { cut: 0.97, reason: 'only the end is missing' },
  ])('refuses a truncated ZIP ($reason)', async ({ cut }) => {
    const zip = await zipFolder(FIXTURES.uniformCurrent, join(tempDir(), 'snap.zip'));
    const bytes = readFileSync(zip);
    writeFileSync(zip, bytes.subarray(0, Math.floor(bytes.length * cut)));
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.legacyThings);
    const before = storeDigest(store);
    await expect(importSnapshot(store, zip, { replace: true })).rejects.toThrow(/snap\.zip: not a readable ZIP archive, it is truncated or corrupt/);
    expect(storeDigest(store)).toBe(before);
  });

  it('refuses a ZIP whose compressed data is damaged', async () => {
    const zip = await zipFolder(FIXTURES.uniformCurrent, join(tempDir(), 'snap.zip'));
    const bytes = readFileSync(zip);
    const name = bytes.indexOf('entities/documents.jsonl');
    const header = name - 30;
    const dataStart = name + bytes.readUInt16LE(header + 26) + bytes.readUInt16LE(header + 28);
    for (let offset = 4; offset < 12; offset++) bytes.writeUInt8(bytes.readUInt8(dataStart + offset) ^ 0x5a, dataStart + offset);
    writeFileSync(zip, bytes);
    const { store } = tempStore();
    await expect(importSnapshot(store, zip)).rejects.toThrow(/snap\.zip: entities\/documents\.jsonl: (the ZIP archive is truncated or corrupt|CRC-32 mismatch)/);
    expect(store.countSync('entities') + store.countSync('groups')).toBe(0);
  });

  it('detects a changed byte in a stored (uncompressed) entry by its CRC-32', async () => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    const zipPath = join(tempDir(), 'stored.zip');
    const yazl = (await import('yazl')).default;
    const zip = new yazl.ZipFile();
    for (const table of ['_tables', 'entities']) {
      for (const file of ['documents.jsonl', 'generated_schema.jsonl']) {
        try {
          zip.addBuffer(readFileSync(join(folder, table, file)), `${table}/${file}`, { compress: false });
        } catch {
          // _tables has no generated_schema.jsonl.
        }
      }
    }
    zip.end();
    const { createWriteStream } = await import('node:fs');
    const { finished } = await import('node:stream/promises');
    const output = createWriteStream(zipPath);
    zip.outputStream.pipe(output);
    await finished(output);
    const bytes = readFileSync(zipPath);
    const at = bytes.indexOf('Widget');
    bytes[at + 1] = 'o'.charCodeAt(0);
    writeFileSync(zipPath, bytes);
    const { store } = tempStore();
    await expect(importSnapshot(store, zipPath)).rejects.toThrow(/entities\/documents\.jsonl: CRC-32 mismatch, the ZIP archive is corrupt/);
    expect(store.countSync('entities')).toBe(0);
  });

  it.each([
    { make: () => join(tempDir(), 'missing.zip'), error: NotFoundError, message: /^No snapshot at .*missing\.zip: pass a Convex snapshot export/, reason: 'a path that does not exist' },
    { make: () => tempDir(), error: InvalidSnapshotError, message: /not a Convex snapshot: no <table>\/documents\.jsonl and no _tables\/documents\.jsonl/, reason: 'an empty folder' },
    {
      make: () => {
        const path = join(tempDir(), 'notes.zip');
        writeFileSync(path, 'plain text, not a ZIP');
        return path;
      },
      error: InvalidSnapshotError,
      message: /notes\.zip: not a readable ZIP archive/,
      reason: 'a file that is not a ZIP',
    },
  ])('names the source of $reason', async ({ make, error, message }) => {
    const { store } = tempStore();
    const failure = importSnapshot(store, make());
    await expect(failure).rejects.toBeInstanceOf(error);
    await expect(importSnapshot(store, make())).rejects.toThrow(message);
  });
});

describe('importSnapshot: --replace', () => {
  it('refuses a store that holds documents without replace, and leaves it unchanged', async () => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.legacyThings);
    const before = storeDigest(store);
    await expect(importSnapshot(store, FIXTURES.uniformCurrent)).rejects.toThrow(/already holds 7 documents: pass --replace to replace them with the snapshot/);
    expect(storeDigest(store)).toBe(before);
  });

  it('replaces every ontology table, other table, table number and the naming, and keeps store settings', async () => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.uniformCurrent);
    store.setMetaSync(META_KEYS.v1MigrationCompletedAt, '2026-01-01T00:00:00.000Z');
    const summary = await importSnapshot(store, FIXTURES.legacyThings, { replace: true });
    expect(summary.replacedDocuments).toBe(15);
    expect(store.namingSync().generation).toBe('legacy');
    expect(store.countSync('entities')).toBe(2);
    expect(store.countSync('connections')).toBe(2);
    expect(store.database.prepare('SELECT COUNT(*) FROM other_documents').pluck().get()).toBe(0);
    expect(store.database.prepare('SELECT name FROM convex_tables ORDER BY table_number').pluck().all()).toEqual([
      'groups',
      'things',
      'connections',
      'events',
      'knowledge',
    ]);
    expect(store.getMetaSync(META_KEYS.v1MigrationCompletedAt)).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('importSnapshot through the writer thread (how large snapshots are written)', () => {
  it('loads the fixture with the same rows as the in-thread path', async () => {
    const viaThread = tempStore();
    const inThread = tempStore();
    const summary = await importSnapshot(viaThread.store, FIXTURES.uniformCurrent, { writerThread: true });
    await importSnapshot(inThread.store, FIXTURES.uniformCurrent, { writerThread: false });
    expect(summary.documents).toBe(15);
    expect(storeDigest(viaThread.store)).toBe(storeDigest(inThread.store));
    expect(viaThread.store.getSync('entities', E2)!.properties).toMatchObject({ big: 9007199254740993n, stock: 12n });
  });

  it.each([
    { table: 'entities', line: `{"_id":"${E2}","_creationTime":1.5}`, error: new RegExp(`^entities/documents\\.jsonl:5: duplicate _id ${E2}`), reason: 'a duplicate found by the writer' },
    { table: 'messages', line: '{"_id":"js75m00000000000000000000000wk38","_creationTime":1.5}', error: /^messages\/documents\.jsonl:3: duplicate _id/, reason: 'a duplicate in another table' },
    { table: 'knowledge', line: '{"_id":', error: /^knowledge\/documents\.jsonl:3: invalid JSON/, reason: 'a bad line found by the reader while the writer holds the transaction' },
  ])('rolls back on $reason and leaves the store exactly as it was', async ({ table, line, error }) => {
    const snapshot = copyFixture(FIXTURES.uniformCurrent);
    appendLine(snapshot, table, `${line}\n`);
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.legacyThings);
    const before = storeDigest(store);
    await expect(importSnapshot(store, snapshot, { replace: true, writerThread: true })).rejects.toThrow(error);
    expect(storeDigest(store)).toBe(before);
    // The store stays writable: the writer's transaction is gone.
    await importSnapshot(store, FIXTURES.uniformCurrent, { replace: true, writerThread: true });
    expect(store.countSync('entities')).toBe(4);
  });

  it('leaves the database file byte for byte as it was after a failed --replace', async () => {
    const { store, path } = tempStore();
    await importSnapshot(store, FIXTURES.legacyThings);
    store.close();
    const before = createHash('sha256').update(readFileSync(path)).digest('hex');
    const snapshot = copyFixture(FIXTURES.uniformCurrent);
    appendLine(snapshot, 'knowledge', '{"_id":\n');
    const reopened = SqliteStore.open(path);
    try {
      await expect(importSnapshot(reopened, snapshot, { replace: true, writerThread: true })).rejects.toThrow(/^knowledge\/documents\.jsonl:3: invalid JSON/);
    } finally {
      reopened.close();
    }
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before);
  });

  it('refuses a store that holds documents without replace', async () => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.uniformCurrent);
    const before = storeDigest(store);
    await expect(importSnapshot(store, FIXTURES.legacyThings, { writerThread: true })).rejects.toThrow(/already holds 15 documents: pass --replace/);
    expect(storeDigest(store)).toBe(before);
  });

  it('writes through the store connection when that connection is inside a transaction', async () => {
    const { store } = tempStore();
    store.database.exec('BEGIN');
    const summary = await importSnapshot(store, FIXTURES.uniformCurrent, { writerThread: true });
    store.database.exec('COMMIT');
    expect(summary.documents).toBe(15);
    expect(store.countSync('connections')).toBe(3);
  });
});

describe('importSnapshot inside a transaction of the caller', () => {
  it('is a savepoint: a bad snapshot undoes only the import, and the caller decides about the rest', async () => {
    const { store } = tempStore();
    await importSnapshot(store, FIXTURES.legacyThings);
    const before = storeDigest(store);
    const snapshot = copyFixture(FIXTURES.uniformCurrent);
    appendLine(snapshot, 'events', 'oops\n');
    store.database.exec('BEGIN');
    await expect(importSnapshot(store, snapshot, { replace: true })).rejects.toThrow(/^events\/documents\.jsonl:3: invalid JSON/);
    expect(store.database.inTransaction).toBe(true);
    store.database.exec('COMMIT');
    expect(storeDigest(store)).toBe(before);
  });
});
