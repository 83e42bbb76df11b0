/**
 * Where a worker thread starts. In the compiled build (`dist/`, made by `npm run build`) the worker body is plain
 * JavaScript next to this module and starts directly; run from the TypeScript sources (tsx, vitest), a small
 * JavaScript shim registers the TypeScript loader in the new thread first.
 */

/** The entry of worker `name` (`<name>.mjs` shim, or the compiled `<name>-main.js`) beside the module at `base`. */
export function workerEntry(base: string, name: string): URL {
  return base.endsWith('.ts') ? new URL(`./${name}.mjs`, base) : new URL(`./${name}-main.js`, base);
}
