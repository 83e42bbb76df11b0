/**
 * What the local workspace holds in memory: the channels and their messages (threads, edits, files), each user's
 * ephemeral messages, App Home and open modal, and the uploaded files. Bounded: a channel keeps its newest
 * `maxMessages` messages (and as many ephemerals per user), the workspace its newest `maxFiles` files. Every
 * change bumps `version` and tells the listeners (the page's live stream).
 */
import { randomInt } from 'node:crypto';
import { LOCAL_BOT, LOCAL_CHANNELS, LOCAL_USERS, type LocalUser } from '../local/directory.ts';
import type { Block, ChannelView, MessageView, SharedFile, SurfaceView, UserView, WorkspaceSnapshot } from './snapshot.ts';

/** Messages (and ephemerals per user) a channel keeps by default; older ones are dropped. */
export const DEFAULT_MAX_MESSAGES = 200;
/** Uploaded files kept by default; older ones are dropped. */
export const DEFAULT_MAX_FILES = 50;
/** The micro part of a second's first timestamp is random below this (room is left for the ones that follow). */
const TS_FIRST_SPREAD = 1 << 16;
/** Each later timestamp of the same second steps 1 + a random number below this. */
const TS_STEP_SPREAD = 1 << 13;

/** A message as stored. */
export interface StoredMessage {
  ts: string;
  channel: string;
  user: string;
  bot: boolean;
  text: string;
  blocks: Block[];
  threadTs?: string;
  broadcast: boolean;
  edited: boolean;
  files: SharedFile[];
  /** Set on an ephemeral message: the one user who sees it. */
  visibleTo?: string;
}

/** A channel as stored (direct-message channels have `directWith`). */
export interface StoredChannel {
  id: string;
  name: string;
  purpose: string;
  /** The user of a direct-message channel with the bot. */
  directWith?: string;
  messages: StoredMessage[];
  ephemerals: StoredMessage[];
}

/** An uploaded file (content null until its bytes arrived at the upload URL). */
export interface StoredFile {
  id: string;
  name: string;
  title: string;
  altText: string;
  length: number;
  content: Buffer | null;
  /** Shared into a channel (`files.completeUploadExternal`). */
  shared: boolean;
}

/** A view the bot published or opened, with the raw view Slack would echo back in payloads. */
export interface StoredView {
  id: string;
  raw: Record<string, unknown>;
  errors?: Record<string, string>;
}

/** What a new message carries. */
export interface MessageInput {
  user: string;
  bot: boolean;
  text: string;
  blocks?: unknown;
  threadTs?: string;
  broadcast?: boolean;
  files?: SharedFile[];
}

/** Options of the state. */
export interface WorkspaceStateOptions {
  now: () => number;
  /** A random whole number in [0, below) (default: crypto's), for the unguessable part of message timestamps. */
  random?: (below: number) => number;
  maxMessages?: number;
  maxFiles?: number;
}

/** The direct-message channel id of `userId` with the bot (`UENGINEER1` → `DENGINEER1`). */
export function directChannelId(userId: string): string {
  return `D${userId.slice(1)}`;
}

function userView(user: LocalUser): UserView {
  return {
    id: user.id,
    name: user.name,
    realName: user.realName,
    title: user.title,
  };
}

function plainText(value: unknown): string | undefined {
  return value && typeof value === 'object' && typeof (value as { text?: unknown }).text === 'string' ? (value as { text: string }).text : undefined;
}

/** The workspace's data and its change notifications. */
export class WorkspaceState {
  readonly channels = new Map<string, StoredChannel>();
  readonly files = new Map<string, StoredFile>();
  readonly homes = new Map<string, StoredView>();
  readonly modals = new Map<string, StoredView>();
  private readonly listeners = new Set<(version: number) => void>();
  private readonly maxMessages: number;
  private readonly maxFiles: number;
  private version = 0;
  private lastSeconds = 0;
  private sequence = 0;
  private ids = 0;

  constructor(private readonly options: WorkspaceStateOptions) {
    this.maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
    this.maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
    for (const channel of Object.values(LOCAL_CHANNELS))
      this.channels.set(channel.id, {
        ...channel,
        messages: [],
        ephemerals: [],
      });
    for (const user of LOCAL_USERS) {
      const id = directChannelId(user.id);
      this.channels.set(id, {
        id,
        name: user.name,
        purpose: `Direct messages between ${user.realName} and ${LOCAL_BOT.name}`,
        directWith: user.id,
        messages: [],
        ephemerals: [],
      });
    }
  }

