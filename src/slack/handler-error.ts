/** The one error handler of the Slack app: any error becomes its one-line user message; the stack goes to the log. */
import { OpsError, userMessage } from '../errors.ts';
import type { SlackMessage } from './reply.ts';

/** The message an error shows its user: one line, a warning sign, no stack trace. */
export function errorMessage(error: unknown): SlackMessage {
  const text = `:warning: ${userMessage(error).replace(/\s*\n\s*/g, ' ')}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }] };
}

/**
 * Logs a handler's error (with its stack when it is not a coded error the user caused) and returns what to
 * show the user. Handlers catch only to answer the user, through this.
 */
export function handlerError(error: unknown, deps: { log: (line: string) => void }, what: string): SlackMessage {
  const unexpected = !(error instanceof OpsError);
  deps.log(`${what} failed: ${userMessage(error)}${unexpected && error instanceof Error && error.stack ? `\n${error.stack}` : ''}`);
  return errorMessage(error);
}

