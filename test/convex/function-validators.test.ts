/**
 * Every function the `convex/` folder exports declares an `args` object validator and a `returns` validator, and
 * is internal (only a caller with the deploy key reaches it): the deployment refuses malformed calls before any
 * code runs, and answers nothing the port does not expect.
 */
/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { convexModulePaths } from './codegen.ts';

const modules = import.meta.glob('../../convex/**/*.*s');

type Registered = {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isInternal?: boolean;
  exportArgs(): string;
  exportReturns(): string;
};

async function registeredFunctions(): Promise<{ name: string; fn: Registered }[]> {
  const found = [];
  for (const file of convexModulePaths()) {
    const load = modules[`../../convex/${file}`];
    if (load === undefined) throw new Error(`convex/${file} is not loadable`);
    const module = (await load()) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(module)) {
      if (typeof value !== 'function') continue;
      const fn = value as unknown as Partial<Registered>;
      if (fn.isQuery || fn.isMutation || fn.isAction) {
        found.push({ name: `${file.replace(/\.[^.]+$/, '')}:${exportName}`, fn: fn as Registered });
      }
    }
  }
  return found;
}

describe('convex/ functions', () => {
  it('each declare args and returns validators and are internal', async () => {
    const functions = await registeredFunctions();
    // The monitor-state modules are among them.
    for (const name of ['alerts:recordRun', 'outbox:claim', 'jobRuns:abandonPage', 'snapshots:betweenPage']) {
      expect(functions.map((entry) => entry.name)).toContain(name);
    }
    const problems = functions.flatMap(({ name, fn }) => {
      const found: string[] = [];
      if ((JSON.parse(fn.exportArgs()) as { type: string }).type !== 'object') found.push(`${name}: no args validator`);
      if (JSON.parse(fn.exportReturns()) === null) found.push(`${name}: no returns validator`);
      if (!fn.isInternal) found.push(`${name}: public (make it internal)`);
      return found;
    });
    expect(problems).toEqual([]);
  });
});
