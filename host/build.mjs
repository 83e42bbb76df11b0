// Compiles the package entries a host Convex app imports (tsconfig.host.json) into dist/, and copies the bot's
// `convex/_generated/` (JavaScript and declarations, written by codegen, not by tsc) next to the compiled modules.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.host.json'], { cwd: root, stdio: 'inherit' });
mkdirSync(resolve(root, 'dist/convex/_generated'), { recursive: true });
cpSync(resolve(root, 'convex/_generated'), resolve(root, 'dist/convex/_generated'), { recursive: true });
