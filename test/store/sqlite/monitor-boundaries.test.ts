/**
 * The module boundaries of the monitor ports: adapters see ports, never jobs or services; jobs and the alert
 * pipeline see ports, never an adapter (only entry points construct adapters, until the composition root does).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve('.');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The repository-relative paths a file imports (relative imports only). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((match) => relative(ROOT, resolve(dirname(file), match[1]!)));
}

/** `file imports target` for every import of the files under `folders` that `forbidden` refuses. */
function violations(folders: string[], forbidden: (target: string) => boolean, except: readonly string[] = []): string[] {
  return folders
    .flatMap((folder) => sourceFiles(resolve(folder)))
    .filter((file) => !except.includes(relative(ROOT, file)))
    .flatMap((file) => importsOf(file).filter(forbidden).map((target) => `${relative(ROOT, file)} imports ${target}`));
}

describe('monitor port boundaries', () => {
  it('no SQLite adapter imports a monitor job, the runner, the pipeline or another service: only ports and types', () => {
    const allowed = ['monitors/ports.ts', 'src/alerts/ports.ts', 'src/alerts/types.ts'];
    expect(
      violations(['src/store/sqlite'], (target) => (target.startsWith('monitors/') || target.startsWith('src/alerts/')) && !allowed.includes(target)),
    ).toEqual([]);
  });

  it('no job, pipeline stage or alert service imports the SQLite adapter (the scheduler still constructs it)', () => {
    expect(violations(['monitors', 'src/alerts'], (target) => target.startsWith('src/store/sqlite/'), ['monitors/scheduler.ts'])).toEqual([]);
  });
});
