/**
 * README's table of the `convex-large-documents` bench phase: every row names a function of `convex/`, every limit
 * has its column, and no figure is above half of a limit (what the phase misses on).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONVEX_DIR } from './codegen.ts';

const COLUMNS = ['Function', 'Index ranges', 'Documents read', 'Bytes read', 'Documents written', 'Bytes written'];

describe('README: Convex functions with large documents (bench)', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('The `convex-large-documents` phase'), readme.indexOf('## Running against a Convex deployment'));
  const table = section.slice(section.indexOf('| Function |')).split('\n\n')[0]!.split('\n');

  it('has a column per limit and a row per function, none above 50%', async () => {
    expect(table[0]!.split('|').slice(1, -1).map((cell) => cell.trim())).toEqual(COLUMNS);
    const rows = table.slice(2).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const [name, ...figures] of rows) {
      const [modulePath, exportName] = /^`(\w+):(\w+)`$/.exec(name!)!.slice(1);
      const module = (await import(path.join(CONVEX_DIR, `${modulePath}.ts`))) as Record<string, { isQuery?: boolean; isMutation?: boolean } | undefined>;
      expect(module[exportName!]?.isQuery || module[exportName!]?.isMutation, name).toBe(true);
      expect(figures).toHaveLength(5);
      for (const figure of figures) {
        expect(figure, name).toMatch(/^\d+(\.\d)?%$/);
        expect(Number.parseFloat(figure), `${name} ${figure}`).toBeLessThanOrEqual(50);
      }
    }
  });
});
