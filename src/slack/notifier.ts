/**
 * The Slack notifier: `chat.postMessage` (thread replies via `thread_ts`), `chat.update` and file uploads the way
 * `files.uploadV2` makes them (`files.getUploadURLExternal`, the upload, `files.completeUploadExternal`) through
 * `@slack/web-api`. The WebClient's own retries are off and rate-limited calls are rejected, so the outbox alone
 * decides when to retry; errors are described as a `DeliveryFailure` (`decideDelivery` says what to do about
 * them). Every call has a hard timeout, and `stop()` cuts the calls in flight short, so a Slack that never
 * answers can neither hold a job nor a shutdown.
 */
import { LogLevel, ErrorCode as SlackErrorCode, WebClient, type WebClientOptions } from '@slack/web-api';
import { ConsoleNotifier } from '../alerts/console-notifier.ts';
import { MESSAGE_GONE_ERRORS } from '../alerts/delivery-decision.ts';
import { DeliveryError, MessageGoneError, type Notifier, type OutboundFile, type OutboundMessage } from '../alerts/ports.ts';
import type { MessageRef } from '../alerts/types.ts';
import type { SlackConfig } from '../config.ts';
import { tokenRevocation } from './access.ts';

/** Default time a Slack call may take before it counts as failed (`SLACK_TIMEOUT`). */
export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

/** Options of the Slack notifier. */
export interface SlackNotifierOptions {
  token: string;
  /** Web API base URL (default `https://slack.com/api/`). */
  apiUrl?: string;
  /** The longest a call may take, answer included (default 10 s). */
  timeoutMs?: number;
  /** Extra WebClient options (e.g. an agent). Retries, timeouts and rate-limit handling are always this class's. */
  client?: Omit<WebClientOptions, 'retryConfig' | 'rejectRateLimitedCalls' | 'timeout' | 'requestInterceptor'>;
}

/** Maps an error thrown by the WebClient to a `DeliveryError`. */
export function toDeliveryError(error: unknown, method: string): DeliveryError {
  const coded = error as { code?: string; retryAfter?: number; statusCode?: number; headers?: Record<string, unknown>; data?: { error?: string } };
  switch (coded.code) {
    case SlackErrorCode.RateLimitedError: {
      const retryAfterMs = Math.max(0, Number(coded.retryAfter ?? 1)) * 1000;
      return new DeliveryError(`${method}: rate limited by Slack`, { kind: 'rate_limited', retryAfterMs });
    }
    case SlackErrorCode.HTTPError: {
      const status = coded.statusCode ?? 0;
      const header = coded.headers?.['retry-after'];
      const retryAfterMs = header !== undefined && Number.isFinite(Number(header)) ? Number(header) * 1000 : null;
      return new DeliveryError(`${method}: HTTP ${status} from Slack`, { kind: 'http', status, retryAfterMs });
    }
    case SlackErrorCode.RequestError:
      return new DeliveryError(`${method}: could not reach Slack (${(error as Error).message})`, { kind: 'unreachable' });
    case SlackErrorCode.PlatformError: {
      const platformError = coded.data?.error ?? 'unknown_error';
      if (MESSAGE_GONE_ERRORS.has(platformError)) return new MessageGoneError(`${method}: Slack answered ${platformError}`, platformError);
      return new DeliveryError(`${method}: Slack answered ${platformError}`, { kind: 'slack', error: platformError });
    }
    default:
      return new DeliveryError(`${method}: ${error instanceof Error ? error.message : String(error)}`, { kind: 'transient', retryAfterMs: null });
  }
}

/** Sends alert and report messages to Slack. */
export class SlackNotifier implements Notifier {
  readonly name = 'slack';
  private readonly client: WebClient;
  private readonly token: string;
  private readonly timeoutMs: number;
  /** Aborted by `stop()`: every request in flight and every later one is cut short. */
  private readonly stopping = new AbortController();

  constructor(options: SlackNotifierOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
    this.token = options.token;
    this.client = new WebClient(options.token, {
      // Failed calls are reported by the outbox (with what happens next); the client's own warnings would repeat them.
      logLevel: LogLevel.ERROR,
      ...options.client,
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      // A hard deadline for the whole call, response body included, or the stop, whichever comes first.
      fetch: (url, init) => {
        const signals = [this.stopping.signal, AbortSignal.timeout(this.timeoutMs)];
        if (init?.signal) signals.push(init.signal);
        return fetch(url, { ...init, signal: AbortSignal.any(signals) });
      },
    });
  }

