/**
 * Bundles the browser pages into dist/web/: each folder of web/ with an `index.html` and a `main.tsx` becomes
 * dist/web/<page>/index.html + main.js (+ main.css when the page imports CSS). Run by `npm run build`.
 */
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname);
const out = resolve(root, '..', 'dist', 'web');
const pages = (await readdir(root, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'index.html')) && existsSync(join(root, entry.name, 'main.tsx')))
  .map((entry) => entry.name);

await rm(out, { recursive: true, force: true });
for (const page of pages) {
  await mkdir(join(out, page), { recursive: true });
  await copyFile(join(root, page, 'index.html'), join(out, page, 'index.html'));
}
await build({
  entryPoints: pages.map((page) => ({ in: join(root, page, 'main.tsx'), out: join(page, 'main') })),
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
