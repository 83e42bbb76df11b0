/**
 * The migration lock: one lease that every migration, undo and restore takes, and the errors a caller sees
 * when another process has it or took it over.
 */
import { ErrorCode, OpsError } from '../errors.ts';
import { DATA_SET_LEASE, type Lease } from '../store/port.ts';

/** Name of the lease every migration, undo and restore takes: the store-level data-set lease imports and seeds respect too. */
export const MIGRATION_LEASE = DATA_SET_LEASE;

/** A lock another process holds. */
export class LockHeldError extends OpsError {
  constructor(readonly lease: Lease) {
    super(
      ErrorCode.LockHeld,
      `Another migration holds the lock: holder ${lease.holder} since ${new Date(lease.acquiredAt).toISOString()} ` +
        `(expires ${new Date(lease.expiresAt).toISOString()} unless renewed); wait for it, or rerun after that if the holder died.`,
    );
    this.name = 'LockHeldError';
  }
}

/** Thrown by a fenced step when this process no longer holds the migration lease: the step wrote nothing. */
export class LeaseLostError extends OpsError {
  constructor(name: string, holder: string) {
    super(ErrorCode.LockHeld, `Lost the ${name} lease (holder ${holder}): another process took it over; this process stopped without writing.`);
    this.name = 'LeaseLostError';
  }
}
