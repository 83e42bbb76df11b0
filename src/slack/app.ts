/**
 * The Bolt app: `createSlackApp(deps)` builds it over the services the composition root returns and registers
 * every handler in `handlers/`. HTTP mode (Slack posts signed requests to `PORT`; `request-guard.ts` refuses a
 * bad signature, a timestamp more than 5 minutes away either way and a body Slack would never send before Bolt's
 * HTTPReceiver reads it) or Socket Mode (`SLACK_APP_TOKEN`). `SLACK_API_URL`
 * points the Web API client elsewhere (tests, proxies). Every error reaches the user as its one-line message
 * (`userMessage`), never a stack trace; the stack goes to the process log only.
 */
import type { AddressInfo } from 'node:net';
import { App, LogLevel, type Logger } from '@slack/bolt';
import type { Backend } from '../backend.ts';
import type { Config } from '../config.ts';
import { ErrorCode, InvalidArgumentError, OpsError, userMessage } from '../errors.ts';
import { handlerError } from './handler-error.ts';
import { guardedReceiver } from './request-guard.ts';
import { register as registerHandlers } from '../../handlers/index.ts';
import { ResponseUrlBudget } from './reply.ts';
import type { ApprovalService } from '../approvals/service.ts';
import { APPROVAL_TICK_MS, createSlackApprovals, pendingApprovalsOf, slackApprovalDirectory } from './approvals.ts';
import type { Notifier } from '../alerts/ports.ts';
import { alertRunner, deliverAlertEdits, type AlertRunner } from './alert-runner.ts';
import { reevaluateAfterChange } from '../../monitors/after-change.ts';
import type { PendingApprovals } from './overview.ts';

/** Everything a handler may reach: services only through the backend, time only through `now`. */
export interface SlackAppDeps {
  /** Every port and service over the store (from `openBackend`). */
  backend: Backend;
  config: Config;
  /** The clock (epoch ms). */
  now: () => number;
  /** One line to the process log. */
  log: (line: string) => void;
  /** Uses of each `response_url` (default: a fresh budget per app). */
  responseUrls?: ResponseUrlBudget;
  /** The approval service (default: one over the backend that posts through this app's Web API client). */
  approvals?: ApprovalService;
  /**
   * The scheduler's runner, so "Run check now" queues behind the runs of this process (default: a runner of its
   * own over the backend; the job's lease in the store still keeps two processes from running a job at once).
   */
  monitorRunner?: AlertRunner;
  /** Sends the edits alert buttons queue in the outbox at once (default: the Slack notifier of the configuration). */
  notifier?: Notifier;
  /** The approvals waiting, for the Home tab and `/ontology status` (the approvals service); none by default. */
  pendingApprovals?: PendingApprovals;
}

/** What handlers receive: the app's dependencies with their defaults filled in. */
export type HandlerDeps = SlackAppDeps & { responseUrls: ResponseUrlBudget; approvals: ApprovalService };

/** A built app. */
export interface SlackApp {
  /** The Bolt app (handlers registered). */
  readonly app: App;
  /** Whether Slack's requests arrive over HTTP or Socket Mode. */
  readonly mode: 'http' | 'socket';
  /** The approval service the handlers use (its `idle()` resolves when runs this process started have ended). */
  readonly approvals: ApprovalService;
  /** Starts receiving; in HTTP mode resolves with the port listened on. */
  start(): Promise<{ port: number | null }>;
  /** Stops receiving (requests in flight finish). */
  stop(): Promise<void>;
}

/** Where the HTTP receiver listens (default: `PORT` on every interface). */
export interface ListenOptions {
  port?: number;
  host?: string;
  /** The clock request timestamps are checked against (default: the system clock, which Slack signs with). */
  wallClock?: () => number;
}

