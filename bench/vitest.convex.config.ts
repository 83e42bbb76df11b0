/**
 * Vitest config of the Convex bench phase only (`bench/convex/check-phase.vitest.ts`): convex-test loads the
 * functions with `import.meta.glob`, so the phase runs under vitest; `npm test` never picks this file up.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/convex/*.vitest.ts'],
    testTimeout: 30 * 60_000,
    maxWorkers: 1,
    server: { deps: { inline: ['convex-test'] } },
  },
});
