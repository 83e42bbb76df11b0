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
  LockHeld = 'lock_held',
  PreflightFailed = 'preflight_failed',
  BackupInvalid = 'backup_invalid',
  MigrationFailed = 'migration_failed',
  Conflict = 'conflict',
  SlackDelivery = 'slack_delivery',
  Forbidden = 'forbidden',
  Interrupted = 'interrupted',
}

/** An error with a code and a user-facing message. */
export class OpsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OpsError';
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

/** The one-line text to show a user for any thrown value (no stack trace). */
export function userMessage(error: unknown): string {
  if (error instanceof OpsError) return error.message;
  if (error instanceof Error) return `Unexpected error: ${error.message}`;
  return `Unexpected error: ${String(error)}`;
}