  /**
   * A fresh message timestamp (`seconds.micro`, as Slack's), strictly increasing so the page orders messages by it,
   * and not guessable: the first of a second starts at a random micro value and each next one steps a random
   * amount further (a second that fills up carries into the next).
   */
  nextTs(): string {
    const seconds = Math.floor(this.options.now() / 1000);
    const random = this.options.random ?? randomInt;
    if (seconds > this.lastSeconds) {
      this.lastSeconds = seconds;
      this.sequence = random(TS_FIRST_SPREAD);
    } else {
      this.sequence += 1 + random(TS_STEP_SPREAD);
      if (this.sequence >= 1_000_000) {
        this.lastSeconds++;
        this.sequence = random(TS_FIRST_SPREAD);
      }
    }
    return `${this.lastSeconds}.${String(this.sequence).padStart(6, '0')}`;
  }

  /** A fresh id with `prefix` (`V…` views, `F…` files, …), in Slack's upper-case alphabet. */
  nextId(prefix: string): string {
    return `${prefix}${(++this.ids).toString(36).toUpperCase().padStart(8, '0')}`;
  }

  /** The channel named by id, `#name` or name, or the direct-message channel of a user id; null when unknown. */
  channel(reference: string): StoredChannel | null {
    const key = reference.startsWith('#') ? reference.slice(1) : reference;
    const byId = this.channels.get(key);
    if (byId) return byId;
    if (LOCAL_USERS.some((user) => user.id === key)) return this.channels.get(directChannelId(key)) ?? null;
    for (const channel of this.channels.values()) if (!channel.directWith && channel.name === key) return channel;
    return null;
  }

  /** The user `id`, or null. */
  user(id: string): LocalUser | null {
    return LOCAL_USERS.find((user) => user.id === id) ?? null;
  }

  /** Blocks as Slack stores them: a list, each block with a `block_id` (generated when the sender gave none). */
  normalizeBlocks(blocks: unknown): Block[] {
    if (!Array.isArray(blocks)) return [];
    return blocks
      .filter((block): block is Block => !!block && typeof block === 'object' && typeof (block as { type?: unknown }).type === 'string')
      .map((block) => (typeof block.block_id === 'string' ? block : { ...block, block_id: this.nextId('b').toLowerCase() }));
  }

  /** A new message of `channel` from `input` (not stored yet). */
  private newMessage(channel: StoredChannel, input: MessageInput, extra: Partial<StoredMessage>): StoredMessage {
    return {
      ts: this.nextTs(),
      channel: channel.id,
      user: input.user,
      bot: input.bot,
      text: input.text,
      blocks: this.normalizeBlocks(input.blocks),
      broadcast: false,
      edited: false,
      files: input.files ?? [],
      ...extra,
    };
  }

  /** Posts a message (a reply when `threadTs` names a message of the channel); drops the oldest beyond the bound. */
  post(channel: StoredChannel, input: MessageInput): StoredMessage {
    const parent = input.threadTs ? channel.messages.find((message) => message.ts === input.threadTs) : undefined;
    // A reply to a reply belongs to the same thread; an unknown parent posts to the channel, as Slack does.
    const message = this.newMessage(channel, input, parent ? { threadTs: parent.threadTs ?? parent.ts, broadcast: !!input.broadcast } : {});
    channel.messages.push(message);
    if (channel.messages.length > this.maxMessages) channel.messages.splice(0, channel.messages.length - this.maxMessages);
    this.changed();
    return message;
  }

  /** Posts a message only `visibleTo` sees. */
  postEphemeral(channel: StoredChannel, visibleTo: string, input: MessageInput): StoredMessage {
    const message = this.newMessage(channel, { ...input, files: [] }, { visibleTo });
    channel.ephemerals.push(message);
    const own = channel.ephemerals.filter((candidate) => candidate.visibleTo === visibleTo);
    if (own.length > this.maxMessages) {
      const drop = new Set(own.slice(0, own.length - this.maxMessages));
      channel.ephemerals = channel.ephemerals.filter((candidate) => !drop.has(candidate));
    }
    this.changed();
    return message;
  }

  /** The message `ts` of `channel` (ephemerals only for `viewer`), or null. */
  find(channel: StoredChannel, ts: string, viewer?: string): StoredMessage | null {
    return (
      channel.messages.find((message) => message.ts === ts) ??
      (viewer ? channel.ephemerals.find((message) => message.ts === ts && message.visibleTo === viewer) : undefined) ??
      null
    );
  }

  /** Replaces a message's text and blocks (`edited` marks a visible "(edited)"). */
  replace(message: StoredMessage, content: { text?: string; blocks?: unknown }, edited: boolean): void {
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = this.normalizeBlocks(content.blocks);
    if (edited && !message.visibleTo) message.edited = true;
    this.changed();
  }

