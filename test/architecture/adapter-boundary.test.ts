import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** Folders of production code: everything that ships or runs against a real store. */
const CHECKED_FOLDERS = ['src', 'monitors', 'handlers', 'bench', 'convex', 'bin'];
/** The only module outside an adapter's own folder that may name an adapter. */
const COMPOSITION_ROOT = 'src/backend.ts';

/** Every TypeScript or JavaScript source file under `folder` (relative to the repository root). */
function sourceFiles(folder: string): string[] {
  const absolute = join(ROOT, folder);
  let entries: string[];
  try {
    entries = readdirSync(absolute);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (entry === 'node_modules' || entry === '_generated') return [];
    const path = join(folder, entry);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry) ? [path] : [];
  });
}

/** The adapter folder a repository path lies in (`src/store/sqlite`), or null. */
function adapterOf(path: string): string | null {
  const match = /^src\/store\/([^/]+)\//.exec(path.split(sep).join('/'));
  return match ? `src/store/${match[1]}` : null;
}

/** Relative module specifiers a file imports (static, dynamic, re-exports and worker URLs). */
function importedSpecifiers(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  const specifiers = info.importedFiles.map((file) => file.fileName);
  for (const match of text.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g)) specifiers.push(match[1]!);
  return specifiers.filter((specifier) => specifier.startsWith('.'));
}

/** Imports that cross into an adapter from outside it and outside the composition root. */
export function boundaryViolations(files: { path: string; text: string }[]): string[] {
  const violations: string[] = [];
  for (const { path, text } of files) {
    const from = path.split(sep).join('/');
    if (from === COMPOSITION_ROOT) continue;
    const ownAdapter = adapterOf(from);
    for (const specifier of importedSpecifiers(text)) {
      const target = relative(ROOT, resolve(ROOT, dirname(from), specifier)).split(sep).join('/');
      const targetAdapter = adapterOf(target);
      if (targetAdapter && targetAdapter !== ownAdapter) violations.push(`${from} imports ${specifier} (${targetAdapter})`);
    }
  }
  return violations;
}

describe('adapter boundary', () => {
  it('nothing outside an adapter folder and the composition root imports an adapter', () => {
    const files = CHECKED_FOLDERS.flatMap(sourceFiles).map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
    expect(files.length).toBeGreaterThan(50);
    expect(files.map((file) => file.path)).toContain(COMPOSITION_ROOT);
    expect(boundaryViolations(files)).toEqual([]);
  });

  it.each([
    ['a service importing the SQLite adapter', 'src/quality/service.ts', "import { X } from '../store/sqlite/check-scan.ts';", 1],
    ['a job re-exporting from an adapter', 'monitors/jobs/daily.ts', "export * from '../../src/store/sqlite/sqlite-store.ts';", 1],
    ['a dynamic import of the Convex adapter', 'src/main.ts', "const m = await import('./store/convex/client.ts');", 1],
    ['one adapter importing another', 'src/store/convex/x.ts', "import '../sqlite/schema.ts';", 1],
    ['an adapter importing its own files', 'src/store/sqlite/a.ts', "import { b } from './b.ts';", 0],
    ['the composition root', 'src/backend.ts', "import { SqliteStore } from './store/sqlite/sqlite-store.ts';", 0],
    ['a port next to the adapters', 'src/quality/service.ts', "import type { DocumentStore } from '../store/port.ts';", 0],
  ])('%s', (_reason, path, text, expected) => {
    expect(boundaryViolations([{ path, text }])).toHaveLength(expected);
  });
});
