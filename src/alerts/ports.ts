/**
 * Ports of the alert pipeline: where alert state, silences and the outbox live (the store), and how messages
 * leave (a notifier). SQLite adapters: `src/store/sqlite/sqlite-alert-store.ts` and `sqlite-outbox-store.ts`;
 * notifiers are the Slack one (`src/slack/notifier.ts`) and the console one (`src/alerts/console-notifier.ts`).
 *
 * Ids of alerts, notifications, outbox rows and silences are opaque strings (Convex ids in Convex) and carry no
 * order: every "oldest first" or "latest" below is by an explicit time, ties broken by creation order (a row's
 * insertion order in SQLite, `_creationTime` in Convex). An id a store never issued is simply not found.
 */
import { ErrorCode, OpsError } from '../errors.ts';
import { decideDelivery, type DeliveryFailure } from './delivery-decision.ts';
import type { AlertState, Decision, MessageRef, NotificationGroup, Silence } from './types.ts';

/**
 * A message as it is sent: fallback text (notifications, screen readers) and Block Kit blocks. An `upload` row's
 * message carries its `file` (the text is the file's initial comment).
 */
export interface OutboundMessage {
  text: string;
  blocks?: unknown[];
  file?: StoredFile;
}

/**
 * A file as an outbox row stores it: the content as base64, so the row stays plain JSON in every store and an
 * upload waiting in the outbox survives a restart like a message (`encodeFileContent` / `decodeFileContent`).
 */
export interface StoredFile {
  filename: string;
  title: string;
  /** Describes the picture for screen readers (Slack's `alt_text`). */
  altText: string;
  contentBase64: string;
}

/** A file as a notifier uploads it. */
export interface OutboundFile {
  filename: string;
  title: string;
  altText: string;
  content: Uint8Array;
}

/**
 * What an outbox row does: a new message, an edit of a notification's message, a reply in its thread, a file
 * shared in a channel (its message's `file`; the text is the comment posted with it), or an edit of a message
 * that is not a notification's (an approval request's), named by its `target`.
 */
export type OutboxKind = 'post' | 'update' | 'reply' | 'upload' | 'edit';

/**
 * An outbox row to write. `update` and `reply` rows need `notificationId`: they target that notification's
 * message. A `post` with a `notificationId` is that notification's message (its ts is stored when delivered);
 * one without (the weekly summary) stands alone.
 */
export interface OutboxDraft {
  kind: OutboxKind;
  channel: string;
  notificationId: string | null;
  message: OutboundMessage;
  /** The message an `edit` row replaces the content of. */
  target?: MessageRef | null;
  /**
   * Rows with the same key replace each other: writing one drops every pending row of the key, so only the
   * latest edit of a message waits and a backlog never replays them all.
   */
  replaceKey?: string | null;
}

/** A stored outbox row. */
export interface OutboxRow extends OutboxDraft {
  id: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
  /** The delivered message (posts and replies). */
  result: MessageRef | null;
}

/** The fields of an alert the pipeline writes (the store assigns `id`). */
export type AlertDraft = Omit<AlertState, 'id'> & { id?: string };

/** The fields of a notification the pipeline writes (the store assigns `id`; `message` is the outbox's). */
export type NotificationDraft = Omit<NotificationGroup, 'id' | 'message'> & { id?: string };

/** One alert's decision: its new state and the decision log line. */
export interface AlertDecisionRecord {
  alert: AlertDraft;
  decision: Decision;
  /** The alert joins the bucket's notification (its `notificationId` is set to it). */
  attach: boolean;
}

/** The decisions of one notification key in a run, with what its message does. */
export interface NotificationRecord {
  /** Created (no id) or updated; null for alerts that reach no channel (info, or never notified). */
  notification: NotificationDraft | null;
  alerts: AlertDecisionRecord[];
  /** Members reminded in the thread though not evaluated in this run: their reminder clock moves to `at`. */
  remindedAlertIds: string[];
  /** Rows whose `notificationId` is null get the notification's id. */
  outbox: OutboxDraft[];
}

/** Everything one pipeline run decided, written in one transaction. */
export interface RunRecord {
  source: string;
  at: number;
  notifications: NotificationRecord[];
}

/** What `recordRun` stored, in the order of the record. */
export interface RecordedRun {
  notifications: { notification: NotificationGroup | null; alerts: AlertState[] }[];
}

/** Silence to create: a silence without its id. */
export type SilenceDraft = Omit<Silence, 'id'>;

