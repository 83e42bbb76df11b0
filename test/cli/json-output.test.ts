import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { stopCheckWorker } from '../../src/store/sqlite/check-scan.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { appendLine, copyFixture, FIXTURES } from '../snapshot/helpers.ts';

afterAll(() => stopCheckWorker());

const NOW = '2026-11-01T00:00:00Z';
/** An entity of the uniform fixture. */
const ENTITY = 'j975m000000000000000000000006f8n';

/** A store file loaded from the uniform fixture, and a folder for outputs. */
async function fixtureStore(): Promise<{ db: string; dir: string }> {
  const dir = tempDir();
  const db = join(dir, 'store.db');
  expect(await runCli(['--db', db, 'import', FIXTURES.uniformCurrent], captureIo())).toBe(0);
  return { db, dir };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('--json prints exactly one JSON document on stdout and nothing on stderr', () => {
  it.each<{ argv: (dir: string) => string[]; fresh?: boolean; keys: string[]; reason: string }>([
    { argv: () => ['seed', '--entities', '40'], fresh: true, keys: ['location', 'seed', 'naming'], reason: 'seed into a new store' },
    { argv: () => ['import', FIXTURES.legacyThings], fresh: true, keys: ['location', 'source', 'format', 'naming', 'documents', 'tables'], reason: 'import' },
    { argv: (dir) => ['export', join(dir, 'out.zip')], keys: ['path', 'format', 'naming', 'documents', 'tables'], reason: 'export' },
    { argv: () => ['info'], keys: ['location', 'namingGeneration', 'entitiesTable', 'tables', 'sizeBytes'], reason: 'info' },
    { argv: () => ['check', '--limit', '3'], keys: ['status', 'summary', 'details', 'issues'], reason: 'check' },
    { argv: () => ['metrics'], keys: ['timestamp', 'groupId', 'referentialIntegrityScore', 'status', 'statusByMetric'], reason: 'metrics' },
    { argv: () => ['versions'], keys: ['timestamp', 'v0Entities', 'v1Entities', 'distributionPercentage'], reason: 'versions' },
    { argv: () => ['audit', ENTITY], keys: ['thingId', 'groupId', 'thing', 'events', 'connections'], reason: 'audit' },
  ])('$reason', async ({ argv, fresh, keys }) => {
    const { db, dir } = fresh ? { dir: tempDir(), db: '' } : await fixtureStore();
    const io = captureIo();
    expect(await runCli(['--db', db || join(dir, 'new.db'), '--json', '--now', NOW, ...argv(dir)], io)).toBe(0);
    expect(io.err()).toBe('');
    // JSON.parse fails on two documents or on text around one.
    const document = JSON.parse(io.out());
    expect(Object.keys(document)).toEqual(expect.arrayContaining(keys));
    expect(io.out().endsWith('}\n')).toBe(true);
  });

  it('prints nothing on stdout when the command fails', async () => {
    const { db } = await fixtureStore();
    const io = captureIo();
    expect(await runCli(['--db', db, '--json', 'audit', 'no-such-entity'], io)).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(/^ontology-ops: No entity with id "no-such-entity".*\n$/);
  });
});

describe('a failed import leaves the store file byte for byte as it was', () => {
  it.each([
    { table: 'knowledge', line: '{"_id":', reason: 'a broken line in the last table' },
    { table: 'things', line: `{"_id":"${ENTITY}","_creationTime":1.5}`, reason: 'an id the things table already holds' },
  ])('$reason, with --replace', async ({ table, line }) => {
    const { db } = await fixtureStore();
    const before = sha256(db);
    const snapshot = copyFixture(FIXTURES.legacyThings);
    appendLine(snapshot, table, `${line}\n`);
    const io = captureIo();
    expect(await runCli(['--db', db, 'import', snapshot, '--replace'], io)).toBe(1);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/^ontology-ops: (knowledge|things)\/documents\.jsonl:\d+: /);
    expect(sha256(db)).toBe(before);
  });
});
