/**
 * The rule modules a Convex function imports must run in a plain V8 isolate: no `node:` modules, no `Buffer`,
 * no `process`, no better-sqlite3, and no package beyond the few that are plain JavaScript. This walks their
 * import graph from the source text (type-only imports are erased, so they do not count).
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The modules the Convex check functions import (and the SQLite scan shares). */
const RULE_MODULES = [
  'src/quality/document-scan.ts',
  'src/quality/record-rules.ts',
  'src/quality/issues.ts',
  'src/quality/rules.ts',
  'src/quality/numbers.ts',
  'src/quality/tally.ts',
  'src/quality/categories.ts',
  'src/quality/port.ts',
  'src/quality/paging.ts',
];

/** Packages that are plain JavaScript and run in an isolate. */
const ALLOWED_PACKAGES = new Set(['zod']);

/** Global names that exist in Node but not in a plain V8 isolate. */
const NODE_GLOBALS = new Set(['Buffer', 'process', 'require', '__dirname', '__filename', 'setImmediate']);

/** The first Node global the code uses as a name (words inside strings, comments and `x.name` accesses do not count). */
function nodeGlobalUsed(source: string): string | undefined {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, source);
  // After these a `/` divides; anywhere else it starts a regular expression, which must be scanned as one.
  const endsOperand = new Set([ts.SyntaxKind.Identifier, ts.SyntaxKind.CloseParenToken, ts.SyntaxKind.CloseBracketToken, ts.SyntaxKind.NumericLiteral, ts.SyntaxKind.StringLiteral]);
  let previous = ts.SyntaxKind.Unknown;
  const templates: number[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if ((token === ts.SyntaxKind.SlashToken || token === ts.SyntaxKind.SlashEqualsToken) && !endsOperand.has(previous)) token = scanner.reScanSlashToken();
    // Template literals: a `}` at the depth where a substitution began continues the template's text.
    if (token === ts.SyntaxKind.OpenBraceToken && templates.length > 0) templates[templates.length - 1]!++;
    if (token === ts.SyntaxKind.CloseBraceToken && templates.length > 0) {
      if (templates[templates.length - 1] === 0) {
        token = scanner.reScanTemplateToken(false);
        if (token === ts.SyntaxKind.TemplateTail) templates.pop();
      } else templates[templates.length - 1]!--;
    }
    if (token === ts.SyntaxKind.TemplateHead) templates.push(0);
    if (token === ts.SyntaxKind.Identifier && previous !== ts.SyntaxKind.DotToken && NODE_GLOBALS.has(scanner.getTokenValue())) {
      return scanner.getTokenValue();
    }
    previous = token;
  }
  return undefined;
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** The value imports of a module (`import type` and `export type` are erased by TypeScript). */
function valueImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*'([^']+)'/gm)) {
    if (match[2] === undefined) specifiers.push(match[4]!);
  }
  for (const match of source.matchAll(/^\s*import\s+'([^']+)'/gm)) specifiers.push(match[1]!);
  for (const match of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

/** Everything that keeps the graph below `entries` from running in an isolate, as "file: problem" lines. */
function isolateViolations(entries: readonly string[]): string[] {
  const violations: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = withoutComments(readFileSync(resolve(ROOT, file), 'utf8'));
    const global = nodeGlobalUsed(source);
    if (global) violations.push(`${file}: uses the Node global ${global}`);
    for (const specifier of valueImports(source)) {
      // Files Convex also bundles name their TypeScript imports with `.js` suffixes (see test/convex/import-suffixes.test.ts).
      if (specifier.startsWith('.')) visit(relative(ROOT, resolve(ROOT, dirname(file), specifier.replace(/\.js$/, '.ts'))));
      else if (specifier.startsWith('node:')) violations.push(`${file}: imports ${specifier}`);
      else if (!ALLOWED_PACKAGES.has(specifier)) violations.push(`${file}: imports the package ${specifier}`);
    }
  };
  entries.forEach(visit);
  return violations;
}

describe('rule modules run in a plain V8 isolate', () => {
  it('imports nothing from Node and uses no Node globals, transitively', () => {
    expect(isolateViolations(RULE_MODULES)).toEqual([]);
  });

  it.each([
    ['src/quality/thresholds.ts', 'src/quality/thresholds.ts: imports node:fs', 'reads a file'],
    ['src/ontology/values.ts', 'src/ontology/values.ts: uses the Node global Buffer', 'decodes base64 with Buffer'],
    ['src/store/sqlite/check-scan.ts', 'src/store/sqlite/check-scan.ts: imports the package better-sqlite3', 'is the SQLite adapter'],
  ])('catches %s (%s)', (file, violation) => {
    expect(isolateViolations([file])).toContain(violation);
  });
});
