/**
 * Runs the compiled `ontology-ops` CLI as a user for whom file modes mean something.
 *
 * Root ignores file modes, so as root the CLI runs as "nobody" (uid 65534). That user cannot enter a private folder
 * (a clone in `/root`, or under a `mktemp -d` folder, mode 700), so the CLI it runs is a copy staged in a folder
 * every user can reach: the launcher, the compiled build and the production dependencies, readable by all whatever
 * the umask. Store files go under the same folder. Run as another user, the tests use the checkout itself.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const NOBODY = 65534;

/** True when the tests run as root, who must drop to "nobody" for file modes to apply. */
export const AS_ROOT = process.getuid?.() === 0;

/** Where the CLI runs from and where its stores live; `remove()` deletes what was staged. */
export interface UnprivilegedCli {
  /** Runs `ontology-ops` with these arguments as the unprivileged user. */
  run(args: readonly string[]): { code: number | null; out: string; err: string };
  /** A new folder for store files that the unprivileged user can reach (the caller sets its mode). */
  folder(): string;
  remove(): void;
}

/** True when every folder from the file system root down to `path` lets other users pass through (o+x). */
export function reachableByOthers(path: string): boolean {
  let current = resolve(path);
  for (;;) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** A base folder everyone can reach: the OS temp dir when it is, else the file system's `/tmp`. */
function reachableBase(): string {
  const candidates = [tmpdir(), join(parse(ROOT).root, 'tmp')];
  const base = candidates.find((candidate) => existsSync(candidate) && reachableByOthers(candidate));
  if (!base) throw new Error(`No folder every user can reach to stage the CLI in (tried ${candidates.join(', ')})`);
  return base;
}

/** The lock file's production packages (no `dev` flag), outermost first: copying one copies what is nested in it. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const paths = Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev)
    .map(([path]) => path)
    .sort();
  return paths.filter((path, index) => !paths.slice(0, index).some((outer) => path.startsWith(`${outer}/`)));
}

/** Makes every file readable and every folder enterable by all users, whatever the umask made them. */
function openToAll(path: string): void {
  const stats = lstatSync(path);
  if (stats.isSymbolicLink()) return;
  if (stats.isDirectory()) {
    chmodSync(path, stats.mode | 0o755);
    for (const entry of readdirSync(path)) openToAll(join(path, entry));
  } else {
    chmodSync(path, stats.mode | 0o444);
  }
}

/** Copies the launcher, the compiled build and the production dependencies into `app` (`npm test` builds `dist/` first). */
function stageCopy(app: string): void {
  for (const part of ['package.json', 'bin', 'dist']) cpSync(join(ROOT, part), join(app, part), { recursive: true });
  for (const path of productionPackages()) {
    const source = join(ROOT, path);
    // Optional packages for other platforms are in the lock file but not installed.
    if (!existsSync(source)) continue;
    mkdirSync(dirname(join(app, path)), { recursive: true });
    cpSync(source, join(app, path), { recursive: true });
  }
  openToAll(app);
}

/** Prepares the CLI for tests that need file modes to apply: a staged copy run as "nobody" under root, else the checkout. */
export function unprivilegedCli(environment: { now: string }): UnprivilegedCli {
  const base = AS_ROOT ? mkdtempSync(join(reachableBase(), 'ontology-ops-cli-')) : mkdtempSync(join(tmpdir(), 'ontology-ops-cli-'));
  chmodSync(base, 0o755);
  try {
    if (AS_ROOT) stageCopy(join(base, 'app'));
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
  const bin = AS_ROOT ? join(base, 'app', 'bin', 'ontology-ops.js') : join(ROOT, 'bin', 'ontology-ops.js');
  let folders = 0;
  return {
    run(args) {
      const result = spawnSync(process.execPath, [bin, '--now', environment.now, ...args], {
        encoding: 'utf8',
        timeout: 60_000,
        cwd: base,
        env: { PATH: process.env.PATH, HOME: base },
        ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
      });
      return { code: result.status, out: result.stdout, err: result.stderr };
    },
    folder() {
      const folder = join(base, `stores-${++folders}`);
      mkdirSync(folder);
      return folder;
    },
    remove() {
      rmSync(base, { recursive: true, force: true });
    },
  };
}
