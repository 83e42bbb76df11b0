/**
 * Coded errors. Every error a user can cause carries a code and a message that says what is wrong and what
 * to do next; the CLI prints it on one line, Slack shows it without a stack trace.
 */

/** Stable codes for errors a user or operator can act on. */
export enum ErrorCode {
  InvalidArgument = 'invalid_argument',
  NotFound = 'not_found',
  InvalidSnapshot = 'invalid_snapshot',
  StoreUnavailable = 'store_unavailable',
  StoreFull = 'store_full',
  StoreCorrupt = 'store_corrupt',
  StoreReadOnly = 'store_read_only',
  StoreBusy = 'store_busy',
  LockHeld = 'lock_held',
  PreflightFailed = 'preflight_failed',
  BackupInvalid = 'backup_invalid',
  MigrationFailed = 'migration_failed',
  Conflict = 'conflict',
  SlackDelivery = 'slack_delivery',
  /** Messages wait in the outbox because Slack did not take them in time: a temporary failure (exit code 75). */
  DeliveryPending = 'delivery_pending',
  Forbidden = 'forbidden',
  Interrupted = 'interrupted',
}

/** A place the user can go next (the open request's message): Slack shows it as a link after the message. */
export interface ErrorLink {
  readonly url: string;
  readonly label: string;
}

/** An error with a code and a user-facing message. */
export class OpsError extends Error {
  /** Where to look next, shown as a link where links work (Slack); the message itself stays plain text. */
  readonly link: ErrorLink | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; link?: ErrorLink },
  ) {
    super(message, options);
    this.name = 'OpsError';
    this.link = options?.link;
  }
}

/** A bad command-line or Slack argument: names the argument and says what it takes. */
export class InvalidArgumentError extends OpsError {
  constructor(message: string) {
    super(ErrorCode.InvalidArgument, message);
    this.name = 'InvalidArgumentError';
  }
}

/** An unknown entity, group, run or file. */
export class NotFoundError extends OpsError {
  constructor(message: string) {
    super(ErrorCode.NotFound, message);
    this.name = 'NotFoundError';
  }
}

/** A snapshot that cannot be imported; the message starts with `file:line:` when a line is at fault. */
export class InvalidSnapshotError extends OpsError {
  constructor(message: string) {
    super(ErrorCode.InvalidSnapshot, message);
    this.name = 'InvalidSnapshotError';
  }
}

/**
 * The coded error for a failure of the store's database engine (SQLite result codes such as `SQLITE_FULL`, as
 * better-sqlite3 reports them in `code`), with what to do next; undefined for any other error.
 */
export function storeEngineError(error: unknown): OpsError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const kind = code.replace(/^SQLITE_/, '').split('_')[0];
  const options = { cause: error };
  switch (kind) {
    case 'FULL':
      return new OpsError(
        ErrorCode.StoreFull,
        'The disk holding the store is full (SQLite: database or disk is full); the last change was rolled back: free some space (or pass --db on another disk) and run the command again.',
        options,
      );
    case 'CORRUPT':
    case 'NOTADB':
      return new OpsError(
        ErrorCode.StoreCorrupt,
        'The store file is damaged (SQLite: database disk image is malformed): restore it with `ontology-ops rollback --backup-file <backup.zip>` or `ontology-ops import <snapshot> --replace` into a new --db file, and keep the damaged file for investigation.',
        options,
      );
    case 'READONLY':
      return new OpsError(
        ErrorCode.StoreReadOnly,
        'The store is read-only (its file or folder cannot be written): this command changes the store, so make the file and its folder writable, or run it on a writable copy with --db.',
        options,
      );
    case 'BUSY':
    case 'LOCKED':
      return new OpsError(
        ErrorCode.StoreBusy,
        'The store is busy: another process has held its write lock for more than 5 seconds; wait for it to finish (a migration or an import) and run the command again.',
        options,
      );
    default:
      return undefined;
  }
}

/** The one-line text to show a user for any thrown value (no stack trace). */
export function userMessage(error: unknown): string {
  if (error instanceof OpsError) return error.message;
  const engine = storeEngineError(error);
  if (engine) return engine.message;
  if (error instanceof Error) return `Unexpected error: ${error.message}`;
  return `Unexpected error: ${String(error)}`;
}