  /** Cuts every call in flight short and refuses later ones: the process is stopping. */
  stop(): void {
    this.stopping.abort();
  }

  /** Runs one Web API call, describing any failure (a timeout or a stop as such, not as a network error). */
  private async call<T>(method: string, send: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      if (this.stopping.signal.aborted) throw new DeliveryError(`${method}: not sent, the process is stopping`, { kind: 'stopped' });
      const revocation = tokenRevocation(this.token);
      if (revocation) {
        throw new DeliveryError(`${method}: not sent, Slack revoked the bot token (${revocation.event})`, { kind: 'slack', error: 'token_revoked' });
      }
      return await send();
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      if (this.stopping.signal.aborted) throw new DeliveryError(`${method}: cut short, the process is stopping`, { kind: 'stopped' });
      const mapped = toDeliveryError(error, method);
      if (mapped.failure.kind === 'unreachable' && Date.now() - started >= this.timeoutMs) {
        throw new DeliveryError(`${method}: Slack did not answer within ${this.timeoutMs} ms`, { kind: 'timed_out', afterMs: this.timeoutMs });
      }
      throw mapped;
    }
  }

  async post(message: OutboundMessage & { channel: string; threadTs?: string }): Promise<MessageRef> {
    const result = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel: message.channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (!result.ts || !result.channel) throw new DeliveryError('chat.postMessage: Slack returned no message ts', false);
    return { channel: result.channel, ts: result.ts };
  }

  /** Who the token posts as (`auth.test`), so a start-up can refuse a rejected token before any alert is lost. */
  async identity(): Promise<{ user: string; team: string }> {
    const result = await this.call('auth.test', () => this.client.auth.test());
    return { user: result.user ?? result.user_id ?? 'unknown', team: result.team ?? result.team_id ?? 'unknown' };
  }

  async update(message: OutboundMessage & { channel: string; ts: string }): Promise<void> {
    await this.call('chat.update', () =>
      this.client.chat.update({
        channel: message.channel,
        ts: message.ts,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as never } : {}),
      }),
    );
  }

  /**
   * Shares a file in a channel: asks Slack for an upload URL, sends the bytes there, then completes the upload
   * into the channel (or thread) with `text` as its comment. A failure at any step fails the whole upload; the
   * outbox's retry starts again from the first step (an unfinished upload is never shared).
   */
  async upload(upload: { channel: string; text: string; threadTs?: string; file: OutboundFile }): Promise<{ fileId: string }> {
    const { file } = upload;
    const target = await this.call('files.getUploadURLExternal', () =>
      this.client.files.getUploadURLExternal({ filename: file.filename, length: file.content.byteLength, alt_text: file.altText }),
    );
    if (!target.upload_url || !target.file_id) throw new DeliveryError('files.getUploadURLExternal: Slack returned no upload URL', false);
    const uploadUrl = target.upload_url;
    await this.call('file upload', async () => {
      const response = await fetch(uploadUrl, {
        method: 'POST',
        // The official client sends the token along; the URL is Slack's own.
        headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/octet-stream' },
        body: file.content,
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      await response.arrayBuffer();
      if (response.status !== 200) {
        const header = response.headers.get('retry-after');
        const retryAfterMs = header !== null && Number.isFinite(Number(header)) ? Number(header) * 1000 : null;
        throw new DeliveryError(`file upload: HTTP ${response.status} from Slack`, { kind: 'http', status: response.status, retryAfterMs });
      }
    });
    const destination = upload.threadTs ? { channel_id: upload.channel, thread_ts: upload.threadTs } : { channel_id: upload.channel };
    await this.call('files.completeUploadExternal', () =>
      this.client.files.completeUploadExternal({ files: [{ id: target.file_id!, title: file.title }], initial_comment: upload.text, ...destination }),
    );
    return { fileId: target.file_id };
  }
}

/**
 * The notifier a configuration asks for: Slack with a bot token, else the console notifier (messages printed
 * through `write`, stderr by default; files written under `fileDir`) so local runs without Slack still show every alert.
 */
export function createNotifier(
  slack: Omit<SlackConfig, 'appMode' | 'port'>,
  options: { write?: (line: string) => void; now?: () => number; /** Where the console notifier writes uploaded files. */ fileDir?: string } = {},
): Notifier {
  if (slack.botToken) return new SlackNotifier({ token: slack.botToken, apiUrl: slack.apiUrl, timeoutMs: slack.timeoutMs });
  return new ConsoleNotifier(options.write, options.now, options.fileDir);
}
