/** Entry point of the `ontology-ops` binary. */
import { runCli } from './cli/program.ts';
import { installProcessGuards } from './process-guards.ts';

// A stray rejection or exception outside every command (a timer, a stream) is logged in one line instead of ending
// a migration half-way; the command goes on, and the exit code still says something went wrong.
let stray = false;
installProcessGuards((line) => {
  stray = true;
  process.exitCode = 1;
  process.stderr.write(`ontology-ops: ${line}\n`);
});

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stdout.isTTY === true,
  env: process.env,
});
process.exitCode = code !== 0 ? code : stray ? 1 : 0;