/** A logged decision, for status views and audits. */
export interface DecisionLogEntry {
  alertId: string;
  key: string;
  at: number;
  source: string;
  action: string;
  reason: string;
  value: number | null;
}

/**
 * Where the state of alerts is kept: alerts, their notifications, the decision log and silences.
 *
 * `recordRun` also writes the run's outbox rows: a decision and the messages it causes must land in ONE
 * transaction (one SQLite transaction, one Convex mutation), and a mutation cannot call into another port, so
 * the write that spans alerts, notifications and the outbox lives here rather than being split across ports.
 */
export interface AlertStore {
  /** The key's latest alert (latest `firstFiringAt`, ties by creation), firing or resolved, or null. */
  latestAlert(key: string): Promise<AlertState | null>;
  /** The alert with this id, or null (also for an id this store never issued). */
  getAlert(id: string): Promise<AlertState | null>;
  /** Every firing alert, oldest `firstFiringAt` first (ties by creation). */
  firingAlerts(): Promise<AlertState[]>;
  /** Most recent alerts first (latest `firstFiringAt`, ties by creation), at most `limit`. */
  listAlerts(options: { status?: 'firing' | 'resolved'; limit: number }): Promise<AlertState[]>;
  /** The open notification of a key, or null. */
  openNotification(key: string): Promise<NotificationGroup | null>;
  /** The notification with this id, or null. */
  getNotification(id: string): Promise<NotificationGroup | null>;
  /** Every alert a notification has shown (firing and resolved), oldest `firstFiringAt` first (ties by creation). */
  notificationMembers(notificationId: string): Promise<AlertState[]>;
  /**
   * Writes a run's alert states, decision log lines, notifications and outbox rows in one transaction, so a
   * crash never leaves a decision without its messages or the reverse. Throws `NotificationConflictError`
   * (having written nothing) when a notification it opens is already open.
   */
  recordRun(record: RunRecord): Promise<RecordedRun>;
  /** The latest decisions, newest `at` first (ties: the later written first), at most `limit`. */
  recentDecisions(limit: number): Promise<DecisionLogEntry[]>;
  /** Silences in force at `now` (`until > now`), oldest `createdAt` first (ties by creation). */
  activeSilences(now: number): Promise<Silence[]>;
  addSilence(draft: SilenceDraft): Promise<Silence>;
  /** Ends a silence now; false when no active silence has this id. */
  endSilence(id: string, now: number): Promise<boolean>;
  /**
   * Marks a firing alert acknowledged (no more reminders until it resolves) and returns it; a resolved one, or one
   * already acknowledged (the first acknowledgement stands: who and when are kept), is returned unchanged. Throws
   * `NotFoundError` for an unknown id.
   */
  acknowledge(alertId: string, by: string, at: number): Promise<AlertState>;
  /**
   * Takes back the acknowledgement of a firing alert and returns it: reminders resume, the next one a repeat
   * interval after `at` (its reminder clock moves to `at`). A resolved or unacknowledged one is returned unchanged.
   * Throws `NotFoundError` for an unknown id.
   */
  unacknowledge(alertId: string, at: number): Promise<AlertState>;
}

/** Where messages wait until they are delivered; survives restarts. */
export interface OutboxStore {
  enqueue(drafts: OutboxDraft[], at: number): Promise<OutboxRow[]>;
  /** Pending rows whose next attempt is due (`nextAttemptAt <= now`), oldest `createdAt` first (ties by creation). */
  dueOutbox(now: number, limit: number): Promise<OutboxRow[]>;
  /** The earliest next attempt of any pending row, or null when none is pending. */
  nextOutboxAttemptAt(): Promise<number | null>;
  /** Records a delivery; a delivered `post` of a notification also stores the message on the notification. */
  markOutboxSent(id: string, at: number, result: MessageRef | null): Promise<void>;
  markOutboxRetry(id: string, nextAttemptAt: number, error: string): Promise<void>;
  markOutboxFailed(id: string, at: number, error: string): Promise<void>;
  /**
   * Records an edit delivered as a new message because the old one is gone: the row is sent (with `message` as
   * its result) and `message` becomes its notification's message, so later edits and replies go there.
   */
  markOutboxReposted(id: string, at: number, message: MessageRef): Promise<void>;
  /**
   * Claims a due row for sending until `until`: true for exactly one caller (its `nextAttemptAt` is still
   * `expectedNextAttemptAt`), so two processes never send the same row at once. A claim left by a crashed
   * sender simply expires and the row is tried again.
   */
  claimOutbox(id: string, expectedNextAttemptAt: number, until: number): Promise<boolean>;
  /** Moves a row's next attempt without counting an attempt (it waits for its notification's post). */
  deferOutbox(id: string, until: number): Promise<void>;
  /**
   * The message of a notification for edits and replies: delivered (`message`), still waiting (`pendingUntil`
   * = when its post is next tried), or lost (its post failed for good). Judged by its latest post (by
   * `createdAt`, ties by creation).
   */
  notificationMessage(
    notificationId: string,
  ): Promise<{ state: 'delivered'; message: MessageRef } | { state: 'pending'; pendingUntil: number } | { state: 'lost' }>;
  outboxCounts(): Promise<{ pending: number; sent: number; failed: number }>;
  /** Rows oldest `createdAt` first (ties by creation), at most `limit`. */
  listOutbox(options: { status?: OutboxRow['status']; limit: number }): Promise<OutboxRow[]>;
}

