/**
 * The crash test hook (`ONTOLOGY_OPS_TEST_KILL_AT`, `src/migration/test-hooks.ts`) is read only by the CLI
 * commands: `npm start` (`src/main.ts`, the Slack app, the local workspace, the scheduled monitors) never turns it
 * into crash points, so the variable cannot stop a running bot.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every TypeScript source file under `folder` (relative to the repository root). */
function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder)).flatMap((entry) => {
    if (entry === 'node_modules' || entry === '_generated') return [];
    const path = join(folder, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return entry.endsWith('.ts') ? [path.split(sep).join('/')] : [];
  });
}

describe('the crash test hook', () => {
  it('is read from the environment only by the CLI commands, never on the `npm start` path', () => {
    const readers = ['src', 'monitors', 'handlers'].flatMap(sourceFiles).filter((path) => {
      const text = readFileSync(join(ROOT, path), 'utf8');
      return path !== 'src/migration/test-hooks.ts' && /crashPointsFromEnv\s*\(|KILL_AT_ENV|ONTOLOGY_OPS_TEST_KILL_AT/.test(text);
    });
    expect(readers.length).toBeGreaterThan(0);
    expect(readers.filter((path) => !path.startsWith('src/cli/'))).toEqual([]);
    expect(readFileSync(join(ROOT, 'src/main.ts'), 'utf8')).not.toMatch(/src\/cli\/(context|commands\/monitor)|['"]\.\/cli\/(context|commands\/monitor)\.ts['"]/);
  });
});
