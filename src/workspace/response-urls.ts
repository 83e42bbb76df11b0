/**
 * `response_url`s as Slack honours them: each delivered command or click gets a fresh URL that takes at most 5
 * posts within 30 minutes. A post is a new message, ephemeral to the user (`response_type: ephemeral`, the
 * default) or in the channel (`in_channel`); `replace_original: true` replaces the message clicked (in place,
 * ephemeral or not) and `delete_original: true` deletes it. Answers: `ok`, or 404 `used_url` / `expired_url` /
 * `invalid_url`, or 400 `no_text` / `invalid_blocks` (Block Kit Slack would refuse), as Slack does.
 */
import type { ServerResponse } from 'node:http';
import { LOCAL_BOT } from '../local/directory.ts';
import { sendText, type Route } from '../local/http.ts';
import { RESPONSE_URL_LIFETIME_MS, RESPONSE_URL_USES, type WorkspaceContext } from './context.ts';
import { blocksProblems } from '../slack/blocks/validate.ts';
import { parseApiParams, SlackApiError } from './web-api.ts';

function refuse(response: ServerResponse, status: number, error: string): true {
  sendText(response, status, error);
  return true;
}

/** The `/response/<id>` route. */
export function responseUrlRoute(context: WorkspaceContext): Route {
  return async (request, response) => {
    const match = /^\/response\/([A-Za-z0-9]+)$/.exec(request.url.pathname);
    if (!match || request.method !== 'POST') return false;
    const target = context.responseTargets.get(match[1]!);
    if (!target) return refuse(response, 404, 'invalid_url');
    if (context.now() - target.issuedAt >= RESPONSE_URL_LIFETIME_MS) return refuse(response, 404, 'expired_url');
    if (target.uses >= RESPONSE_URL_USES) return refuse(response, 404, 'used_url');
    let params: Record<string, unknown>;
    try {
      params = parseApiParams(
        (await request.body()).toString('utf8'),
        String(request.raw.headers['content-type'] ?? 'application/json'),
        new URLSearchParams(),
      );
    } catch (error) {
      if (error instanceof SlackApiError) return refuse(response, 400, error.error);
      throw error;
    }
    const flag = (name: string) => params[name] === true || params[name] === 'true';
    const text = typeof params.text === 'string' ? params.text : '';
    const blocks = Array.isArray(params.blocks) ? params.blocks : undefined;
    const { state } = context;
    const channel = state.channel(target.channelId);
    if (!channel) return refuse(response, 404, 'channel_not_found');
    const original = target.messageTs ? state.find(channel, target.messageTs, target.userId) : null;
    if (flag('delete_original')) {
      target.uses++;
      if (original) state.remove(original);
      sendText(response, 200, 'ok');
      return true;
    }
    if (text === '' && !blocks?.length) return refuse(response, 400, 'no_text');
    if (blocks && blocksProblems(blocks, 'message').length > 0) return refuse(response, 400, 'invalid_blocks');
    target.uses++;
    if (flag('replace_original') && original) {
      state.replace(original, { text, blocks: blocks ?? [] }, false);
    } else if (params.response_type === 'in_channel') {
      const threadTs = typeof params.thread_ts === 'string' ? params.thread_ts : undefined;
      state.post(channel, {
        user: LOCAL_BOT.userId,
        bot: true,
        text,
        blocks,
        ...(threadTs ? { threadTs } : {}),
      });
    } else {
      state.postEphemeral(channel, target.userId, {
        user: LOCAL_BOT.userId,
        bot: true,
        text,
        blocks,
      });
    }
    sendText(response, 200, 'ok');
    return true;
  };
}
