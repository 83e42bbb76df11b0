/** Runs the CLI in-process with captured output. */
import type { CliIo } from '../../src/cli/context.ts';

/** A CliIo that records stdout and stderr; `env` defaults to an empty environment. */
export function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { out(): string; err(): string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTty: false,
    env,
    out: () => stdout,
    err: () => stderr,
  };
}
