/**
 * Starts the real Bolt app (`createSlackApp`) on 127.0.0.1 over a real backend, with the Web API pointed at a
 * local fake (`fake-slack-api.ts`), and sends it slash commands, button clicks and events signed as Slack signs
 * them. Everything is stopped when the current test finishes.
 */
import { onTestFinished } from 'vitest';
import type { Backend } from '../../../src/backend.ts';
import { loadConfig, type Config } from '../../../src/config.ts';
import { messageProblems } from '../../../src/slack/blocks/validate.ts';
import { createSlackApp, type SlackApp } from '../../../src/slack/app.ts';
import { startFakeSlackApi, type FakeSlackApi, type RecordedResponse } from './fake-slack-api.ts';
import { buttonClickPayload, interactionBody, postSigned, slashCommandBody, type SlackHttpResponse } from './signed-request.ts';

/** The signing secret the harness's app checks. */
export const TEST_SIGNING_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** A running app and what talks to it. */
export interface SlackAppHarness {
  readonly app: SlackApp;
  readonly config: Config;
  /** The local Slack Web API. */
  readonly slack: FakeSlackApi;
  /** The app's request URL (`…/slack/events`). */
  readonly url: string;
  /** Lines the app logged. */
  readonly logs: string[];
  /** Sends `/ontology <text>`; resolves with the HTTP answer (the ack) and the command's `response_url`. */
  command(text: string, options?: { userId?: string; channelId?: string; timestamp?: number; signature?: string }): Promise<SlackHttpResponse & { responseUrl: string }>;
  /** Sends an interactive payload (e.g. `block_actions`) as Slack does: `payload=<json>`, signed. */
  interaction(payload: unknown, options?: { timestamp?: number; signature?: string }): Promise<SlackHttpResponse>;
  /** Clicks a button (`block_actions`); resolves with the HTTP answer and the click's `response_url`. */
  click(actionId: string, value: string, options?: { userId?: string; channelId?: string; responseUrl?: string }): Promise<SlackHttpResponse & { responseUrl: string }>;
  /** Sends an Events API envelope (JSON), signed. */
  event(envelope: unknown): Promise<SlackHttpResponse>;
  /** Waits for post number `index` (from 0) to `responseUrl` and returns it. */
  responseTo(responseUrl: string, index?: number): Promise<RecordedResponse>;
}

/** Options of the harness. */
export interface SlackAppHarnessOptions {
  backend: Backend;
  /** Extra environment (on top of a bot token, the signing secret and the fake's URL). */
  env?: Record<string, string>;
  now?: () => number;
  /** A fake Web API already started (default: a new one). */
  slack?: FakeSlackApi;
}

/** An ack that carries a message (a slash command answered in the ack itself) is held to Slack's Block Kit rules. */
function checkAck(slack: FakeSlackApi, body: string): void {
  if (!body.startsWith('{')) return;
  const message = JSON.parse(body) as { text?: unknown; blocks?: unknown };
  const problems = messageProblems(message);
  if (problems.length > 0) slack.refused.push({ method: 'ack', problems });
}

/** Starts the app over `backend`; stopped when the current test finishes. */
export async function startSlackAppHarness(options: SlackAppHarnessOptions): Promise<SlackAppHarness> {
  const slack = options.slack ?? (await startFakeSlackApi());
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    ALERT_CHANNEL_CRITICAL: 'C0ALERTS',
    SLACK_API_URL: slack.url,
    SLACK_TIMEOUT: '5s',
    ...options.env,
  });
  const logs: string[] = [];
  const app = createSlackApp({ backend: options.backend, config, now: options.now ?? Date.now, log: (line) => logs.push(line) }, { port: 0, host: '127.0.0.1' });
  const { port } = await app.start();
  onTestFinished(() => app.stop());
  const url = `http://127.0.0.1:${port}/slack/events`;
  const sign = (timestamp?: number, signature?: string) => ({ secret: TEST_SIGNING_SECRET, timestamp, signature });

  return {
    app,
    config,
    slack,
    url,
    logs,
    async command(text, commandOptions = {}) {
      const responseUrl = slack.responseUrl();
      const body = slashCommandBody({ text, userId: commandOptions.userId ?? 'U0ALICE', channelId: commandOptions.channelId ?? 'C0OPS', responseUrl });
      const response = await postSigned(url, body, sign(commandOptions.timestamp, commandOptions.signature));
      checkAck(slack, response.body);
      return { ...response, responseUrl };
    },
    interaction: (payload, interactionOptions = {}) => postSigned(url, interactionBody(payload), sign(interactionOptions.timestamp, interactionOptions.signature)),
    async click(actionId, value, clickOptions = {}) {
      const responseUrl = clickOptions.responseUrl ?? slack.responseUrl();
      const payload = buttonClickPayload({ actionId, value, userId: clickOptions.userId ?? 'U0ALICE', channelId: clickOptions.channelId ?? 'C0OPS', responseUrl });
      return { ...(await postSigned(url, interactionBody(payload), sign())), responseUrl };
    },
    event: (envelope) => postSigned(url, JSON.stringify(envelope), { ...sign(), contentType: 'application/json' }),
    responseTo: (responseUrl, index = 0) => slack.waitFor(() => slack.responses.filter((response) => response.url === responseUrl)[index]),
  };
}
