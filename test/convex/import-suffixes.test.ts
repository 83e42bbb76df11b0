/**
 * The functions in `convex/` and every `src/` module they reach (type-only imports included) typecheck under
 * Convex's default `convex/tsconfig.json`, which a host app uses for them: `moduleResolution: Bundler` without
 * `allowImportingTsExtensions`, so a relative import must name the `.js` file (also what esbuild, NodeNext, tsx
 * and vitest resolve).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONVEX_DIR } from './codegen.ts';
import { importSuffixProblem, relativeImports, typecheckWithConvexDefaults } from './convex-tsconfig.ts';

const ROOT = path.resolve(CONVEX_DIR, '..');

describe('imports reachable from convex/', () => {
  it('typecheck under Convex default tsconfig and use .js suffixes throughout the import closure', async () => {
    const { files, diagnostics } = await typecheckWithConvexDefaults(CONVEX_DIR);
    const closure = files.filter((file) => !file.endsWith('.d.ts')).map((file) => path.relative(ROOT, file));
    // The closure reaches the shared rules in src/, so a suffix there is checked too.
    expect(closure).toContain(path.join('src', 'quality', 'document-scan.ts'));
    const problems = closure.flatMap((file) =>
      relativeImports(readFileSync(path.join(ROOT, file), 'utf8')).flatMap(({ specifier, line }) => {
        const problem = importSuffixProblem(specifier);
        return problem === undefined ? [] : [`${file}:${line}: ${problem}`];
      }),
    );
    expect(problems).toEqual([]);
    expect(diagnostics).toEqual([]);
  }, 60_000);

  it.each([
    ["import { a } from './lib/budget.ts';", 'TS5097', 'a .ts suffix is what Convex rejects'],
    ["import type { A } from '../src/migration/port.ts';", 'TS5097', 'type-only imports are typechecked too'],
    ["export { a } from './lib/budget';", 'no .js suffix', 'an extensionless import fails under NodeNext'],
    ["type A = typeof import('./lib/budget.tsx');", 'TS5097', 'import types count'],
  ])('flags %s', (text, expected) => {
    const found = relativeImports(text).map(({ specifier }) => importSuffixProblem(specifier));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it('accepts .js suffixes and package imports', () => {
    const text = "import { a } from './lib/budget.js';\nimport { v } from 'convex/values';\nimport type { B } from '../src/x.js';";
    expect(relativeImports(text).map(({ specifier, line }) => [specifier, line, importSuffixProblem(specifier)])).toEqual([
      ['./lib/budget.js', 1, undefined],
      ['../src/x.js', 3, undefined],
    ]);
  });
});
