/**
 * Builds the compiled output (`dist/`, the browser pages included) once before the tests: tests that spawn the real `ontology-ops` bin run
 * what it runs, the build, which must therefore match the sources under test rather than an older build.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

export default function buildOnce(): void {
  const root = resolve(import.meta.dirname, '..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // The package entries a host Convex app installs (dist/host/, dist/convex/).
  execFileSync(process.execPath, ['host/build.mjs'], { cwd: root, stdio: 'inherit' });
  // The browser pages the local workspace serves (dist/web/).
  execFileSync(process.execPath, ['web/build.mjs'], { cwd: root, stdio: 'inherit' });
}
