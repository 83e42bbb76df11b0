/** The README's paragraph on `fix orphans` in Convex names exactly the functions `convex/fix.ts` exports. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as fix from '../../convex/fix.ts';

type Registered = { isQuery?: boolean; isMutation?: boolean; isInternal?: boolean };

it('README names every function of convex/fix.ts, each internal', () => {
  const readme = readFileSync('README.md', 'utf8');
  const paragraph = readme.slice(readme.indexOf('`fix orphans` runs the same way through `convex/fix.ts`'));
  const named = new Set([...paragraph.slice(0, paragraph.indexOf('\n\n')).matchAll(/`fix:(\w+)`/g)].map((match) => match[1]!));
  const exported = Object.entries(fix)
    .filter(([, value]) => typeof value === 'function' && ((value as Registered).isQuery || (value as Registered).isMutation))
    .map(([name, value]) => {
      expect((value as Registered).isInternal, name).toBe(true);
      return name;
    });
  expect([...named].sort()).toEqual(exported.sort());
});