/**
 * Another process opened the same notification first (at most one is open per key). The run wrote nothing;
 * running it again from fresh state joins that notification instead.
 */
export class NotificationConflictError extends Error {
  constructor(readonly key: string) {
    super(`notification ${key} was opened by another process at the same time`);
    this.name = 'NotificationConflictError';
  }
}

/**
 * A notifier could not deliver. `failure` says what went wrong; what the outbox does about it (retry, hold for
 * configuration, give up, repost) is `decideDelivery`'s call. A notifier that only knows whether retrying can help
 * passes a boolean (`true`: 429, 5xx, network; `false`: anything retrying cannot fix).
 */
export class DeliveryError extends OpsError {
  readonly failure: DeliveryFailure;

  constructor(
    message: string,
    failure: DeliveryFailure | boolean,
    /** From `Retry-After`, when the server said how long to wait (with a boolean `failure`). */
    retryAfterMs: number | null = null,
  ) {
    super(ErrorCode.SlackDelivery, message);
    this.name = 'DeliveryError';
    this.failure = typeof failure === 'boolean' ? (failure ? { kind: 'transient', retryAfterMs } : { kind: 'rejected' }) : failure;
  }

  /** True for a failure worth retrying as it is (429, 5xx, network, timeout); false for holds and give-ups. */
  get retryable(): boolean {
    return decideDelivery(this.failure, { kind: 'post', channel: '' }).action === 'retry';
  }

  /** From `Retry-After`, when the server said how long to wait. */
  get retryAfterMs(): number | null {
    return decideDelivery(this.failure, { kind: 'post', channel: '' }).retryAfterMs;
  }
}

/**
 * The message an edit targets is gone from Slack (deleted: `message_not_found`, `cant_update_message`; too old to
 * edit: `edit_window_closed`). Retrying cannot help; the outbox posts the current content as a new message instead.
 */
export class MessageGoneError extends DeliveryError {
  constructor(
    message: string,
    /** Slack's error code. */
    readonly slackError: string,
  ) {
    super(message, { kind: 'slack', error: slackError });
    this.name = 'MessageGoneError';
  }
}

/** Sends messages. Implementations throw `DeliveryError`. */
export interface Notifier {
  /** For logs: `slack` or `console`. */
  readonly name: string;
  /** Posts a message, in a thread when `threadTs` is given. */
  post(message: OutboundMessage & { channel: string; threadTs?: string }): Promise<MessageRef>;
  /** Replaces the text and blocks of a posted message. */
  update(message: OutboundMessage & { channel: string; ts: string }): Promise<void>;
  /**
   * Shares a file in a channel (in a thread when `threadTs` is given) with `text` as its comment, the way Slack's
   * `files.uploadV2` does: `files.getUploadURLExternal`, the upload, then `files.completeUploadExternal`.
   * Returns the file's id.
   */
  upload(upload: { channel: string; text: string; threadTs?: string; file: OutboundFile }): Promise<{ fileId: string }>;
  /**
   * The process is stopping: cut every call in flight short and refuse new ones (they fail as `stopped`), so a
   * Slack that never answers cannot hold a shutdown. Optional: notifiers without network calls need none.
   */
  stop?(): void;
}

/** Writes the bot's own events (`monitoring_*`, `events_archived`) into the ontology's events table. */
export interface EventLog {
  log(type: string, metadata: Record<string, string | number | boolean | null>, at: number): Promise<void>;
  /** The id of the group that owns the bot's events (created on first use), for events written by other ports. */
  ownerGroupId(at: number): Promise<string>;
}
