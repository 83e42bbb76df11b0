/**
 * The last line of defence of a long-running process: an unhandled promise rejection or an uncaught exception is
 * logged in one line (no stack) and the process keeps serving, so one bad request or a Slack hiccup outside every
 * handler cannot end a migration that is running. Each handler is supposed to catch its own errors; a line here
 * is a bug to fix, not a way of handling errors.
 */
import { userMessage } from './errors.ts';

/** Installs the process-wide handlers; returns a function that removes them again. */
export function installProcessGuards(log: (line: string) => void): () => void {
  const onRejection = (reason: unknown) => log(`Unhandled rejection (the process keeps running): ${userMessage(reason)}`);
  const onException = (error: Error) => log(`Uncaught exception (the process keeps running): ${userMessage(error)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
