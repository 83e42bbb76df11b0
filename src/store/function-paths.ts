/**
 * Where the bot's Convex functions live in a deployment. A host app installs them by re-exporting the package
 * entry `ontology-ops/convex` (`host/functions.ts`) from one file of its own `convex/` folder; each function is
 * there under a flat name, so `documents:get` of this repository's `convex/` is `ontologyOps:documents_get` in a
 * host that re-exports them from `convex/ontologyOps.ts`.
 */

/** The host module path the adapter calls unless `CONVEX_FUNCTIONS_MODULE` names another. */
export const DEFAULT_FUNCTIONS_MODULE = 'ontologyOps';

/** True when `value` is a module path Convex can deploy a file under (`ontologyOps`, `vendor/ontologyOps`). */
export function isFunctionsModulePath(value: string): boolean {
  return /^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*$/.test(value) && value !== 'schema' && !value.split('/').includes('_generated');
}

/**
 * The name a function has among the package's flat exports: its module path and export name joined by `_`
 * (`documents:get` → `documents_get`), so names that repeat across modules (`get`, `page`) stay apart in the one
 * host module.
 */
export function flatFunctionName(modulePath: string, exportName: string): string {
  return `${modulePath.replace(/\//g, '_')}_${exportName}`;
}

/**
 * Where a bot function (`module:function`, as named in `convex/`) is deployed: as is when each function sits in
 * its own module (`functionsModule` null, this repository's `convex/` folder deployed as it is), else the host
 * module's flat export (`ontologyOps:documents_get`).
 */
export function deployedFunctionPath(path: string, functionsModule: string | null): string {
  if (functionsModule === null) return path;
  const [modulePath = '', exportName = 'default'] = path.split(':');
  return `${functionsModule}:${flatFunctionName(modulePath, exportName)}`;
}
