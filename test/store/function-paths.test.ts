/** Where the adapter calls a bot function: its own module, or the flat export of the host module that re-exports them. */
import { describe, expect, it } from 'vitest';
import { deployedFunctionPath, flatFunctionName, isFunctionsModulePath } from '../../src/store/function-paths.ts';

describe('function paths', () => {
  it.each([
    ['documents:get', null, 'documents:get', "this repository's convex/ deployed as it is"],
    ['documents:get', 'ontologyOps', 'ontologyOps:documents_get', 'the default host module'],
    ['migrationRuns:finishUndo', 'vendor/ontologyOps', 'vendor/ontologyOps:migrationRuns_finishUndo', 'a host module in a folder'],
    ['lib/extra:page', 'ontologyOps', 'ontologyOps:lib_extra_page', 'a bot module in a folder'],
  ] as [string, string | null, string, string][])('%s with module %j is %s (%s)', (path, functionsModule, expected) => {
    expect(deployedFunctionPath(path, functionsModule)).toBe(expected);
  });

  it('keeps functions of the same name in different modules apart', () => {
    expect(new Set(['documents', 'leases', 'meta', 'approvals', 'alerts'].map((module) => flatFunctionName(module, 'get'))).size).toBe(5);
  });

  it.each([
    ['ontologyOps', true, 'a file in convex/'],
    ['vendor/ontology_ops2', true, 'a file in a folder'],
    ['', false, 'empty'],
    ['ontologyOps.ts', false, 'with its extension'],
    ['ontology-ops', false, 'a dash, which Convex refuses in a module path'],
    ['schema', false, 'the schema is not a functions module'],
    ['_generated/api', false, 'generated code'],
    ['vendor//ops', false, 'an empty folder name'],
  ])('%j is a module path: %s (%s)', (value, expected) => {
    expect(isFunctionsModulePath(value)).toBe(expected);
  });
});
