/**
 * A stand-in for the bot's request URL: records every request the workspace delivers (headers and body, as
 * received) and answers with whatever the test says (default: an empty 200, Bolt's ack). Tests that need the real
 * bot use `workspace-harness.ts`; this one lets a test see the exact bytes Slack would send and play the bot's part.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { localBotToken } from '../../../src/local/config.ts';
import { startLocalServer, type LocalServer } from '../../../src/local/server.ts';
import { createLocalWorkspace, type LocalWorkspace } from '../../../src/workspace/index.ts';

/** One request the bot received. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** The form fields (slash commands), or the parsed `payload` field (interactions), or the JSON body (events). */
  fields: Record<string, string>;
  payload: Record<string, any> | null;
}

/** What the bot answers: status, content type and body; or `hang` to never answer. */
export type BotReply = { status?: number; json?: unknown; text?: string } | 'hang';

/** A workspace on a local server with a recording bot connected. */
export interface FakeBotWorkspace {
  readonly server: LocalServer;
  readonly workspace: LocalWorkspace;
  readonly received: ReceivedRequest[];
  /** The workspace's signing secret. */
  readonly secret: string;
  /** The bot token its Web API takes (made for this workspace). */
  readonly botToken: string;
  /** Sets how the bot answers the next requests. */
  reply(answer: (request: ReceivedRequest) => BotReply): void;
  /** POSTs JSON to the page API. */
  page(endpoint: string, body: unknown): Promise<{ status: number; json: Record<string, any> }>;
}

/** Starts both; stopped when the current test finishes. */
export async function startFakeBotWorkspace(options: { now?: () => number; deliveryTimeoutMs?: number; maxMessages?: number } = {}): Promise<FakeBotWorkspace> {
  const received: ReceivedRequest[] = [];
  let answer: (request: ReceivedRequest) => BotReply = () => ({ status: 200 });
  const hanging = new Set<() => void>();
  const bot = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = String(request.headers['content-type']).includes('json');
      const fields = json ? {} : Object.fromEntries(new URLSearchParams(body));
      const payload = json ? JSON.parse(body) : fields.payload ? JSON.parse(fields.payload) : null;
      const record = { headers: request.headers, body, fields, payload };
      received.push(record);
      const reply = answer(record);
      if (reply === 'hang') {
        hanging.add(() => response.end());
        return;
      }
      if (reply.json !== undefined) {
        response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(reply.json));
      } else {
        response.writeHead(reply.status ?? 200, { 'content-type': 'text/plain' });
        response.end(reply.text ?? '');
      }
    });
  });
  await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const end of hanging) end();
        bot.closeAllConnections();
        bot.close(() => resolve());
      }),
  );
  const server = await startLocalServer({ port: 0 });
  onTestFinished(() => server.close());
  const secret = 'fake-bot-secret-0123456789abcdef';
  const botToken = localBotToken();
  const workspace = createLocalWorkspace({ baseUrl: server.internalUrl, botToken, signingSecret: secret, ...options });
  onTestFinished(() => workspace.close());
  server.mount(...workspace.routes);
  workspace.connectBot(`http://127.0.0.1:${(bot.address() as AddressInfo).port}/slack/events`);
  return {
    server,
    workspace,
    received,
    secret,
    botToken,
    reply: (next) => {
      answer = next;
    },
    page: async (endpoint, body) => {
      const response = await fetch(`${server.internalUrl}workspace/api/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as Record<string, any> };
    },
  };
}
