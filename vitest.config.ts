import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Spawned CLI processes run the compiled build: make it from the sources under test first.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // SQLite files and child processes: keep the 2-core machine responsive.
    maxWorkers: 2,
    // convex-test must go through vite so `import.meta.glob` of convex/ works (files opt into edge-runtime).
    server: { deps: { inline: ['convex-test'] } },
  },
});
