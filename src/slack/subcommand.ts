/**
 * The `/ontology <subcommand> …` router: parses the text, acknowledges Slack at once (a bad argument is
 * answered in the ack itself, ephemeral, with the usage), then runs the subcommand and answers through the
 * `response_url` (see `reply.ts`). Read-only subcommands answer privately unless the user adds `--share`; their
 * private answers carry a "Share in channel" button.
 */
import type { WebClient } from '@slack/web-api';
import { InvalidArgumentError } from '../errors.ts';
import type { HandlerDeps } from './app.ts';
import { code, escapeText } from './blocks/text.ts';
import { handlerError } from './handler-error.ts';
import { quoted, tokenize } from './command-args.ts';
import { deleteOriginal, sendReply, type ReplyTarget, type SlackMessage, type Visibility } from './reply.ts';

/** The slash command. */
export const SLASH_COMMAND = '/ontology';
/** Action id of the "Share in channel" button (its value: the subcommand text to run shared). */
export const SHARE_ACTION_ID = 'ontology_share_in_channel';
/** Action id prefix of the "next step" buttons (their value: the subcommand text to run). */
export const RUN_SUBCOMMAND_ACTION_ID = 'ontology_run_subcommand';
/**
 * Every next-step button's action id: numbered per answer (`ontology_run_subcommand_2`), since Slack refuses two
 * elements of one block with the same id; the bare prefix matches buttons posted before they were numbered.
 */
export const RUN_SUBCOMMAND_ACTION_PATTERN = /^ontology_run_subcommand(?:_\d+)?$/;

/** Action id of the next-step button at `index` (from 0) of an answer. */
export function nextStepActionId(index: number): string {
  return `${RUN_SUBCOMMAND_ACTION_ID}_${index + 1}`;
}
/** Longest button value Slack accepts. */
const MAX_BUTTON_VALUE = 2_000;

/** What a running subcommand may use. */
export interface CommandContext {
  deps: HandlerDeps;
  /** The Web API client (bot token). */
  client: WebClient;
  userId: string;
  channelId: string;
  /** The subcommand text as typed (after `/ontology`). */
  text: string;
  /** True when the answer is for the whole channel (`--share` or the Share button). */
  share: boolean;
  /** Answers the user: shared when `share`, else ephemeral (a `visibility` overrides). */
  reply(message: SlackMessage, visibility?: Visibility): Promise<void>;
  /** True when the router has a subcommand of that name (for next-step buttons). */
  knows(name: string): boolean;
  /** The usage message of every subcommand. */
  usage(): SlackMessage;
}

/** One `/ontology` subcommand. */
export interface Subcommand<Args = unknown> {
  name: string;
  /** Usage line without the slash command: `integrity [group] [--limit N]`. */
  usage: string;
  /** One line on what it does. */
  summary: string;
  /** Read-only: answers privately unless `--share`, with a "Share in channel" button. */
  shareable: boolean;
  /** Parses the tokens after the name (no I/O: it runs before the ack); throws `InvalidArgumentError`. */
  parse(tokens: readonly string[]): Args;
  /** Does the work and answers through `context.reply`. */
  run(args: Args, context: CommandContext): Promise<void>;
  /**
   * True when the work may take more than a second (a full scan, a dry run): the slash command is then acknowledged
   * with `WORKING_NOTE`, which the answer replaces. Absent: acknowledged silently.
   */
  slow?: (args: Args) => boolean;
}

/** What a slow subcommand's ack shows until its answer replaces it. */
export const WORKING_NOTE = { response_type: 'ephemeral' as const, text: ':hourglass_flowing_sand: Working on it…' };

/** A subcommand with its argument type erased, for the router's table. */
export type AnySubcommand = Subcommand<any>;

/** Declares a subcommand (keeps `parse` and `run` agreeing on the argument type). */
export function defineSubcommand<Args>(subcommand: Subcommand<Args>): AnySubcommand {
  return subcommand;
}

/** Where an invocation comes from: a slash command (with its ack) or a button (already acked). */
export interface Invocation {
  text: string;
  target: ReplyTarget;
  client: WebClient;
  /** Acknowledges the slash command, optionally with an ephemeral answer; absent for buttons. */
  ack?: (message?: SlackMessage & { response_type: 'ephemeral' }) => Promise<void>;
  /** Force a shared answer (the Share button). */
  share?: boolean;
}

/** The router over a table of subcommands. */
export interface SubcommandRouter {
  readonly subcommands: readonly AnySubcommand[];
  find(name: string): AnySubcommand | undefined;
  /** The usage message, headed by what was wrong when `problem` is given. */
  usage(problem?: string): SlackMessage;
  /** Runs one invocation to its answer; never throws (errors become their one-line message). */
  dispatch(invocation: Invocation, deps: HandlerDeps): Promise<void>;
}

/** The usage text: one line per subcommand. */
export function usageLines(subcommands: readonly AnySubcommand[]): string[] {
  return subcommands.map((subcommand) => `${code(`${SLASH_COMMAND} ${subcommand.usage}`)} — ${escapeText(subcommand.summary)}`);
}

/** A button that runs `text` as a subcommand (`actionId`: a `nextStepActionId`, or the Share button's). */
export function subcommandButton(label: string, text: string, actionId: string): unknown {
  return { type: 'button', text: { type: 'plain_text', text: label.slice(0, 75), emoji: true }, action_id: actionId, value: text.slice(0, MAX_BUTTON_VALUE) };
}

