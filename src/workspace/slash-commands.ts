/**
 * The composer: `/ontology …` goes to the bot as a slash command with the fields Slack sends, and the bot's answer
 * shows as Slack shows it (a failure as Slackbot's "/ontology failed with the error …", a JSON ack body as an
 * ephemeral or in-channel message); another `/command` is refused as Slack refuses it; plain text is posted as the user.
 */
import { LOCAL_BOT } from '../local/directory.ts';
import { HttpError } from '../local/http.ts';
import { issueResponseUrl, issueTrigger, type WorkspaceContext } from './context.ts';
import { channelOrFail, deliver, outcomeOf, parseJson, userOrFail, type BotAnswer } from './delivery.ts';
import type { DeliveryOutcome } from './snapshot.ts';
import type { StoredChannel } from './state.ts';

/** The slash command the bot registers. */
export const SLASH_COMMAND = '/ontology';
/** Slack's own user, who says when a command failed. */
export const SLACKBOT = 'USLACKBOT';

/** Slackbot tells `userId` privately, in `channel`. */
function slackbotSays(context: WorkspaceContext, channel: StoredChannel, userId: string, text: string): void {
  context.state.postEphemeral(channel, userId, {
    user: SLACKBOT,
    bot: true,
    text,
  });
}

/** Sends what was typed in `channelId`'s composer by `userId`. */
export async function sendComposerText(context: WorkspaceContext, input: { userId: string; channelId: string; text: string }): Promise<DeliveryOutcome> {
  const user = userOrFail(context, input.userId);
  const channel = channelOrFail(context, input.channelId);
  const typed = input.text.trim();
  if (typed === '') throw new HttpError(400, 'The message is empty: type `/ontology help` or some text.');
  if (!typed.startsWith('/')) {
    context.state.post(channel, { user: user.id, bot: false, text: typed });
    return { ok: true };
  }
  const command = typed.split(/\s/, 1)[0]!;
  const text = typed.slice(command.length).trim();
  if (command !== SLASH_COMMAND) {
    slackbotSays(
      context,
      channel,
      user.id,
      `\`${command}\` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.`,
    );
    return { ok: false, error: 'unknown_command' };
  }
  const responseUrl = issueResponseUrl(context, user.id, channel.id, null);
  const body = new URLSearchParams({
    token: 'local-verification-token',
    team_id: LOCAL_BOT.teamId,
    team_domain: 'local',
    channel_id: channel.id,
    channel_name: channel.directWith ? 'directmessage' : channel.name,
    user_id: user.id,
    user_name: user.name,
    command,
    text,
    api_app_id: 'ALOCALAPP1',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: issueTrigger(context, user.id),
  }).toString();
  const answer = await deliver(context, body, 'application/x-www-form-urlencoded');
  const outcome = outcomeOf(answer);
  if (!outcome.ok) {
    slackbotSays(context, channel, user.id, `${command} failed with the error "${outcome.error}"`);
    return outcome;
  }
  const ack = parseJson(answer as BotAnswer);
  const plain = (answer as BotAnswer).body.trim();
  if (ack && (typeof ack.text === 'string' || Array.isArray(ack.blocks))) {
    const message = {
      user: LOCAL_BOT.userId,
      bot: true,
      text: typeof ack.text === 'string' ? ack.text : '',
      blocks: ack.blocks,
    };
    const posted = ack.response_type === 'in_channel' ? context.state.post(channel, message) : context.state.postEphemeral(channel, user.id, message);
    // As in Slack, the command's response_url can then replace or delete the ack's message (a working note).
    const target = context.responseTargets.get(responseUrl.slice(responseUrl.lastIndexOf('/') + 1));
    if (target && target.messageTs === null) target.messageTs = posted.ts;
  } else if (!ack && plain !== '') {
    context.state.postEphemeral(channel, user.id, {
      user: LOCAL_BOT.userId,
      bot: true,
      text: plain,
    });
  }
  return outcome;
}
