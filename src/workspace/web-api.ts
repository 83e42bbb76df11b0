/**
 * The subset of Slack's Web API the bot calls, at `/api/<method>`, answering as Slack does: HTTP 200 with
 * `{ ok: true, … }` or `{ ok: false, error: "<slack_error>" }`. Arguments come form-encoded (JSON-valued fields
 * such as `blocks` and `view` parsed) or as JSON; the run's bot token is required in the `Authorization` header
 * (else HTTP 401 `not_authed` / `invalid_auth`, see `auth.ts`).
 */
import type { ServerResponse } from 'node:http';
import { LOCAL_BOT, LOCAL_USERS, type LocalUser } from '../local/directory.ts';
import { sendJson, type Route } from '../local/http.ts';
import { blocksProblems, viewProblems } from '../slack/blocks/validate.ts';
import { authRefusal } from './auth.ts';
import { TRIGGER_LIFETIME_MS, type WorkspaceContext } from './context.ts';
import type { StoredChannel, StoredMessage } from './state.ts';

/** Arguments of a Web API call. */
export type ApiParams = Record<string, unknown>;

/** A Slack error answer (`{ ok: false, error }`), HTTP 200 as Slack answers unless `status` says otherwise. */
export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly status = 200,
  ) {
    super(error);
    this.name = 'SlackApiError';
  }
}

/** Fields Slack takes as JSON inside a form-encoded call. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata']);

/** Parses a call's arguments (form or JSON body, plus the query string). */
export function parseApiParams(body: string, contentType: string, query: URLSearchParams): ApiParams {
  const params: ApiParams = Object.fromEntries(query);
  if (body.trim() === '') return params;
  if (contentType.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new SlackApiError('invalid_json');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SlackApiError('invalid_json');
    const json = { ...params, ...(parsed as ApiParams) };
    // Some clients send JSON-valued fields as strings even in a JSON body.
    for (const key of JSON_FIELDS) {
      if (typeof json[key] === 'string') {
        try {
          json[key] = JSON.parse(json[key] as string);
        } catch {
          throw new SlackApiError(`invalid_${key}`);
        }
      }
    }
    return json;
  }
  for (const [key, value] of new URLSearchParams(body)) {
    if (JSON_FIELDS.has(key)) {
      try {
        params[key] = JSON.parse(value);
      } catch {
        throw new SlackApiError(`invalid_${key}`);
      }
    } else {
      params[key] = value;
    }
  }
  return params;
}

