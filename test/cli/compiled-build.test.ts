import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-store.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const COMPILED_CLI = join(ROOT, 'dist/src/cli.js');

/** Runs a command through plain `node` with no TypeScript loader: only the compiled build can answer. */
async function compiled(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [COMPILED_CLI, ...args], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } });
}

describe('the compiled build (dist/)', () => {
  it('exists: `npm test` and `npm install` build it first', () => {
    expect(existsSync(COMPILED_CLI), 'dist/src/cli.js is missing: run `npm run build`').toBe(true);
  });

  it('seeds, reports and checks with plain node, worker threads included', async () => {
    const db = join(tempDir(), 'compiled.db');
    await compiled(['--db', db, '--json', 'seed', '--entities', '200']);
    const info = JSON.parse((await compiled(['--db', db, '--json', 'info'])).stdout);
    expect(info.tables.find((table: { logical: string }) => table.logical === 'entities').documents).toBe(200);
    // `check` runs its scan in the check worker thread, which starts from the compiled worker body.
    const check = JSON.parse((await compiled(['--db', db, '--json', 'check', '--limit', '5'])).stdout);
    expect(check.summary.totalIssues).toBeGreaterThan(0);
    const viaSources = JSON.parse((await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), '--db', db, '--json', 'check', '--limit', '5'], { cwd: ROOT })).stdout);
    expect(check).toEqual(viaSources);
  });

  it('is what the bin runs', async () => {
    const db = join(tempDir(), 'bin.db');
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin/ontology-ops.js'), '--db', db, '--json', 'seed', '--entities', '50'], { cwd: ROOT });
    expect(JSON.parse(stdout).tables).toMatchObject({ entities: 50 });
  });
});
