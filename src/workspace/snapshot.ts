/**
 * What the workspace page receives: one user's view of the local workspace (channels with their messages and that
 * user's ephemerals, their App Home, their open modal). Types only, shared by the server and the browser page, so
 * nothing here may import Node.
 */

/** A Block Kit block as the bot sent it (rendered by the page, never interpreted by the server). */
export type Block = Record<string, unknown> & {
  type: string;
  block_id?: string;
};

/** A file shared into a channel (e.g. the weekly chart). */
export interface SharedFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  size: number;
  /** Where the page loads it (`/files/<id>`). */
  url: string;
}

/** One message as a user sees it. */
export interface MessageView {
  /** Slack's message timestamp, unique within the channel. */
  ts: string;
  channel: string;
  /** Who posted it (the bot's user id for the bot). */
  user: string;
  /** True for the bot's messages. */
  bot: boolean;
  text: string;
  blocks: Block[];
  /** The parent's ts for a thread reply (absent for a top-level message). */
  threadTs?: string;
  /** Replies in its thread (top-level messages). */
  replyCount: number;
  /** A reply also shown in the channel (`reply_broadcast`). */
  broadcast: boolean;
  edited: boolean;
  files: SharedFile[];
  /** Visible to this user only. */
  ephemeral: boolean;
}

/** A channel and what the user sees in it, oldest first. */
export interface ChannelView {
  id: string;
  name: string;
  purpose: string;
  messages: MessageView[];
}

/** A person of the workspace. */
export interface UserView {
  id: string;
  name: string;
  realName: string;
  title: string;
}

/** A view the bot published or opened (`views.publish`, `views.open`). */
export interface SurfaceView {
  id: string;
  type: 'home' | 'modal';
  blocks: Block[];
  title?: string;
  submit?: string;
  close?: string;
  callbackId?: string;
  /** Errors per block id the bot answered a submission with (`response_action: errors`). */
  errors?: Record<string, string>;
}

/** Everything the page shows one user. */
export interface WorkspaceSnapshot {
  /** Grows with every change (the live stream sends it). */
  version: number;
  team: string;
  bot: { userId: string; name: string };
  me: UserView;
  users: UserView[];
  channels: ChannelView[];
  /** The user's direct messages with the bot (the App Home's Messages tab). */
  direct: MessageView[];
  home: SurfaceView | null;
  modal: SurfaceView | null;
  /** Whether the bot's request URL is known (commands and clicks can be delivered). */
  connected: boolean;
}

/** The answer of the page's command / action / submission endpoints. */
export interface DeliveryOutcome {
  ok: boolean;
  /** The HTTP status the bot answered with (absent when it could not be reached). */
  status?: number;
  /** Slack's error word when the delivery failed (`operation_timeout`, `dispatch_failed`, …). */
  error?: string;
}