function text(params: ApiParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function channelOf(context: WorkspaceContext, params: ApiParams, name = 'channel'): StoredChannel {
  const reference = text(params, name);
  const channel = reference ? context.state.channel(reference) : null;
  if (!channel) throw new SlackApiError('channel_not_found');
  return channel;
}

/** A person as Slack's `users.*` methods describe one. */
function userJson(user: LocalUser): Record<string, unknown> {
  return { id: user.id, team_id: LOCAL_BOT.teamId, name: user.name, real_name: user.realName, is_bot: false, deleted: false };
}

/** The bot's own message `ts` in `channel`, which it may edit or delete; Slack's errors otherwise. */
function ownMessage(context: WorkspaceContext, params: ApiParams, notOwn: string): { channel: StoredChannel; message: StoredMessage } {
  const channel = channelOf(context, params);
  const ts = text(params, 'ts');
  const message = ts ? context.state.find(channel, ts) : null;
  if (!message) throw new SlackApiError('message_not_found');
  if (!message.bot) throw new SlackApiError(notOwn);
  return { channel, message };
}

/** A message as Slack returns it (API answers) and sends it (the `message` of a `block_actions` payload). */
export function messageJson(message: StoredMessage): Record<string, unknown> {
  return {
    type: 'message',
    ...(message.bot ? { subtype: 'bot_message', bot_id: LOCAL_BOT.botId } : {}),
    user: message.user,
    text: message.text,
    ts: message.ts,
    team: LOCAL_BOT.teamId,
    blocks: message.blocks,
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    ...(message.edited ? { edited: { user: message.user, ts: message.ts } } : {}),
    ...(message.files.length > 0
      ? {
          files: message.files.map((file) => ({
            id: file.id,
            name: file.name,
            title: file.title,
            mimetype: file.mimetype,
          })),
        }
      : {}),
  };
}

/** Longest top-level `text` Slack takes (`msg_too_long` beyond). */
const MAX_MESSAGE_TEXT = 40_000;

/** The text and blocks of a message call; `no_text` when it has neither, `invalid_blocks` when Slack's Block Kit rules refuse them. */
function content(params: ApiParams): { text: string; blocks: unknown } {
  const blocks = params.blocks;
  const messageText = text(params, 'text') ?? '';
  if (messageText === '' && (!Array.isArray(blocks) || blocks.length === 0)) throw new SlackApiError('no_text');
  if (blocks !== undefined && !Array.isArray(blocks)) throw new SlackApiError('invalid_blocks');
  if (Array.isArray(blocks) && blocksProblems(blocks, 'message').length > 0) throw new SlackApiError('invalid_blocks');
  if (messageText.length > MAX_MESSAGE_TEXT) throw new SlackApiError('msg_too_long');
  return { text: messageText, blocks };
}

function viewOf(params: ApiParams): Record<string, unknown> {
  const view = params.view;
  if (!view || typeof view !== 'object' || Array.isArray(view)) throw new SlackApiError('invalid_arguments');
  if (viewProblems(view).length > 0) throw new SlackApiError('invalid_arguments');
  return view as Record<string, unknown>;
}

function viewJson(id: string, raw: Record<string, unknown>): Record<string, unknown> {
  return {
    ...raw,
    id,
    team_id: LOCAL_BOT.teamId,
    app_id: 'ALOCALAPP1',
    bot_id: LOCAL_BOT.botId,
    root_view_id: id,
    state: { values: {} },
    hash: `${id}.hash`,
  };
}

type Method = (params: ApiParams, context: WorkspaceContext) => Record<string, unknown>;

/** The methods, by name. */
const METHODS: Record<string, Method> = {
  'api.test': (params) => ({ args: params }),
  'auth.test': (_params, context) => ({
    url: context.baseUrl,
    team: LOCAL_BOT.team,
    user: LOCAL_BOT.name,
    team_id: LOCAL_BOT.teamId,
    user_id: LOCAL_BOT.userId,
    bot_id: LOCAL_BOT.botId,
    is_enterprise_install: false,
  }),
  'chat.postMessage': (params, context) => {
    const channel = channelOf(context, params);
    const message = context.state.post(channel, {
      user: LOCAL_BOT.userId,
      bot: true,
      ...content(params),
      ...(text(params, 'thread_ts') ? { threadTs: text(params, 'thread_ts') } : {}),
      broadcast: params.reply_broadcast === true || params.reply_broadcast === 'true',
    });
    return {
      channel: channel.id,
      ts: message.ts,
      message: messageJson(message),
    };
  },
  'chat.update': (params, context) => {
    const { channel, message } = ownMessage(context, params, 'cant_update_message');
    const update = content(params);
    context.state.replace(
      message,
      {
        text: update.text,
        ...(update.blocks !== undefined ? { blocks: update.blocks } : {}),
      },
      true,
    );
    return {
      channel: channel.id,
      ts: message.ts,
      text: message.text,
      message: messageJson(message),
    };
  },
  'chat.delete': (params, context) => {
    const { channel, message } = ownMessage(context, params, 'cant_delete_message');
    context.state.remove(message);
    return { channel: channel.id, ts: message.ts };
  },
  'chat.postEphemeral': (params, context) => {
    const channel = channelOf(context, params);
    const user = text(params, 'user');
    if (!user || !context.state.user(user)) throw new SlackApiError('user_not_found');
    if (channel.directWith && channel.directWith !== user) throw new SlackApiError('user_not_in_channel');
    const message = context.state.postEphemeral(channel, user, {
      user: LOCAL_BOT.userId,
      bot: true,
      ...content(params),
    });
    return { message_ts: message.ts };
  },
  'conversations.info': (params, context) => {
    const channel = channelOf(context, params);
    return {
      channel: {
        id: channel.id,
        name: channel.name,
        is_channel: !channel.directWith,
        is_im: !!channel.directWith,
        purpose: { value: channel.purpose },
      },
    };
  },
  'users.info': (params, context) => {
    const user = context.state.user(text(params, 'user') ?? '');
    if (!user) throw new SlackApiError('user_not_found');
    return { user: { ...userJson(user), profile: { real_name: user.realName, display_name: user.name, title: user.title } } };
  },
  'users.list': () => ({ members: LOCAL_USERS.map(userJson) }),
  // No user groups exist locally: any group id is unknown, as Slack answers for one that does not exist.
  'usergroups.users.list': () => {
    throw new SlackApiError('no_such_subteam');
  },
  'views.publish': (params, context) => {
    const userId = text(params, 'user_id');
    if (!userId || !context.state.user(userId)) throw new SlackApiError('user_not_found');
    const view = viewOf(params);
    if (view.type !== 'home') throw new SlackApiError('invalid_arguments');
    const stored = context.state.publishHome(userId, view);
    return { view: viewJson(stored.id, stored.raw) };
  },
  'views.open': (params, context) => {
    const triggerId = text(params, 'trigger_id');
    const trigger = triggerId ? context.triggers.get(triggerId) : undefined;
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    if (context.now() - trigger.issuedAt >= TRIGGER_LIFETIME_MS) throw new SlackApiError('expired_trigger_id');
    const view = viewOf(params);
    if (view.type !== 'modal') throw new SlackApiError('invalid_arguments');
    context.triggers.delete(triggerId!);
    const stored = context.state.openModal(trigger.userId, view);
    return { view: viewJson(stored.id, stored.raw) };
  },
  'views.update': (params, context) => {
    const viewId = text(params, 'view_id');
    const owner = [...context.state.modals].find(([, modal]) => modal.id === viewId);
    if (!owner) throw new SlackApiError('not_found');
    const stored = context.state.openModal(owner[0], viewOf(params), viewId);
    return { view: viewJson(stored.id, stored.raw) };
  },
  'files.getUploadURLExternal': (params, context) => {
    const filename = text(params, 'filename');
    const length = Number(text(params, 'length'));
    if (!filename || !Number.isInteger(length) || length <= 0) throw new SlackApiError('invalid_arguments');
    const id = context.state.nextId('F');
    context.state.addFile({
      id,
      name: filename,
      title: filename,
      altText: text(params, 'alt_text') ?? '',
      length,
      content: null,
      shared: false,
    });
    return { upload_url: `${context.baseUrl}upload/${id}`, file_id: id };
  },
  'files.completeUploadExternal': (params, context) => {
    const list = params.files;
    if (!Array.isArray(list) || list.length === 0) throw new SlackApiError('invalid_arguments');
    const files = list.map((entry: { id?: unknown; title?: unknown }) => {
      const stored = typeof entry?.id === 'string' ? context.state.files.get(entry.id) : undefined;
      if (!stored || !stored.content) throw new SlackApiError('file_not_found');
      if (typeof entry.title === 'string' && entry.title !== '') stored.title = entry.title;
      return stored;
    });
    const channelId = text(params, 'channel_id');
    if (channelId) {
      const channel = channelOf(context, params, 'channel_id');
      context.state.post(channel, {
        user: LOCAL_BOT.userId,
        bot: true,
        text: text(params, 'initial_comment') ?? '',
        ...(text(params, 'thread_ts') ? { threadTs: text(params, 'thread_ts') } : {}),
        files: files.map((file) => ({
          id: file.id,
          name: file.name,
          title: file.title,
          mimetype: mimetypeOf(file.name),
          size: file.length,
          url: `/files/${file.id}`,
        })),
      });
      for (const file of files) file.shared = true;
    }
    return {
      files: files.map((file) => ({
        id: file.id,
        name: file.name,
        title: file.title,
        mimetype: mimetypeOf(file.name),
        size: file.length,
      })),
    };
  },
};

/** The media type of a file by its name (what `/files/<id>` answers with). */
export function mimetypeOf(name: string): string {
  const extension = name.toLowerCase().split('.').pop() ?? '';
  return (
    {
      png: 'image/png',
      jpg: 'image/jpeg',
      jpeg: 'image/jpeg',
      gif: 'image/gif',
      svg: 'image/svg+xml',
      csv: 'text/csv',
      txt: 'text/plain',
      json: 'application/json',
    }[extension] ?? 'application/octet-stream'
  );
}

function answer(response: ServerResponse, payload: Record<string, unknown>): void {
  sendJson(response, 200, payload);
}

/** The `/api/<method>` route. */
export function webApiRoute(context: WorkspaceContext): Route {
  return async (request, response) => {
    const path = request.url.pathname;
    if (!path.startsWith('/api/') || path.startsWith('/api/upload/')) return false;
    const name = path.slice('/api/'.length);
    try {
      const raw = request.method === 'POST' ? (await request.body()).toString('utf8') : '';
      const params = parseApiParams(raw, String(request.raw.headers['content-type'] ?? ''), request.url.searchParams);
      const refusal = authRefusal(request.raw.headers.authorization, text(params, 'token'), context.botToken);
      if (refusal) throw new SlackApiError(refusal, 401);
      const method = METHODS[name];
      if (!method) throw new SlackApiError('unknown_method');
      answer(response, { ok: true, ...method(params, context) });
    } catch (error) {
      if (!(error instanceof SlackApiError)) throw error;
      sendJson(response, error.status, { ok: false, error: error.error });
    }
    return true;
  };
}
