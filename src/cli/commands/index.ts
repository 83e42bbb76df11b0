/** Registers every `ontology-ops` command. One file per command in this folder. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

/** Adds all commands to the program. */
export function registerCommands(program: Command, context: CliContext): void {
  void program;
  void context;
}
