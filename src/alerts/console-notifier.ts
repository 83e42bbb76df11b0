/**
 * A notifier for local runs without a Slack token: prints each message's fallback text to a writer (stderr by
 * default) and hands out increasing fake timestamps so edits and thread replies still work end to end. A new
 * top-level message also prints the text of its sections (members, top issue ids, what to do next) indented
 * under it, so a console reader gets what a Slack reader would; edits and replies stay one line. An uploaded
 * file (the weekly chart) is written to a folder and its path printed with the comment.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { MessageRef } from './types.ts';
import type { Notifier, OutboundFile, OutboundMessage } from './ports.ts';

/** Where the console notifier writes uploaded files unless told otherwise. */
export const DEFAULT_CONSOLE_FILE_DIR = join(tmpdir(), 'ontology-ops-files');

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
    /** Folder uploaded files are written to (created when needed). */
    private readonly fileDir: string = DEFAULT_CONSOLE_FILE_DIR,
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

  async upload(upload: { channel: string; text: string; threadTs?: string; file: OutboundFile }): Promise<{ fileId: string }> {
    this.counter++;
    mkdirSync(this.fileDir, { recursive: true });
    // The file name comes from the bot itself; basename keeps a stray separator from leaving the folder.
    const path = join(this.fileDir, `${Math.floor(this.now() / 1000)}-${this.counter}-${basename(upload.file.filename)}`);
    writeFileSync(path, upload.file.content);
    const where = upload.threadTs ? `#${upload.channel} (thread ${upload.threadTs})` : `#${upload.channel}`;
    this.write(`[${where} file] ${upload.text} (${upload.file.title}: ${path})`);
    return { fileId: `console-${this.counter}` };
  }
}
