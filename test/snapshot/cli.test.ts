import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { captureIo } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { appendLine, copyFixture, FIXTURES } from './helpers.ts';

describe('ontology-ops import / export', () => {
  it('imports a snapshot, exports it as a ZIP and imports that with --replace (JSON output)', async () => {
    const dir = tempDir();
    const db = join(dir, 'store.db');
    const imported = captureIo();
    expect(await runCli(['--db', db, '--json', 'import', FIXTURES.legacyThings], imported)).toBe(0);
    expect(JSON.parse(imported.out())).toMatchObject({ naming: 'legacy', documents: 7, format: 'dir' });

    const exported = captureIo();
    expect(await runCli(['--db', db, '--json', 'export', join(dir, 'backup.zip')], exported)).toBe(0);
    const summary = JSON.parse(exported.out());
    expect(summary).toMatchObject({ format: 'zip', naming: 'legacy', documents: 7 });
    expect(summary.tables[1]).toMatchObject({ name: 'things', documents: 2 });

    const refused = captureIo();
    expect(await runCli(['--db', db, 'import', join(dir, 'backup.zip')], refused)).toBe(1);
    expect(refused.err()).toMatch(/^ontology-ops: The store at .* already holds 7 documents: pass --replace/);
    const replaced = captureIo();
    expect(await runCli(['--db', db, 'import', join(dir, 'backup.zip'), '--replace'], replaced)).toBe(0);
    expect(replaced.out()).toMatch(/^Imported 7 documents from .*backup\.zip \(zip, legacy naming\)/);
    expect(replaced.out()).toMatch(/Replaced 7 documents the store held before\./);
  });

  it('prints one line naming file and line for a bad snapshot, and exits 1', async () => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    appendLine(folder, 'knowledge', '{"broken": \n');
    const io = captureIo();
    const db = join(tempDir(), 'store.db');
    expect(await runCli(['--db', db, 'import', folder], io)).toBe(1);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/^ontology-ops: knowledge\/documents\.jsonl:3: invalid JSON/);
    // The store did not exist before: no empty store is left behind.
    expect(existsSync(db)).toBe(false);
  });

  it.each([
    { args: ['export', 'out.zip'], message: /^ontology-ops: No store at .*: create one with `ontology-ops seed`/, reason: 'export needs an existing store' },
    { args: ['import'], message: /^ontology-ops: missing required argument 'snapshot'/, reason: 'import needs a snapshot' },
  ])('refuses: $reason', async ({ args, message }) => {
    const io = captureIo();
    expect(await runCli(['--db', join(tempDir(), 'none.db'), ...args], io)).toBe(1);
    expect(io.err()).toMatch(message);
  });

  it('says which system tables it did not import', async () => {
    const folder = copyFixture(FIXTURES.uniformCurrent);
    mkdirSync(join(folder, '_storage'));
    writeFileSync(join(folder, '_storage', 'documents.jsonl'), '{"_id":"x","_creationTime":1.5}\n');
    const io = captureIo();
    expect(await runCli(['--db', join(tempDir(), 'store.db'), 'import', folder], io)).toBe(0);
    expect(io.out()).toContain('Not imported (system tables): _storage.');
  });

  it('exports to a folder with readable text output', async () => {
    const dir = tempDir();
    const db = join(dir, 'store.db');
    expect(await runCli(['--db', db, 'import', FIXTURES.uniformCurrent], captureIo())).toBe(0);
    const io = captureIo();
    expect(await runCli(['--db', db, 'export', join(dir, 'out')], io)).toBe(0);
    expect(io.out()).toMatch(/^Exported 15 documents \(current naming\) to .*out \(dir\)\.\n {2}groups: 2 \(sha256 [0-9a-f]{64}\)/);
  });
});
