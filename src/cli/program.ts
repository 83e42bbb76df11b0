/**
 * The `ontology-ops` command tree. Each command lives in `src/cli/commands/<name>.ts` and exports
 * `register(program, context)`; this file wires them and turns every failure into one line and an exit code
 * (`EXIT_CODES`).
 */
import { Command, CommanderError } from 'commander';
import { ErrorCode, OpsError, userMessage } from '../errors.ts';
import { CliContext, type CliIo, type GlobalOptions } from './context.ts';
import { registerCommands } from './commands/index.ts';

import packageJson from '../../package.json' with { type: 'json' };

/** The package version, from package.json (what `ontology-ops --version` prints; the build carries its copy). */
export const VERSION: string = packageJson.version;

/** Builds the program, writing to `io`, with the command `argv` runs (every command when it names none). */
export async function buildProgram(io: CliIo, argv: readonly string[] = []): Promise<{ program: Command; context: CliContext }> {
  const program = new Command('ontology-ops');
  const context = new CliContext(io, () => program.opts<GlobalOptions>());
  program
    .description('Keeps a multi-tenant ONE ontology honest: integrity checks, metrics, migrations, monitors.')
    .option('--db <file>', 'SQLite store file (default: env ONTOLOGY_DB, else ./data/ontology.db)')
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--now <instant>', 'evaluate as of this instant (ISO 8601 or epoch ms) instead of the clock')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: () => {
        // Printed once, as one line, by runCli.
      },
    });
  // A bad --now is refused before any command starts, so a command never stops half-way over its clock.
  program.hook('preAction', () => void context.now());
  await registerCommands(program, context, argv);
  for (const command of program.commands) command.exitOverride();
  return { program, context };
}

/**
 * The exit codes: 0 done; 1 refused or failed (the one line on stderr says why); 75 (EX_TEMPFAIL) the work is done
 * but messages wait in the outbox because Slack did not take them in time — `ontology-ops monitor flush` later.
 */
export const EXIT_CODES = { ok: 0, failed: 1, deliveryPending: 75 } as const;

/** The exit code a failure ends the CLI with. */
export function exitCodeOf(error: unknown): number {
  return error instanceof OpsError && error.code === ErrorCode.DeliveryPending ? EXIT_CODES.deliveryPending : EXIT_CODES.failed;
}

/** Runs the CLI with `argv` (without node and script); resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { program } = await buildProgram(io, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      io.stderr(`ontology-ops: ${error.message.replace(/^error: /, '')}\n`);
      return error.exitCode || 1;
    }
    io.stderr(`ontology-ops: ${userMessage(error)}\n`);
    if (io.env.ONTOLOGY_OPS_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}
