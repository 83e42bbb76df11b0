/**
 * What `npx convex codegen` (convex 1.48, JavaScript codegen, no deployment) writes into `convex/_generated/`,
 * produced offline with the installed package's own templates and prettier: `api.d.ts`/`api.js` list every
 * function module under `convex/` (the bundler's entry-point rules), `dataModel.d.ts` derives types from
 * `schema.ts`, `server.d.ts`/`server.js` are the builders. No deployment is reachable here, so the committed
 * files are written by `npx tsx test/convex/codegen.ts --write`, and `test/convex/codegen.test.ts` checks they
 * are what codegen would emit for the modules present.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { flatFunctionName } from '../../src/store/function-paths.ts';

/** The Convex functions folder of this repository. */
export const CONVEX_DIR = fileURLToPath(new URL('../../convex/', import.meta.url));

const ENTRY_POINT_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts', '.jsx'];

/**
 * Module paths (relative to `convex/`, `/`-separated) that Convex would bundle as function modules, sorted as
 * codegen sorts them: every JS/TS file except `_generated/`, `schema.ts`, dotfiles, names with several dots, and
 * TypeScript files with no import/export.
 */
export function convexModulePaths(dir: string = CONVEX_DIR): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (rel !== '_generated' && rel !== '_deps') walk(rel);
        continue;
      }
      const base = entry.name;
      if (!ENTRY_POINT_EXTENSIONS.some((extension) => base.endsWith(extension))) continue;
      if (base.startsWith('.') || base.startsWith('#') || base === 'schema.ts' || base === 'schema.js') continue;
      if ((base.match(/\./g) ?? []).length > 1 || rel.includes(' ')) continue;
      if (/\.(ts|tsx)$/.test(base) && !/^\s{0,100}(import|export)/m.test(readFileSync(path.join(dir, rel), 'utf8'))) continue;
      found.push(rel);
    }
  };
  walk('');
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function loadTemplate<T>(name: string): Promise<T> {
  const require = createRequire(import.meta.url);
  const convexRoot = path.dirname(require.resolve('convex/package.json'));
  return (await import(pathToFileURL(path.join(convexRoot, 'dist/esm/cli/codegen_templates', `${name}.js`)).href)) as T;
}

/**
 * The data-model template (`dynamicDataModelDTS`). Its module imports the CLI's config code, which needs
 * packages the published bundle does not ship, so the template literal is read from its source text.
 */
function dynamicDataModelTemplate(header: (description: string) => string): string {
  const require = createRequire(import.meta.url);
  const source = readFileSync(path.join(path.dirname(require.resolve('convex/package.json')), 'dist/esm/cli/codegen_templates/dataModel.js'), 'utf8');
  const match = /const dynamicDataModelContent = `([\s\S]*?)`;\n/.exec(source);
  if (match === null) throw new Error('convex codegen template dynamicDataModelContent not found; the installed convex version changed');
  return match[1]!.replace('${header("Generated data model types.")}', header('Generated data model types.')).replace(/\\`/g, '`');
}

/** The files codegen writes into `_generated/` (name → contents), formatted as codegen formats them. */
export async function generateConvexCodegen(dir: string = CONVEX_DIR): Promise<Record<string, string>> {
  const { apiCodegen } = await loadTemplate<{ apiCodegen: (paths: string[], options: { useTypeScript: boolean }) => { DTS: string; JS: string } }>('api');
  const { serverCodegen } = await loadTemplate<{ serverCodegen: (options: { useTypeScript: boolean; envVars: undefined }) => { DTS: string; JS: string } }>('server');
  const { header } = await loadTemplate<{ header: (description: string) => string }>('common');
  const prettier = (await import('prettier')).default;
  const format = (contents: string): Promise<string> => prettier.format(contents, { parser: 'typescript' });
  const api = apiCodegen(convexModulePaths(dir), { useTypeScript: false });
  const server = serverCodegen({ useTypeScript: false, envVars: undefined });
  return {
    'api.d.ts': await format(api.DTS),
    'api.js': await format(api.JS),
    'dataModel.d.ts': await format(dynamicDataModelTemplate(header)),
    'server.d.ts': await format(server.DTS),
    'server.js': await format(server.JS),
  };
}

/** The folder of what a host Convex app imports from the package (`ontology-ops/convex`, `ontology-ops/convex/schema`). */
export const HOST_DIR = fileURLToPath(new URL('../../host/', import.meta.url));

/**
 * `host/functions.ts`: every registered function of every module under `convex/`, re-exported under its flat
 * name, so a host re-exports them all from one module (`export * from 'ontology-ops/convex'`). Names are found by
 * loading the modules, as Convex finds them at deploy time.
 */
export async function generateHostFunctions(dir: string = CONVEX_DIR): Promise<string> {
  const lines: string[] = [];
  const seen = new Map<string, string>();
  for (const file of convexModulePaths(dir)) {
    const modulePath = file.replace(/\.[^.]+$/, '');
    const module = (await import(pathToFileURL(path.join(dir, file)).href)) as Record<string, { isQuery?: boolean; isMutation?: boolean; isAction?: boolean } | undefined>;
    const names = Object.keys(module)
      .filter((name) => module[name]?.isQuery === true || module[name]?.isMutation === true || module[name]?.isAction === true)
      .sort();
    if (names.length === 0) continue;
    const exported = names.map((name) => {
      const flat = flatFunctionName(modulePath, name);
      const clash = seen.get(flat);
      if (clash !== undefined) throw new Error(`${modulePath}:${name} and ${clash} both flatten to ${flat}: rename one of them`);
      seen.set(flat, `${modulePath}:${name}`);
      return `${name} as ${flat}`;
    });
    lines.push('export {', ...exported.map((name) => `  ${name},`), `} from '../convex/${modulePath}.js';`);
  }
  return [
    '/**',
    " * Every function of the bot's `convex/` modules under one flat name (`<module>_<function>`, e.g. `documents_get`):",
    " * the package entry `ontology-ops/convex` that a host app re-exports from one file in its own `convex/` folder.",
    ' * Generated by `npx tsx test/convex/codegen.ts --write`; `test/convex/codegen.test.ts` fails when it is stale.',
    ' */',
    ...lines,
    '',
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--write')) {
  const files = await generateConvexCodegen();
  mkdirSync(path.join(CONVEX_DIR, '_generated'), { recursive: true });
  for (const [name, contents] of Object.entries(files)) writeFileSync(path.join(CONVEX_DIR, '_generated', name), contents);
  console.log(`wrote ${Object.keys(files).length} files to convex/_generated/`);
  writeFileSync(path.join(HOST_DIR, 'functions.ts'), await generateHostFunctions());
  console.log('wrote host/functions.ts');
}