/** Bolt's log lines, into the process log (warnings and errors only). */
function boltLogger(log: (line: string) => void): Logger {
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: () => {},
    warn: (...messages: unknown[]) => log(`slack: ${messages.map(String).join(' ')}`),
    error: (...messages: unknown[]) => log(`slack: ${messages.map((message) => (message instanceof Error ? userMessage(message) : String(message))).join(' ')}`),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * The one line a Socket Mode connection failure becomes: it names SLACK_APP_TOKEN and what to check, with Slack's
 * error code when there is one (never the SDK's stack or raw text).
 */
export function socketModeError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  const code = typeof data?.error === 'string' ? data.error : null;
  const why = code ? `Slack answered ${code}` : 'the connection failed';
  return (
    `Socket Mode could not connect (${why}): check SLACK_APP_TOKEN — an app-level token (xapp-…) with the ` +
    'connections:write scope, from an app with Socket Mode enabled.'
  );
}

/** Builds the Bolt app over `deps` with every handler registered. */
export function createSlackApp(deps: SlackAppDeps, listen: ListenOptions = {}): SlackApp {
  const { slack } = deps.config;
  if (!slack.appMode || !slack.botToken) {
    throw new InvalidArgumentError(
      'The Slack app needs SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode): set them, or run without Slack.',
    );
  }
  const mode = slack.appMode;
  const logger = boltLogger(deps.log);
  const app = new App({
    token: slack.botToken,
    ...(mode === 'socket'
      ? { appToken: slack.appToken!, socketMode: true }
      : { receiver: guardedReceiver({ signingSecret: slack.signingSecret!, now: listen.wallClock ?? Date.now, log: deps.log, logger }) }),
    logger,
    clientOptions: { slackApiUrl: slack.apiUrl, timeout: slack.timeoutMs, retryConfig: { retries: 2 } },
    // The answer to a slash command must come within 3 s: Bolt replies to Slack as soon as a handler acks.
    processBeforeResponse: false,
    // `start` checks the token (auth.test) and fails with its error; built eagerly, a Slack that cannot be reached
    // would leave that check's rejection unhandled and end the process.
    deferInitialization: true,
  });
  // The last resort: whatever a handler did not catch is logged here; the user already got an answer or none.
  app.error(async (error) => {
    const original = (error as { original?: unknown }).original ?? error;
    handlerError(original, deps, 'A Slack handler');
  });
  const directory = slackApprovalDirectory(deps, app.client);
  // A migration or rollback this app runs re-evaluates every metric as it ends (alerts, Home tabs, dashboard),
  // unless the monitors are off here (MONITOR_ENABLED=false): then no run of this process posts alerts.
  const afterChange = (change: 'migration' | 'rollback') => {
    if (deps.config.monitors.enabled) void reevaluateAfterChange(alertRunner(deps), change, deps.log);
  };
  const approvals = deps.approvals ?? createSlackApprovals({ ...deps, deliver: () => deliverAlertEdits(deps), afterChange }, app.client, directory);
  const handlerDeps: HandlerDeps = {
    ...deps,
    responseUrls: deps.responseUrls ?? new ResponseUrlBudget(deps.now),
    approvals,
    pendingApprovals: deps.pendingApprovals ?? pendingApprovalsOf(deps.backend.approvals, directory),
  };
  registerHandlers(app, handlerDeps);
  // Expires due approval requests and resumes a run a previous process left running (first tick at start).
  let ticker: NodeJS.Timeout | null = null;
  const tick = () => {
    approvals.tick().catch((error: unknown) => handlerError(error, deps, 'The approval tick'));
  };

  return {
    app,
    mode,
    approvals,
    async start() {
      try {
        await app.init();
      } catch (error) {
        throw new OpsError(ErrorCode.SlackDelivery, `The Slack app could not check its bot token with auth.test (${userMessage(error)}): check SLACK_BOT_TOKEN and that SLACK_API_URL is reachable.`);
      }
      const startTicking = () => {
        tick();
        ticker = setInterval(tick, APPROVAL_TICK_MS);
        ticker.unref();
      };
      if (mode === 'socket') {
        try {
          await app.start();
        } catch (error) {
          throw new OpsError(ErrorCode.SlackDelivery, socketModeError(error));
        }
        startTicking();
        return { port: null };
      }
      const server = await app.start({ port: listen.port ?? slack.port, host: listen.host });
      startTicking();
      return { port: (server.address() as AddressInfo).port };
    },
    async stop() {
      if (ticker) clearInterval(ticker);
      ticker = null;
      await app.stop();
    },
  };
}
