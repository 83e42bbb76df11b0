/**
 * End-to-end harness: the real product (`node dist/src/main.js`, what `npm start` runs) on a fresh store with no
 * Slack or Convex credentials, and Debian's Chromium driven by playwright-core. When no Chromium can be found the
 * suites are skipped with a message naming what to install (`CHROMIUM_UNAVAILABLE`), never silently.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser suites cannot run here, or null when they can. */
export const CHROMIUM_UNAVAILABLE: string | null = existsSync(CHROMIUM_PATH)
  ? null
  : `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH; the browser tests are skipped.`;

if (CHROMIUM_UNAVAILABLE) process.stderr.write(`\n*** ${CHROMIUM_UNAVAILABLE}\n\n`);

/** Headless Chromium with what a closed network needs (no background connections, no sandbox as root). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The running product. */
export interface RunningProduct {
  /** The local workspace page, e.g. `http://localhost:41234/`. */
  readonly url: string;
  readonly dashboardUrl: string;
  /** The store file. */
  readonly dbPath: string;
  /** Everything it printed so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once it has stopped. */
  stop(): Promise<number | null>;
}

/**
 * Starts `node dist/src/main.js` on a new store in a temporary folder, on a free port, with `env` added, and
 * resolves once it has printed the workspace's address.
 */
export async function startProduct(env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<RunningProduct> {
  const folder = mkdtempSync(join(tmpdir(), 'ontology-e2e-'));
  const dbPath = join(folder, 'ontology.db');
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: folder,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ONTOLOGY_DB: dbPath, PORT: '0', MONITOR_INSTANCE_ID: 'e2e', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  const addresses = new Promise<{ url: string; dashboardUrl: string }>((resolveAddress, reject) => {
    const timer = setTimeout(() => reject(new Error(`The product printed no address within ${timeoutMs} ms. Output:\n${out}`)), timeoutMs);
    const collect = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const workspace = /Local workspace: (\S+)/.exec(out);
      const dashboard = /Dashboard: +(\S+)/.exec(out);
      if (workspace && dashboard) {
        clearTimeout(timer);
        resolveAddress({ url: workspace[1]!, dashboardUrl: dashboard[1]! });
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`The product exited (code ${code}) before printing its address. Output:\n${out}`));
    });
  });
  const { url, dashboardUrl } = await addresses;
  return {
    url,
    dashboardUrl,
    dbPath,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(folder, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * Saves a screenshot of `page` as `<name>.png`: into `docs/images/` (the README's pictures) when
 * `UPDATE_SCREENSHOTS=1`, else into a temporary folder, so a test run never changes the checkout.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const folder = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images') : mkdtempSync(join(tmpdir(), 'ontology-shots-'));
  const path = join(folder, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
