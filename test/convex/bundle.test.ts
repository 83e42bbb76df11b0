/**
 * The functions in `convex/` bundle the way `npx convex deploy` bundles them for Convex's JavaScript runtime (a
 * V8 isolate, not Node): esbuild, browser platform, the `convex` condition. A module reaching a Node built-in,
 * better-sqlite3 or a Node global through its imports (the shared `src/` rules included) fails here instead of
 * at deploy time.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CONVEX_DIR, convexModulePaths } from './codegen.ts';

describe('convex/ bundles for the Convex runtime', () => {
  it('bundles every function module with no Node built-ins, no better-sqlite3 and no Node globals', async () => {
    const result = await build({
      entryPoints: convexModulePaths().map((file) => path.join(CONVEX_DIR, file)),
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'esnext',
      outdir: 'out',
      outbase: CONVEX_DIR,
      conditions: ['convex', 'module'],
      write: false,
      splitting: true,
      treeShaking: true,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.endsWith('src/quality/document-scan.ts'))).toBe(true);
    expect(inputs.filter((input) => /better-sqlite3|^node:|lossless-json/.test(input))).toEqual([]);
    // `process.env` is what Convex's runtime provides (the generated `server.js` reads it); nothing else of Node.
    for (const file of result.outputFiles) {
      expect(/(?<![\w.$])(Buffer\s*[.(]|new\s+Buffer\b|process\s*\.(?!env\b)|__dirname\b|__filename\b|setImmediate\s*\()/.exec(file.text)?.[0], file.path).toBeUndefined();
    }
  });

  it('fails for a module that reaches Node (so the test above can fail)', async () => {
    const attempt = build({
      stdin: { contents: "import { readFileSync } from 'node:fs'; export const x = readFileSync;", resolveDir: CONVEX_DIR, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    await expect(attempt).rejects.toThrow(/node:fs/);
  });
});
