import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flatFunctionName } from '../../src/store/function-paths.ts';
import { CONVEX_DIR, convexModulePaths, generateConvexCodegen, generateHostFunctions, HOST_DIR } from './codegen.ts';

const generatedDir = path.join(CONVEX_DIR, '_generated');

describe('convex/_generated', () => {
  it('api.d.ts lists every module under convex/ and nothing else', () => {
    const api = readFileSync(path.join(generatedDir, 'api.d.ts'), 'utf8');
    const imported = [...api.matchAll(/import type \* as \w+ from "\.\.\/(.+)\.js";/g)].map((match) => match[1]);
    const keys = [...api.matchAll(/^\s+"?([\w/]+)"?: typeof \w+;$/gm)].map((match) => match[1]);
    const modules = convexModulePaths().map((file) => file.replace(/\.[^.]+$/, ''));
    expect(modules).toContain('documents');
    expect(imported).toEqual(modules);
    expect(keys).toEqual(modules);
  });

  it('holds exactly the files convex 1.48 codegen writes, with the contents it writes', async () => {
    const expected = await generateConvexCodegen();
    expect(readdirSync(generatedDir).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, contents] of Object.entries(expected)) {
      expect(readFileSync(path.join(generatedDir, name), 'utf8'), `convex/_generated/${name} is stale: run npx tsx test/convex/codegen.ts --write`).toBe(contents);
    }
  });

  it('host/functions.ts re-exports every function of every module under its flat name, as codegen writes it', async () => {
    const written = readFileSync(path.join(HOST_DIR, 'functions.ts'), 'utf8');
    expect(written, 'host/functions.ts is stale: run npx tsx test/convex/codegen.ts --write').toBe(await generateHostFunctions());
    const host = (await import('../../host/functions.ts')) as Record<string, unknown>;
    for (const file of convexModulePaths()) {
      const modulePath = file.replace(/\.[^.]+$/, '');
      const module = (await import(path.join(CONVEX_DIR, file))) as Record<string, { isRegistered?: boolean; isQuery?: boolean; isMutation?: boolean } | undefined>;
      for (const [name, value] of Object.entries(module)) {
        if (value?.isQuery || value?.isMutation) expect(host[flatFunctionName(modulePath, name)], `${modulePath}:${name}`).toBe(value);
      }
    }
    expect(host.documents_get).toBeDefined();
    expect(host.migration_applyBatch).toBeDefined();
  });
});