/** Builds the router over `subcommands` (names unique, lower case). */
export function createRouter(subcommands: readonly AnySubcommand[]): SubcommandRouter {
  const byName = new Map(subcommands.map((subcommand) => [subcommand.name, subcommand]));
  if (byName.size !== subcommands.length) throw new Error('Two /ontology subcommands share a name.');

  const usage = (problem?: string): SlackMessage => {
    const lines = usageLines(subcommands);
    const heading = problem ? `:warning: ${escapeText(problem)}` : '*`/ontology` commands*';
    const footer = 'Read-only answers are private; add `--share` to post them in the channel.';
    const text = `${heading}\n${lines.join('\n')}\n${footer}`;
    return {
      text: problem ? `${escapeText(problem)} Usage: ${subcommands.map((subcommand) => subcommand.name).join(', ')}.` : text.slice(0, 3000),
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: heading.slice(0, 3000) } },
        { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: footer }] },
      ],
    };
  };

  const router: SubcommandRouter = {
    subcommands,
    find: (name) => byName.get(name),
    usage,
    async dispatch(invocation, deps) {
      const { target, client } = invocation;
      const answerPrivately = async (message: SlackMessage) => {
        if (invocation.ack) await invocation.ack({ ...message, response_type: 'ephemeral' });
        else await sendReply(target, message, 'ephemeral', replyPorts(deps, client));
      };

      // Step 1: parse (no I/O), so a bad argument is answered in the ack itself.
      let prepared: { subcommand: AnySubcommand; args: unknown; share: boolean };
      try {
        prepared = prepare(invocation.text, byName, invocation.share === true);
      } catch (error) {
        await answerPrivately(error instanceof InvalidArgumentError ? usage(error.message) : handlerError(error, deps, SLASH_COMMAND));
        return;
      }
      const { subcommand, args, share } = prepared;

      // Step 2: acknowledge before any work, whatever the data size; a slow one with a note its answer replaces.
      let note: 'none' | 'shown' = 'none';
      if (invocation.ack) {
        const working = subcommand.slow?.(args) === true;
        await invocation.ack(working ? WORKING_NOTE : undefined);
        if (working) note = 'shown';
      }
      if (target.responseUrl) deps.responseUrls.issued(target.responseUrl);
      /** Sends the answer; the first one replaces the working note (a shared one is posted, then the note deleted). */
      const answer = async (message: SlackMessage, shown: Visibility) => {
        const replacing = note === 'shown';
        note = 'none';
        await sendReply(target, message, shown, replyPorts(deps, client), { replaceOriginal: replacing && shown === 'ephemeral' });
        if (replacing && shown === 'in_channel') await deleteOriginal(target, replyPorts(deps, client));
      };

      // Step 3: the work, then the answer (or the error's one line).
      const context: CommandContext = {
        deps,
        client,
        userId: target.userId,
        channelId: target.channelId,
        text: invocation.text,
        share,
        knows: (name) => byName.has(name),
        usage: () => usage(),
        reply: async (message, visibility) => {
          const shown = visibility ?? (share ? 'in_channel' : 'ephemeral');
          const withShare = subcommand.shareable && shown === 'ephemeral' && visibility === undefined ? withShareButton(message, invocation.text) : message;
          await answer(withShare, shown);
        },
      };
      try {
        await subcommand.run(args, context);
      } catch (error) {
        const message = handlerError(error, deps, `${SLASH_COMMAND} ${subcommand.name}`);
        try {
          await answer(message, 'ephemeral');
        } catch (replyError) {
          handlerError(replyError, deps, `Answering ${SLASH_COMMAND} ${subcommand.name}`);
        }
      }
    },
  };
  return router;
}

function replyPorts(deps: HandlerDeps, client: WebClient) {
  return { client, budget: deps.responseUrls, timeoutMs: deps.config.slack.timeoutMs, log: deps.log };
}

/**
 * The subcommand, its parsed arguments and whether the answer is shared (`--share`, or `forceShare` from the
 * Share button); throws `InvalidArgumentError`.
 */
function prepare(text: string, byName: ReadonlyMap<string, AnySubcommand>, forceShare: boolean): { subcommand: AnySubcommand; args: unknown; share: boolean } {
  const tokens = tokenize(text);
  const name = (tokens[0] ?? 'help').toLowerCase();
  const subcommand = byName.get(name);
  if (!subcommand) throw new InvalidArgumentError(`Unknown subcommand ${quoted(tokens[0] ?? '')}.`);
  const rest = tokens.slice(1);
  const share = rest.includes('--share') || forceShare;
  if (share && !subcommand.shareable) {
    throw new InvalidArgumentError(`\`${name}\` takes no --share: its answers already go where they belong.`);
  }
  const args = subcommand.parse(rest.filter((token) => token !== '--share'));
  return { subcommand, args, share };
}

/** Appends a "Share in channel" button to a private answer (when the text fits in a button value and the blocks allow). */
export function withShareButton(message: SlackMessage, text: string): SlackMessage {
  if (text.length > MAX_BUTTON_VALUE || !message.blocks) return message;
  const blocks = [...message.blocks];
  const share = subcommandButton('Share in channel', text, SHARE_ACTION_ID);
  const last = blocks.at(-1) as { type?: string; elements?: unknown[] } | undefined;
  if (last?.type === 'actions' && (last.elements?.length ?? 0) < 25) {
    blocks[blocks.length - 1] = { ...last, elements: [...(last.elements ?? []), share] };
  } else if (blocks.length < 50) {
    blocks.push({ type: 'actions', elements: [share] });
  }
  return { ...message, blocks };
}
