/**
 * The fixture host app installs the bot as README.md says (one file re-exporting `ontology-ops/convex`, the bot's
 * tables spread into its schema) and then deploys as any Convex app: its `convex/` folder bundles with the esbuild
 * settings `npx convex deploy` uses (convex 1.48's `innerEsbuild`, run with convex's own esbuild) and typechecks
 * under Convex's default `convex/tsconfig.json`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenericSchema, SchemaDefinition, TableDefinition } from 'convex/server';
import botSchema, { ontologyOpsTables } from '../../convex/schema.ts';
import * as hostFunctions from '../../host/functions.ts';
import { DEFAULT_FUNCTIONS_MODULE } from '../../src/store/function-paths.ts';
import { convexModulePaths } from './codegen.ts';
import { typecheckWithConvexDefaults } from './convex-tsconfig.ts';
import { HOST_FIXTURE_DIR, installHostApp, type InstalledHostApp } from './host-app.ts';

type Esbuild = typeof import('esbuild');

/** The esbuild that convex itself depends on, as `npx convex deploy` runs it. */
async function convexEsbuild(): Promise<Esbuild> {
  const convexPackage = createRequire(import.meta.url).resolve('convex/package.json');
  const module = (await import(pathToFileURL(createRequire(convexPackage).resolve('esbuild')).href)) as Esbuild & { default?: Esbuild };
  return module.default ?? module;
}

/** Bundles entry points of a `convex/` folder with the options of convex 1.48's `innerEsbuild`. */
async function bundleAsConvexDeploys(esbuild: Esbuild, dir: string, entryPoints: string[]) {
  return esbuild.build({
    entryPoints,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'esnext',
    jsx: 'automatic',
    outdir: 'out',
    outbase: dir,
    conditions: ['convex', 'module'],
    write: false,
    splitting: true,
    chunkNames: path.join('_deps', '[hash]'),
    treeShaking: true,
    minifySyntax: true,
    minifyIdentifiers: true,
    minifyWhitespace: false,
    keepNames: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'silent',
  });
}

let host: InstalledHostApp;
beforeAll(async () => {
  host = await installHostApp();
});
afterAll(() => host?.remove());

describe('a host app with the bot installed', () => {
  it('bundles its functions and its schema as npx convex deploy does, the bot reached through the package', async () => {
    const esbuild = await convexEsbuild();
    const modules = convexModulePaths(host.convexDir);
    expect(modules).toEqual(['invoices.ts', 'ontologyOps.ts']);
    const functions = await bundleAsConvexDeploys(
      esbuild,
      host.convexDir,
      modules.map((file) => path.join(host.convexDir, file)),
    );
    expect(functions.errors).toEqual([]);
    const inputs = Object.keys(functions.metafile.inputs);
    expect(inputs.some((input) => input.endsWith('dist/host/functions.js'))).toBe(true);
    expect(inputs.some((input) => input.endsWith('dist/src/quality/document-scan.js'))).toBe(true);
    expect(inputs.filter((input) => /better-sqlite3|yauzl|yazl|lossless-json|^node:|\/test\//.test(input))).toEqual([]);
    const installed = Object.entries(functions.metafile.outputs).find(([file]) => file.endsWith('ontologyOps.js'));
    expect(installed?.[1].exports.sort()).toEqual(Object.keys(hostFunctions).sort());

    const schema = await bundleAsConvexDeploys(esbuild, host.convexDir, [path.join(host.convexDir, 'schema.ts')]);
    expect(schema.errors).toEqual([]);
    expect(Object.keys(schema.metafile.inputs).some((input) => input.endsWith('dist/convex/schema.js'))).toBe(true);
  });

  it('typechecks under Convex default tsconfig, the bot functions typed from the package declarations', async () => {
    const { files, diagnostics } = await typecheckWithConvexDefaults(host.convexDir);
    expect(diagnostics).toEqual([]);
    expect(files).toContain(path.join(host.convexDir, 'ontologyOps.ts'));
    expect(files.some((file) => file.endsWith('dist/host/functions.d.ts'))).toBe(true);
    // The host compiles its own files only: the bot arrives as declarations, none of its sources is checked.
    expect(files.filter((file) => !file.endsWith('.d.ts') && !file.startsWith(host.root))).toEqual([]);
  }, 120_000);

  it('fails the typecheck for a function the package does not export (so the check above can fail)', async () => {
    writeFileSync(path.join(host.convexDir, 'broken.ts'), "export { documents_missing } from 'ontology-ops/convex';\n");
    const { diagnostics } = await typecheckWithConvexDefaults(host.convexDir);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatch(/broken\.ts\(1\): TS(2305|2724) .*has no exported member (named )?'documents_missing'/);
  }, 120_000);

  it("is the install README.md describes, in at most three steps", () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Running against a Convex deployment'), readme.indexOf('\n## ', readme.indexOf('## Running against a Convex deployment') + 3));
    const steps = [...section.matchAll(/^(\d+)\. /gm)].map((match) => Number(match[1]));
    expect(steps).toEqual([1, 2, 3]);
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!.replace(/^ {3}/gm, ''));
    expect(blocks).toHaveLength(2);
    // Step 1's file is the fixture's, word for word, under the default module name.
    expect(section).toContain(`\`convex/${DEFAULT_FUNCTIONS_MODULE}.ts\``);
    expect(readFileSync(path.join(HOST_FIXTURE_DIR, `convex/${DEFAULT_FUNCTIONS_MODULE}.ts`), 'utf8')).toBe(blocks[0]);
    // Step 2's import and spread are the fixture schema's.
    const schema = readFileSync(path.join(HOST_FIXTURE_DIR, 'convex/schema.ts'), 'utf8');
    for (const line of blocks[1]!.split('\n').filter((text) => /import|\.\.\.ontologyOpsTables/.test(text))) expect(schema).toContain(line.trim());
  });

  it('defines on ONE tables the indexes convex/README.md lists, which are those the bot schema declares', async () => {
    type Indexes = { indexDescriptor: string; fields: string[] }[];
    const indexesOf = (table: unknown): string[] =>
      ((table as Record<string, () => Indexes>)[' indexes']!() ?? []).map((index) => `${index.indexDescriptor} (${index.fields.map((field) => `\`${field}\``).join(', ')})`).sort();
    const readme = readFileSync('convex/README.md', 'utf8');
    const listed = new Map(
      [...readme.matchAll(/^\| `(\w+)` \| (`by_.*|`unique_.*) \|$/gm)].map((match) => [match[1]!, match[2]!.split(/, (?=`[a-z_]+` \()/).map((text) => text.replace(/^`(\w+)`/, '$1')).sort()]),
    );
    const hostSchema = ((await import(/* @vite-ignore */ pathToFileURL(path.join(host.convexDir, 'schema.ts')).href)) as { default: SchemaDefinition<GenericSchema, boolean> }).default;
    const oneTables = Object.keys(botSchema.tables).filter((table) => !(table in ontologyOpsTables) && table !== 'things');
    expect([...listed.keys()]).toEqual(oneTables);
    for (const table of oneTables) {
      const declared = indexesOf(botSchema.tables[table as keyof typeof botSchema.tables] as TableDefinition);
      expect(listed.get(table), table).toEqual(declared);
      expect(indexesOf(hostSchema.tables[table]), `the fixture's ${table}`).toEqual(expect.arrayContaining(declared));
    }
    expect(Object.keys(hostSchema.tables)).toContain('invoices');
    for (const table of Object.keys(ontologyOpsTables)) expect(Object.keys(hostSchema.tables)).toContain(table);
  });
});
