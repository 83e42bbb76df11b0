/** The next-step buttons an answer offers, limited to subcommands the router knows. */
import type { NextStep } from './blocks/answers.ts';
import { tokenize } from './command-args.ts';
import type { CommandContext } from './subcommand.ts';

/** The steps whose subcommand exists (a step for a subcommand not installed yet is left out). */
export function knownSteps(context: Pick<CommandContext, 'knows'>, steps: readonly NextStep[]): NextStep[] {
  return steps.filter((step) => context.knows(tokenize(step.command)[0] ?? ''));
}
