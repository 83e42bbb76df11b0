/**
 * The workspace page's own API under `/workspace/api/`: one user's state snapshot, what that user does (type in
 * the composer, click, submit or close a modal, open the Home tab) and a live stream (Server-Sent Events) that
 * says when anything changed, so edits in place show without a reload.
 */
import type { ServerResponse } from 'node:http';
import { HttpError, jsonBody, sendJson, type Route } from '../local/http.ts';
import type { WorkspaceContext } from './context.ts';
import { openHome, sendAction, submitView, type ActionSurface, type SubmittedValues } from './interactions.ts';
import { sendComposerText } from './slash-commands.ts';

const PREFIX = '/workspace/api/';
/** How often the stream sends a comment so proxies and browsers keep it open. */
const KEEP_ALIVE_MS = 15_000;

function field(body: Record<string, unknown>, name: string, what: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `"${name}" is missing: send ${what}.`);
  return value;
}

function optionalField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `"${name}" must be a string.`);
  return value;
}

function surfaceOf(body: Record<string, unknown>): ActionSurface {
  const surface = body.surface as Record<string, unknown> | undefined;
  const kind = surface?.kind;
  if (kind === 'home' || kind === 'modal') return { kind };
  if (kind === 'message') {
    return {
      kind,
      channelId: field(surface!, 'channelId', 'the channel id of the message'),
      messageTs: field(surface!, 'messageTs', 'the ts of the message clicked'),
    };
  }
  throw new HttpError(400, '"surface.kind" must be "message", "home" or "modal".');
}

function valuesOf(body: Record<string, unknown>): SubmittedValues {
  const values = body.values ?? {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new HttpError(400, '"values" must map block ids to { actionId: value }.');
  for (const [blockId, entry] of Object.entries(values)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new HttpError(400, `"values.${blockId}" must map action ids to values.`);
    for (const [actionId, value] of Object.entries(entry)) {
      if (value !== null && typeof value !== 'string') throw new HttpError(400, `"values.${blockId}.${actionId}" must be a string or null.`);
    }
  }
  return values as SubmittedValues;
}

/** The page API's routes and a way to end its open streams. */
export function pageApi(context: WorkspaceContext): {
  route: Route;
  close(): void;
} {
  const streams = new Set<ServerResponse>();
  const stream = (response: ServerResponse) => {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(`retry: 1000\ndata: ${JSON.stringify({ version: context.state.revision })}\n\n`);
    const unsubscribe = context.state.onChange((version) => response.write(`data: ${JSON.stringify({ version })}\n\n`));
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    streams.add(response);
    response.on('close', () => {
      unsubscribe();
      clearInterval(keepAlive);
      streams.delete(response);
    });
  };

  const route: Route = async (request, response) => {
    const path = request.url.pathname;
    if (!path.startsWith(PREFIX)) return false;
    const endpoint = `${request.method} ${path.slice(PREFIX.length)}`;
    switch (endpoint) {
      case 'GET state': {
        const user = request.url.searchParams.get('user') ?? '';
        if (!context.state.user(user)) throw new HttpError(400, `"user" must be a user of this workspace (got "${user}").`);
        sendJson(response, 200, context.state.snapshot(user, !!context.eventsUrl));
        return true;
      }
      case 'GET stream':
        stream(response);
        return true;
      case 'POST command': {
        const body = await jsonBody(request);
        const outcome = await sendComposerText(context, {
          userId: field(body, 'user', 'the id of the user typing'),
          channelId: field(body, 'channel', 'the id of the channel typed in'),
          text: field(body, 'text', 'what was typed, e.g. "/ontology help"'),
        });
        sendJson(response, 200, outcome);
        return true;
      }
      case 'POST action': {
        const body = await jsonBody(request);
        const selectedValue = optionalField(body, 'selectedValue');
        const outcome = await sendAction(context, {
          userId: field(body, 'user', 'the id of the user clicking'),
          surface: surfaceOf(body),
          blockId: field(body, 'blockId', 'the block_id of the clicked element'),
          actionId: field(body, 'actionId', 'the action_id of the clicked element'),
          ...(selectedValue !== undefined ? { selectedValue } : {}),
        });
        sendJson(response, 200, outcome);
        return true;
      }
      case 'POST view-submission': {
        const body = await jsonBody(request);
        const outcome = await submitView(context, {
          userId: field(body, 'user', 'the id of the user submitting'),
          viewId: field(body, 'viewId', 'the id of the modal'),
          values: valuesOf(body),
        });
        sendJson(response, 200, outcome);
        return true;
      }
      case 'POST view-close': {
        const body = await jsonBody(request);
        context.state.closeModal(field(body, 'user', 'the id of the user closing the modal'));
        sendJson(response, 200, { ok: true });
        return true;
      }
      case 'POST home-opened': {
        const body = await jsonBody(request);
        sendJson(response, 200, await openHome(context, field(body, 'user', 'the id of the user opening the Home tab')));
        return true;
      }
      default:
        return false;
    }
  };
  return {
    route,
    close() {
      for (const response of streams) response.end();
      streams.clear();
    },
  };
}