  /** Deletes a message (a parent takes its thread with it). */
  remove(message: StoredMessage): void {
    const channel = this.channels.get(message.channel);
    if (!channel) return;
    if (message.visibleTo) channel.ephemerals = channel.ephemerals.filter((candidate) => candidate !== message);
    else channel.messages = channel.messages.filter((candidate) => candidate !== message && candidate.threadTs !== message.ts);
    this.changed();
  }

  /** Stores an uploaded file's record (bytes come later); drops the oldest beyond the bound. */
  addFile(file: StoredFile): void {
    this.files.set(file.id, file);
    while (this.files.size > this.maxFiles) this.files.delete(this.files.keys().next().value!);
  }

  /** Publishes `userId`'s Home tab. */
  publishHome(userId: string, raw: Record<string, unknown>): StoredView {
    const view = {
      id: this.homes.get(userId)?.id ?? this.nextId('V'),
      raw: { ...raw, type: 'home', blocks: this.normalizeBlocks(raw.blocks) },
    };
    this.homes.set(userId, view);
    this.changed();
    return view;
  }

  /** Opens (or replaces) `userId`'s modal. */
  openModal(userId: string, raw: Record<string, unknown>, id?: string): StoredView {
    const view = {
      id: id ?? this.nextId('V'),
      raw: { ...raw, type: 'modal', blocks: this.normalizeBlocks(raw.blocks) },
    };
    this.modals.set(userId, view);
    this.changed();
    return view;
  }

  /** Closes `userId`'s modal. */
  closeModal(userId: string): void {
    if (this.modals.delete(userId)) this.changed();
  }

  /** Shows `errors` (per block id) on `userId`'s modal. */
  modalErrors(userId: string, errors: Record<string, string>): void {
    const modal = this.modals.get(userId);
    if (!modal) return;
    modal.errors = errors;
    this.changed();
  }

  /** Calls `listener` with the new version after every change; returns the unsubscribe. */
  onChange(listener: (version: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current version (grows with every change). */
  get revision(): number {
    return this.version;
  }

  /** Bumps the version and tells the listeners. */
  changed(): void {
    this.version++;
    for (const listener of this.listeners) listener(this.version);
  }

  /** What `userId` sees. */
  snapshot(userId: string, connected: boolean): WorkspaceSnapshot {
    const me = this.user(userId);
    if (!me) throw new Error(`Unknown user ${userId}.`);
    const replies = (channel: StoredChannel, ts: string) => channel.messages.filter((message) => message.threadTs === ts).length;
    const view = (channel: StoredChannel, message: StoredMessage): MessageView => ({
      ts: message.ts,
      channel: message.channel,
      user: message.user,
      bot: message.bot,
      text: message.text,
      blocks: message.blocks,
      ...(message.threadTs ? { threadTs: message.threadTs } : {}),
      replyCount: message.threadTs ? 0 : replies(channel, message.ts),
      broadcast: message.broadcast,
      edited: message.edited,
      files: message.files,
      ephemeral: !!message.visibleTo,
    });
    const messagesOf = (channel: StoredChannel) =>
      [...channel.messages, ...channel.ephemerals.filter((message) => message.visibleTo === userId)]
        .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
        .map((message) => view(channel, message));
    const channels: ChannelView[] = [...this.channels.values()]
      .filter((channel) => !channel.directWith)
      .map((channel) => ({
        id: channel.id,
        name: channel.name,
        purpose: channel.purpose,
        messages: messagesOf(channel),
      }));
    const direct = this.channels.get(directChannelId(userId));
    const surface = (stored: StoredView | undefined, type: 'home' | 'modal') => {
      if (!stored) return null;
      const raw = stored.raw;
      const surfaceView: SurfaceView = {
        id: stored.id,
        type,
        blocks: raw.blocks as Block[],
      };
      const title = plainText(raw.title);
      const submit = plainText(raw.submit);
      const close = plainText(raw.close);
      if (title !== undefined) surfaceView.title = title;
      if (submit !== undefined) surfaceView.submit = submit;
      if (close !== undefined) surfaceView.close = close;
      if (typeof raw.callback_id === 'string') surfaceView.callbackId = raw.callback_id;
      if (stored.errors) surfaceView.errors = stored.errors;
      return surfaceView;
    };
    return {
      version: this.version,
      team: LOCAL_BOT.team,
      bot: { userId: LOCAL_BOT.userId, name: LOCAL_BOT.name },
      me: userView(me),
      users: LOCAL_USERS.map(userView),
      channels,
      direct: direct ? messagesOf(direct) : [],
      home: surface(this.homes.get(userId), 'home'),
      modal: surface(this.modals.get(userId), 'modal'),
      connected,
    };
  }
}
