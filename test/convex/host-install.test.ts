/**
 * The fixture host app installs the bot as README.md says (one file re-exporting `ontology-ops/convex`, the bot's
 * tables spread into its schema) and then deploys as any Convex app: its `convex/` folder bundles with the esbuild
 * settings `npx convex deploy` uses (convex 1.48's `innerEsbuild`, run with convex's own esbuild) and typechecks
 * under Convex's default `convex/tsconfig.json`.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hostFunctions from '../../host/functions.ts';
import { convexModulePaths } from './codegen.ts';
import { typecheckWithConvexDefaults } from './convex-tsconfig.ts';
import { installHostApp, type InstalledHostApp } from './host-app.ts';

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
});
