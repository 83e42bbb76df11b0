/**
 * Convex's default `convex/tsconfig.json` (the one `npx convex dev` writes into a new app, read from the installed
 * package's own template) and a typecheck of a `convex/` folder under it, through the TypeScript API the way
 * `tsc -p convex/tsconfig.json` runs it: every file under the folder except `_generated/`, plus what they import.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** The text of the `tsconfig.json` Convex writes into a new app's `convex/` folder (JSON with comments). */
export async function convexDefaultTsconfigText(): Promise<string> {
  const require = createRequire(import.meta.url);
  const convexRoot = path.dirname(require.resolve('convex/package.json'));
  const template = (await import(pathToFileURL(path.join(convexRoot, 'dist/esm/cli/codegen_templates/tsconfig.js')).href)) as { tsconfigCodegen: () => string };
  return template.tsconfigCodegen();
}

/** What a typecheck found: the files it checked (outside `node_modules`) and its diagnostics as `file(line): TSnnnn text`. */
export interface ConvexTypecheck {
  readonly files: string[];
  readonly diagnostics: string[];
}

/** Typechecks `convexDir` as `tsc -p convex/tsconfig.json` would with Convex's default config written there. */
export async function typecheckWithConvexDefaults(convexDir: string): Promise<ConvexTypecheck> {
  const text = await convexDefaultTsconfigText();
  const parsedJson = ts.parseConfigFileTextToJson('tsconfig.json', text);
  if (parsedJson.error !== undefined) throw new Error(`Convex's tsconfig template does not parse: ${ts.flattenDiagnosticMessageText(parsedJson.error.messageText, '\n')}`);
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
  };
  const config = ts.parseJsonConfigFileContent(parsedJson.config, host, convexDir, undefined, path.join(convexDir, 'tsconfig.json'));
  if (config.errors.length > 0) throw new Error(config.errors.map((error) => ts.flattenDiagnosticMessageText(error.messageText, '\n')).join('; '));
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file === undefined) return `TS${diagnostic.code} ${text}`;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    return `${diagnostic.file.fileName}(${line + 1}): TS${diagnostic.code} ${text}`;
  });
  const files = program
    .getSourceFiles()
    .map((file) => path.resolve(file.fileName))
    .filter((file) => !file.split(path.sep).includes('node_modules'));
  return { files, diagnostics };
}

/** Relative import specifiers of a module's text (static, type-only, re-exports and `import()`), with their line. */
export function relativeImports(text: string): { specifier: string; line: number }[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .filter((file) => file.fileName.startsWith('./') || file.fileName.startsWith('../'))
    .map((file) => ({ specifier: file.fileName, line: ts.getLineAndCharacterOfPosition(ts.createSourceFile('m.ts', text, ts.ScriptTarget.Latest), file.pos).line + 1 }));
}

/**
 * Why a relative specifier would not work everywhere the module is compiled or bundled (Convex's tsconfig with
 * `moduleResolution: Bundler` and no `allowImportingTsExtensions`, esbuild, NodeNext, tsx, vitest), or undefined:
 * it must name the compiled file, `.js`.
 */
export function importSuffixProblem(specifier: string): string | undefined {
  if (/\.(ts|tsx|mts|cts)$/.test(specifier)) return `"${specifier}" names a TypeScript file: Convex's default tsconfig rejects it (TS5097); write "${specifier.replace(/\.(m|c)?tsx?$/, '.js')}"`;
  if (!/\.(js|mjs|cjs)$/.test(specifier)) return `"${specifier}" has no .js suffix: NodeNext cannot resolve it; write "${specifier}.js"`;
  return undefined;
}
