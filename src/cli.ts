/** Entry point of the `ontology-ops` binary. */
import { runCli } from './cli/program.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stdout.isTTY === true,
  env: process.env,
});
process.exitCode = code;
