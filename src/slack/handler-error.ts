/**
 * The one error handler of the Slack app: any error becomes its one-line user message; the stack goes to the log.
 * What a Slack user sees never holds a server path or an SDK's raw text: a coded error shows its message (paths
 * cut to the file name, escaped), anything unexpected a short line with a reference the log has the detail under.
 */
import { randomUUID } from 'node:crypto';
import { OpsError, storeEngineError, userMessage } from '../errors.ts';
import { slackStep } from './blocks/slack-steps.ts';
import { escapeText, link } from './blocks/text.ts';
import type { SlackMessage } from './reply.ts';

/** An absolute path on the server (`/tmp/x/ops.db`, `C:\backups\…`): at least one folder before the name. */
const SERVER_PATH = /(?<=^|[\s"'(=])(?:\/|[A-Za-z]:\\)[^\s"'()]*[/\\][^\s"'()]*/g;

/** `text` with every server path cut to its last part (the file name), so no folder of the server is shown. */
export function withoutServerPaths(text: string): string {
  return text.replace(SERVER_PATH, (path) => path.split(/[/\\]/).filter((part) => part !== '').pop() ?? 'a server folder');
}

/** True for errors whose message was written for the user (coded errors, store engine failures). */
function isCoded(error: unknown): boolean {
  return error instanceof OpsError || storeEngineError(error) !== undefined;
}

/** What an error shows a Slack user, in plain words (escape it for mrkdwn): one line, no server path, no SDK text. */
export function shownError(error: unknown, reference?: string): string {
  if (isCoded(error)) return slackStep(withoutServerPaths(userMessage(error))).replace(/\s*\n\s*/g, ' ');
  return `Something went wrong on the bot's side${reference ? ` (reference ${reference})` : ''}: try again; if it keeps failing, an operator finds the details in the bot's log.`;
}

/** The raw text of an unexpected error inside a stored line, up to the line's own closing remark. */
const UNEXPECTED_TEXT = /Unexpected error:[^\n]*?(?=\s\(the full error|$)/;

/**
 * A stored error text (a failed run's, a failing job's alert note) as a Slack user may see it: no server path, and
 * an unexpected error's raw text (an SDK's, a stack's first line) replaced by a pointer to the log.
 */
export function shownErrorText(text: string): string {
  return slackStep(withoutServerPaths(text.replace(UNEXPECTED_TEXT, "an unexpected error (the bot's log has the details)")));
}

/** The message an error shows its user: one line, a warning sign, no stack trace, no server path. */
export function errorMessage(error: unknown, reference?: string): SlackMessage {
  const next = error instanceof OpsError && error.link ? ` ${link(error.link.url, error.link.label)}` : '';
  const text = `${escapeText(`:warning: ${shownError(error, reference)}`)}${next}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }] };
}

/**
 * Logs a handler's error (with its stack when it is not a coded error the user caused) and returns what to
 * show the user. Handlers catch only to answer the user, through this.
 */
export function handlerError(error: unknown, deps: { log: (line: string) => void }, what: string): SlackMessage {
  const reference = isCoded(error) ? undefined : randomUUID().slice(0, 8);
  const withStack = !(error instanceof OpsError) && error instanceof Error && error.stack;
  deps.log(`${what} failed${reference ? ` [reference ${reference}]` : ''}: ${userMessage(error)}${withStack ? `\n${error.stack}` : ''}`);
  return errorMessage(error, reference);
}
