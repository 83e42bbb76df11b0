/**
 * A notifier that records what it is asked to send, and can be told to fail the next calls. Like Slack, it refuses
 * a message whose Block Kit breaks Slack's rules (`invalid_blocks`, not retryable), so no test passes on one.
 */
import { DeliveryError, type Notifier, type OutboundFile, type OutboundMessage } from '../../src/alerts/ports.ts';
import type { MessageRef } from '../../src/alerts/types.ts';
import { messageProblems } from '../../src/slack/blocks/validate.ts';

/** Slack's refusal of a message that breaks Block Kit's rules. */
function refuseInvalid(message: OutboundMessage): void {
  const problems = messageProblems(message);
  if (problems.length > 0) throw new DeliveryError(`invalid_blocks: ${problems.join('; ')}`, false);
}

/** One recorded call. */
export interface SentMessage {
  kind: 'post' | 'update' | 'upload';
  channel: string;
  text: string;
  blocks?: unknown[];
  /** Thread replies only. */
  threadTs?: string;
  /** The posted message's ts, or the edited one's; uploads: the file id. */
  ts: string;
  /** Uploads only. */
  file?: OutboundFile;
}

/** Records calls; `failNext` queues errors thrown by the next calls, in order. */
export class RecordingNotifier implements Notifier {
  readonly name = 'recording';
  readonly sent: SentMessage[] = [];
  private readonly failures: Error[] = [];
  private counter = 0;

  failNext(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  /** A retryable error as the Slack notifier raises for a 429. */
  static rateLimited(retryAfterMs: number): DeliveryError {
    return new DeliveryError('rate limited', true, retryAfterMs);
  }

  async post(message: OutboundMessage & { channel: string; threadTs?: string }): Promise<MessageRef> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    refuseInvalid(message);
    this.counter++;
    const ts = `1700000000.${String(this.counter).padStart(6, '0')}`;
    this.sent.push({ kind: 'post', channel: message.channel, text: message.text, blocks: message.blocks, threadTs: message.threadTs, ts });
    return { channel: message.channel, ts };
  }

  async update(message: OutboundMessage & { channel: string; ts: string }): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    refuseInvalid(message);
    this.sent.push({ kind: 'update', channel: message.channel, text: message.text, blocks: message.blocks, ts: message.ts });
  }

  async upload(upload: { channel: string; text: string; threadTs?: string; file: OutboundFile }): Promise<{ fileId: string }> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.counter++;
    const fileId = `F${String(this.counter).padStart(6, '0')}`;
    this.sent.push({ kind: 'upload', channel: upload.channel, text: upload.text, threadTs: upload.threadTs, ts: fileId, file: upload.file });
    return { fileId };
  }

  /** Uploaded files. */
  get uploads(): SentMessage[] {
    return this.sent.filter((message) => message.kind === 'upload');
  }

  /** Posts that are not thread replies. */
  get topLevelPosts(): SentMessage[] {
    return this.sent.filter((message) => message.kind === 'post' && message.threadTs === undefined);
  }

  /** Thread replies. */
  get replies(): SentMessage[] {
    return this.sent.filter((message) => message.kind === 'post' && message.threadTs !== undefined);
  }

  get updates(): SentMessage[] {
    return this.sent.filter((message) => message.kind === 'update');
  }
}
