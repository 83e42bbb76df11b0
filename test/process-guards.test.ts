import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** Runs `script` (an ES module, run from the project root) in a new Node process; resolves with its output and exit code. */
function runScript(script: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

const FAILURES = `
  Promise.reject(new Error('a rejection nobody awaited'));
  setTimeout(() => { throw new TypeError("Cannot read properties of null (reading 'type')"); }, 10);
  setTimeout(() => console.log('still serving'), 100);
`;

describe('installProcessGuards', () => {
  it('logs an unhandled rejection and an uncaught exception in one line each, and the process goes on', async () => {
    const result = await runScript(`
      import { installProcessGuards } from './src/process-guards.ts';
      installProcessGuards((line) => console.log(line));
      ${FAILURES}
    `);
    expect(result.out.trim().split('\n')).toEqual([
      'Unhandled rejection (the process keeps running): Unexpected error: a rejection nobody awaited',
      "Uncaught exception (the process keeps running): Unexpected error: Cannot read properties of null (reading 'type')",
      'still serving',
    ]);
    expect(result.code).toBe(0);
  });

  it('without them the same failures end the process (what the guards are for)', async () => {
    const result = await runScript(FAILURES);
    expect(result.code).not.toBe(0);
    expect(result.out).not.toContain('still serving');
  });

  it('removes its handlers when asked', async () => {
    const result = await runScript(`
      import { installProcessGuards } from './src/process-guards.ts';
      const remove = installProcessGuards((line) => console.log(line));
      remove();
      ${FAILURES}
    `);
    expect(result.code).not.toBe(0);
    expect(result.out).not.toContain('still serving');
  });

  it('the CLI installs them: a stray rejection is one line, the command still answers, and the exit code is 1', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/processes/stray-rejection.mjs', 'src/cli.ts', '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(err).toBe('ontology-ops: Unhandled rejection (the process keeps running): Unexpected error: a stray rejection\n');
    expect(out).toMatch(/^Usage: ontology-ops /);
    expect(code).toBe(1);
  });
});
