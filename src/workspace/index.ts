/**
 * The local Slack-compatible workspace `npm start` runs without Slack credentials: the Web API subset the bot
 * calls (`/api/…`), `response_url`s (`/response/…`), file uploads (`/upload/…`, `/files/…`), the page
 * (`/workspace/`) and its API (`/workspace/api/…`). It talks to the bot only as Slack does: signed HTTP requests
 * to the bot's request URL, and the bot answers through the Web API.
 */
import { join } from 'node:path';
import { staticFiles, webRoot, type Route } from '../local/http.ts';
import type { WorkspaceContext } from './context.ts';
import { filesRoute, uploadRoute } from './files.ts';
import { pageApi } from './page-api.ts';
import { responseUrlRoute } from './response-urls.ts';
import { WorkspaceState } from './state.ts';
import { webApiRoute } from './web-api.ts';

export type { WorkspaceSnapshot, MessageView, ChannelView, SurfaceView, DeliveryOutcome } from './snapshot.ts';
export { DELIVERY_TIMEOUT_MS, slackSignature } from './delivery.ts';
import { DELIVERY_TIMEOUT_MS } from './delivery.ts';

/** How the workspace is made. */
export interface LocalWorkspaceOptions {
  /** The internal URL of the local server (ends in `/`), for `response_url`s, upload URLs and file links. */
  baseUrl: string;
  /** The bot token its Web API takes (the bot's `SLACK_BOT_TOKEN`, made for this run). */
  botToken: string;
  /** The secret the workspace signs requests to the bot with (the bot's `SLACK_SIGNING_SECRET`). */
  signingSecret: string;
  /** The clock (epoch ms). */
  now?: () => number;
  /** One line to the process log (failed deliveries). */
  log?: (line: string) => void;
  /** How long the bot has to answer a command or click (default 3 s, as in Slack). */
  deliveryTimeoutMs?: number;
  /** Messages each channel keeps (default 200). */
  maxMessages?: number;
}

/** A running workspace. */
export interface LocalWorkspace {
  /** The routes to mount on the local server (`/` redirects to the page). */
  readonly routes: Route[];
  /** The state (read by tests and the page API). */
  readonly state: WorkspaceState;
  /** Where commands, clicks and events go from now on: the bot's request URL (`…/slack/events`). */
  connectBot(eventsUrl: string): void;
  /** Ends the page's live streams. */
  close(): void;
}

/** `/` → the workspace page. */
const rootRedirect: Route = (request, response) => {
  if (request.url.pathname !== '/' || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
  response.writeHead(302, { location: '/workspace/' });
  response.end();
  return true;
};

/** The page's built files (dist/web/workspace), resolved on first request so the API works without a build. */
function pageFiles(): Route {
  let files: Route | null = null;
  return (request, response) => {
    if (!request.url.pathname.startsWith('/workspace') || request.url.pathname.startsWith('/workspace/api/')) return false;
    files ??= staticFiles('/workspace/', join(webRoot(), 'workspace'));
    return files(request, response);
  };
}

/** Creates the workspace (its routes serve nothing until mounted on the local server). */
export function createLocalWorkspace(options: LocalWorkspaceOptions): LocalWorkspace {
  if (!/^https?:\/\/.+\/$/.test(options.baseUrl)) throw new Error(`baseUrl must be an http(s) URL ending in "/" (got "${options.baseUrl}").`);
  const now = options.now ?? Date.now;
  const state = new WorkspaceState({
    now,
    ...(options.maxMessages ? { maxMessages: options.maxMessages } : {}),
  });
  const context: WorkspaceContext = {
    state,
    baseUrl: options.baseUrl,
    botToken: options.botToken,
    signingSecret: options.signingSecret,
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? DELIVERY_TIMEOUT_MS,
    now,
    log: options.log ?? (() => {}),
    responseTargets: new Map(),
    triggers: new Map(),
    eventsUrl: null,
  };
  const page = pageApi(context);
  return {
    routes: [rootRedirect, webApiRoute(context), uploadRoute(context), responseUrlRoute(context), filesRoute(context), page.route, pageFiles()],
    state,
    connectBot(eventsUrl) {
      context.eventsUrl = eventsUrl;
      state.changed();
    },
    close: () => page.close(),
  };
}
