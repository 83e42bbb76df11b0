/**
 * The Slack notifier: `chat.postMessage` (thread replies via `thread_ts`) and `chat.update` through
 * `@slack/web-api`. The WebClient's own retries are off and rate-limited calls are rejected, so the outbox alone
 * decides when to retry; errors are mapped to `DeliveryError` (retryable for 429, 5xx and network errors).
 */
import { LogLevel, ErrorCode as SlackErrorCode, WebClient, type WebClientOptions } from '@slack/web-api';
import { ConsoleNotifier } from '../alerts/console-notifier.ts';
import { DeliveryError, MessageGoneError, type Notifier, type OutboundMessage } from '../alerts/ports.ts';
import type { MessageRef } from '../alerts/types.ts';
import type { SlackConfig } from '../config.ts';

/** Slack platform errors that are worth retrying (Slack's side, not the request's fault). */
const RETRYABLE_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Slack platform errors saying the message to edit is gone (deleted, or too old to edit). */
const MESSAGE_GONE_ERRORS = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/** Options of the Slack notifier. */
export interface SlackNotifierOptions {
  token: string;
  /** Web API base URL (default `https://slack.com/api/`). */
  apiUrl?: string;
  /** Extra WebClient options (e.g. an agent). Retries and rate-limit handling are always left to the outbox. */
  client?: Omit<WebClientOptions, 'retryConfig' | 'rejectRateLimitedCalls'>;
}

/** Maps an error thrown by the WebClient to a `DeliveryError`. */
export function toDeliveryError(error: unknown, method: string): DeliveryError {
  const coded = error as { code?: string; retryAfter?: number; statusCode?: number; headers?: Record<string, unknown>; data?: { error?: string } };
  switch (coded.code) {
    case SlackErrorCode.RateLimitedError:
      return new DeliveryError(`${method}: rate limited by Slack`, true, Math.max(0, Number(coded.retryAfter ?? 1)) * 1000);
    case SlackErrorCode.HTTPError: {
      const status = coded.statusCode ?? 0;
      const header = coded.headers?.['retry-after'];
      const retryAfter = header !== undefined && Number.isFinite(Number(header)) ? Number(header) * 1000 : null;
      return new DeliveryError(`${method}: HTTP ${status} from Slack`, status >= 500 || status === 429, retryAfter);
    }
    case SlackErrorCode.RequestError:
      return new DeliveryError(`${method}: could not reach Slack (${(error as Error).message})`, true);
    case SlackErrorCode.PlatformError: {
      const platformError = coded.data?.error ?? 'unknown_error';
      if (MESSAGE_GONE_ERRORS.has(platformError)) return new MessageGoneError(`${method}: Slack answered ${platformError}`, platformError);
      return new DeliveryError(`${method}: Slack answered ${platformError}`, RETRYABLE_PLATFORM_ERRORS.has(platformError));
    }
    default:
      return new DeliveryError(`${method}: ${error instanceof Error ? error.message : String(error)}`, true);
  }
}

/** Sends alert and report messages to Slack. */
export class SlackNotifier implements Notifier {
  readonly name = 'slack';
  private readonly client: WebClient;

  constructor(options: SlackNotifierOptions) {
    this.client = new WebClient(options.token, {
      // Failed calls are reported by the outbox (with what happens next); the client's own warnings would repeat them.
      logLevel: LogLevel.ERROR,
      ...options.client,
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  }

  async post(message: OutboundMessage & { channel: string; threadTs?: string }): Promise<MessageRef> {
    try {
      const result = await this.client.chat.postMessage({
        channel: message.channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!result.ts || !result.channel) throw new DeliveryError('chat.postMessage: Slack returned no message ts', false);
      return { channel: result.channel, ts: result.ts };
    } catch (error) {
      throw error instanceof DeliveryError ? error : toDeliveryError(error, 'chat.postMessage');
    }
  }

  /** Who the token posts as (`auth.test`), so a start-up can refuse a rejected token before any alert is lost. */
  async identity(): Promise<{ user: string; team: string }> {
    try {
      const result = await this.client.auth.test();
      return { user: result.user ?? result.user_id ?? 'unknown', team: result.team ?? result.team_id ?? 'unknown' };
    } catch (error) {
      throw toDeliveryError(error, 'auth.test');
    }
  }

  async update(message: OutboundMessage & { channel: string; ts: string }): Promise<void> {
    try {
      await this.client.chat.update({
        channel: message.channel,
        ts: message.ts,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
      });
    } catch (error) {
      throw error instanceof DeliveryError ? error : toDeliveryError(error, 'chat.update');
    }
  }
}

/**
 * The notifier a configuration asks for: Slack with a bot token, else the console notifier (messages printed
 * through `write`, stderr by default) so local runs without Slack still show every alert.
 */
export function createNotifier(slack: SlackConfig, options: { write?: (line: string) => void; now?: () => number } = {}): Notifier {
  if (slack.botToken) return new SlackNotifier({ token: slack.botToken, apiUrl: slack.apiUrl });
  return new ConsoleNotifier(options.write, options.now);
}
