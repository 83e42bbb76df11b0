/**
 * A notifier for local runs without a Slack token: prints each message's fallback text to a writer (stderr by
 * default) and hands out increasing fake timestamps so edits and thread replies still work end to end. A new
 * top-level message also prints the text of its sections (members, top issue ids, what to do next) indented
 * under it, so a console reader gets what a Slack reader would; edits and replies stay one line.
 */
import type { MessageRef } from './types.ts';
import type { Notifier, OutboundMessage } from './ports.ts';

/** The text of a message's `section` blocks, as plain lines (mrkdwn bold markers dropped). */
export function sectionLines(blocks: readonly unknown[] | undefined): string[] {
  const lines: string[] = [];
  for (const block of blocks ?? []) {
    const section = block as { type?: string; text?: { text?: unknown } };
    if (section.type !== 'section' || typeof section.text?.text !== 'string') continue;
    lines.push(...section.text.text.replace(/\*([^*\n]+)\*/g, '$1').split('\n'));
  }
  return lines;
}

/** Prints messages instead of sending them. */
export class ConsoleNotifier implements Notifier {
  readonly name = 'console';
  private counter = 0;

  constructor(
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    private readonly now: () => number = Date.now,
  ) {}

  async post(message: OutboundMessage & { channel: string; threadTs?: string }): Promise<MessageRef> {
    this.counter++;
    const ts = `${Math.floor(this.now() / 1000)}.${String(this.counter).padStart(6, '0')}`;
    const where = message.threadTs ? `#${message.channel} (thread ${message.threadTs})` : `#${message.channel}`;
    this.write(`[${where}] ${message.text}`);
    if (!message.threadTs) for (const line of sectionLines(message.blocks)) this.write(`    ${line}`);
    return { channel: message.channel, ts };
  }

  async update(message: OutboundMessage & { channel: string; ts: string }): Promise<void> {
    this.write(`[#${message.channel} edit ${message.ts}] ${message.text}`);
  }
}
