/**
 * The local workspace on a real local server with the real Bolt app connected to it, as `npm start` wires them:
 * the app's Web API is the workspace's `/api/`, its signing secret the workspace's. Tests act through the page's
 * own API (`/workspace/api/…`) like the browser does and read what the page would show.
 */
import { onTestFinished } from 'vitest';
import type { Backend } from '../../../src/backend.ts';
import { loadConfig, type Config } from '../../../src/config.ts';
import { localBotToken, localWorkspaceConfig } from '../../../src/local/config.ts';
import { startLocalServer, type LocalServer } from '../../../src/local/server.ts';
import { createSlackApp, type SlackApp } from '../../../src/slack/app.ts';
import { createLocalWorkspace, type LocalWorkspace } from '../../../src/workspace/index.ts';
import type { ActionSurface } from '../../../src/workspace/interactions.ts';
import type { DeliveryOutcome, MessageView, WorkspaceSnapshot } from '../../../src/workspace/snapshot.ts';

/** The signing secret the harness's workspace and app share. */
export const WORKSPACE_SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

/** A running workspace with the app connected. */
export interface WorkspaceHarness {
  readonly server: LocalServer;
  readonly workspace: LocalWorkspace;
  readonly config: Config;
  readonly app: SlackApp;
  /** The app's request URL. */
  readonly eventsUrl: string;
  /** Lines the app and the workspace logged. */
  readonly logs: string[];
  /** The page's snapshot for `userId`. */
  snapshot(userId: string): Promise<WorkspaceSnapshot>;
  /** Types `text` in the composer of `channelId` as `userId`. */
  type(userId: string, channelId: string, text: string): Promise<DeliveryOutcome>;
  /** Clicks element `actionId` of block `blockId` (a menu: chooses `selectedValue`). */
  click(userId: string, surface: ActionSurface, blockId: string, actionId: string, selectedValue?: string): Promise<DeliveryOutcome>;
  /** POSTs `body` to the page API `endpoint`; resolves with the HTTP status and JSON. */
  post(endpoint: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Resolves with the first non-empty result of `find` over `userId`'s snapshot, polling on every change. */
  waitFor<T>(userId: string, find: (snapshot: WorkspaceSnapshot) => T | undefined | null | false, timeoutMs?: number): Promise<T>;
}

/** The block id and value of the element `actionId` in `message`, if it has one. */
export function elementOf(
  message: MessageView | { blocks: MessageView['blocks'] },
  actionId: string,
): {
  blockId: string;
  value?: string;
  options?: { value: string; text: { text: string } }[];
} | null {
  for (const block of message.blocks) {
    const elements = [
      ...((block.elements as Record<string, unknown>[] | undefined) ?? []),
      ...(block.accessory ? [block.accessory as Record<string, unknown>] : []),
    ];
    const element = elements.find((candidate) => candidate.action_id === actionId);
    if (element)
      return {
        blockId: block.block_id!,
        value: element.value as string | undefined,
        options: element.options as never,
      };
  }
  return null;
}

/** Every message of a channel in `snapshot`. */
export function messagesIn(snapshot: WorkspaceSnapshot, channelId: string): MessageView[] {
  return snapshot.channels.find((channel) => channel.id === channelId)?.messages ?? [];
}

/** Starts a workspace and the app over `backend`; both stop when the current test finishes. */
export async function startWorkspaceHarness(options: {
  backend: Backend;
  now?: () => number;
  env?: Record<string, string>;
  signingSecret?: string;
}): Promise<WorkspaceHarness> {
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const server = await startLocalServer({ port: 0, log });
  onTestFinished(() => server.close());
  const botToken = localBotToken();
  const workspace = createLocalWorkspace({
    baseUrl: server.internalUrl,
    botToken,
    signingSecret: WORKSPACE_SECRET,
    log,
    ...(options.now ? { now: options.now } : {}),
  });
  onTestFinished(() => workspace.close());
  server.mount(...workspace.routes);
  const config = localWorkspaceConfig(loadConfig({ SLACK_TIMEOUT: '5s', ...options.env }), {
    apiUrl: `${server.internalUrl}api/`,
    botToken,
    // The app may be given another secret than the workspace signs with (a tampered configuration).
    signingSecret: options.signingSecret ?? WORKSPACE_SECRET,
    dashboardUrl: `${server.url}dashboard/`,
  });
  const app = createSlackApp({ backend: options.backend, config, now: options.now ?? Date.now, log }, { port: 0, host: '127.0.0.1' });
  const { port } = await app.start();
  onTestFinished(() => app.stop());
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  workspace.connectBot(eventsUrl);
  const pageApi = `${server.internalUrl}workspace/api/`;

  const post = async (endpoint: string, body: unknown) => {
    const response = await fetch(`${pageApi}${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      json: (await response.json()) as Record<string, unknown>,
    };
  };
  const snapshot = async (userId: string) => {
    const response = await fetch(`${pageApi}state?user=${encodeURIComponent(userId)}`);
    if (response.status !== 200) throw new Error(`state: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as WorkspaceSnapshot;
  };
  const delivered = async (endpoint: string, body: unknown) => {
    const { status, json } = await post(endpoint, body);
    if (status !== 200) throw new Error(`${endpoint}: HTTP ${status} ${JSON.stringify(json)}`);
    return json as unknown as DeliveryOutcome;
  };

  return {
    server,
    workspace,
    config,
    app,
    eventsUrl,
    logs,
    snapshot,
    post,
    type: (user, channel, text) => delivered('command', { user, channel, text }),
    click: (user, surface, blockId, actionId, selectedValue) =>
      delivered('action', {
        user,
        surface,
        blockId,
        actionId,
        ...(selectedValue !== undefined ? { selectedValue } : {}),
      }),
    waitFor: <T>(userId: string, find: (snapshot: WorkspaceSnapshot) => T | undefined | null | false, timeoutMs = 15_000) =>
      new Promise<T>((resolve, reject) => {
        let done = false;
        let checking = false;
        let again = false;
        const finish = (error: Error | null, value?: T) => {
          if (done) return;
          done = true;
          unsubscribe();
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(value as T);
        };
        const check = async () => {
          if (checking) {
            again = true;
            return;
          }
          checking = true;
          try {
            do {
              again = false;
              const found = find(await snapshot(userId));
              if (found !== undefined && found !== null && found !== false) return finish(null, found);
            } while (again && !done);
          } catch (error) {
            finish(error as Error);
          } finally {
            checking = false;
          }
        };
        const unsubscribe = workspace.state.onChange(() => void check());
        const timer = setTimeout(
          () => finish(new Error(`Timed out after ${timeoutMs} ms waiting in the workspace; log: ${logs.join(' | ') || 'empty'}`)),
          timeoutMs,
        );
        void check();
      }),
  };
}
