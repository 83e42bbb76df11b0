/** The README's table of the Convex migration and archival functions names exactly the functions those modules export. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as archival from '../../convex/archival.ts';
import * as migration from '../../convex/migration.ts';
import * as migrationPages from '../../convex/migrationPages.ts';
import * as migrationRuns from '../../convex/migrationRuns.ts';

type Registered = { isQuery?: boolean; isMutation?: boolean; isInternal?: boolean };

function functionsOf(module: Record<string, unknown>): string[] {
  return Object.entries(module)
    .filter(([, value]) => typeof value === 'function' && ((value as Registered).isQuery || (value as Registered).isMutation))
    .map(([name]) => name)
    .sort();
}

describe('README: Convex migration functions', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Convex: migration, undo, archival and backups'));
  const start = section.indexOf('| functions |');
  // The function column of each row.
  const rows = section.slice(start, section.indexOf('\n\n', start)).split('\n').slice(2);
  const listed = new Set(rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`(?:(?:migration|migrationPages|migrationRuns|archival):)?(\w+)`/g)].map((match) => match[1]!)));

  it.each([
    ['migration', migration],
    ['migrationPages', migrationPages],
    ['migrationRuns', migrationRuns],
    ['archival', archival],
  ] as const)('lists every function of convex/%s.ts, each internal', (_name, module) => {
    const names = functionsOf(module as Record<string, unknown>);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect(listed, name).toContain(name);
      expect((module as Record<string, Registered>)[name]!.isInternal, name).toBe(true);
    }
  });

  it('lists no function that does not exist', () => {
    const all = new Set([migration, migrationPages, migrationRuns, archival].flatMap((module) => functionsOf(module as Record<string, unknown>)));
    for (const name of listed) expect(all, name).toContain(name);
  });
});
