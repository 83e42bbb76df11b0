/**
 * The fixture host app (`test/fixtures/convex-host/`: a ONE backend with an unrelated table of its own) installed
 * the way README.md says, in a temporary folder laid out as npm lays it out: `node_modules/ontology-ops` is this
 * package (its compiled `dist/`, which `npm run build` and the test set-up make), `node_modules/convex` the installed
 * convex, and `convex/_generated/` what `npx convex codegen` writes for the app's modules.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateConvexCodegen } from './codegen.ts';

/** The fixture host app in this repository. */
export const HOST_FIXTURE_DIR = fileURLToPath(new URL('../fixtures/convex-host/', import.meta.url));
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A host app installed in a temporary folder. */
export interface InstalledHostApp {
  root: string;
  /** Its `convex/` folder. */
  convexDir: string;
  /** Removes the folder. */
  remove(): void;
}

/** Copies the fixture host app to a temporary folder, links its two dependencies in and writes its `_generated/`. */
export async function installHostApp(): Promise<InstalledHostApp> {
  if (!existsSync(path.join(PACKAGE_ROOT, 'dist/host/functions.js'))) {
    throw new Error('dist/host/ is missing: run npm run build (the package entries a host app installs are compiled there)');
  }
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'convex-host-')));
  cpSync(HOST_FIXTURE_DIR, root, { recursive: true });
  mkdirSync(path.join(root, 'node_modules'));
  symlinkSync(PACKAGE_ROOT, path.join(root, 'node_modules/ontology-ops'), 'dir');
  const convexPackage = path.dirname(createRequire(import.meta.url).resolve('convex/package.json'));
  symlinkSync(realpathSync(convexPackage), path.join(root, 'node_modules/convex'), 'dir');
  const convexDir = path.join(root, 'convex');
  const generated = await generateConvexCodegen(convexDir);
  mkdirSync(path.join(convexDir, '_generated'));
  for (const [name, contents] of Object.entries(generated)) writeFileSync(path.join(convexDir, '_generated', name), contents);
  return { root, convexDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
