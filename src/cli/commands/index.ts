/**
 * Every `ontology-ops` command, one file per command in this folder. A command's module is loaded only when it
 * runs (or for `--help`), so a command starts without loading what the others need (the Slack client, the
 * migration, the monitors).
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

type Register = (program: Command, context: CliContext) => void;

/** The commands in the order `--help` lists them, each with its module. */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<{ register: Register }>])[] = [
  ['seed', () => import('./seed.ts')],
  ['import', () => import('./import.ts')],
  ['export', () => import('./export.ts')],
  ['check', () => import('./check.ts')],
  ['metrics', () => import('./metrics.ts')],
  ['audit', () => import('./audit.ts')],
  ['versions', () => import('./versions.ts')],
  ['info', () => import('./info.ts')],
  ['monitor', () => import('./monitor.ts')],
  ['migrate', () => import('./migrate.ts')],
  ['fix', () => import('./fix.ts')],
  ['rollback', () => import('./rollback.ts')],
  ['migration-status', () => import('./migration-status.ts')],
];

/** Global options that take a value (the command name is the first other word). */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--db', '--now']);

/** The command `argv` runs, or null when it names none (help, a typo, no command: every command is loaded). */
export function commandOf(argv: readonly string[]): string | null {
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(word)) index++;
    else if (!word.startsWith('-')) return COMMANDS.some(([name]) => name === word) ? word : null;
  }
  return null;
}

/** Adds the command `argv` runs to the program, or every command when it names none. */
export async function registerCommands(program: Command, context: CliContext, argv: readonly string[] = []): Promise<void> {
  const only = commandOf(argv);
  for (const [name, load] of COMMANDS) {
    if (only === null || only === name) (await load()).register(program, context);
  }
}
