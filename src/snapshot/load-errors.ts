/** What a failed bulk load (import, seed) tells the user: one line saying what happened and what to do. */
import { ErrorCode, OpsError } from '../errors.ts';
import { BulkLoadLeaseHeldError } from '../store/bulk-load.ts';
import type { Lease } from '../store/port.ts';

/** The load was stopped (Ctrl-C, SIGTERM) before it committed; nothing was written. */
export class LoadInterruptedError extends OpsError {
  constructor(what: string, reason: unknown) {
    const by = typeof reason === 'string' ? ` by ${reason}` : '';
    super(ErrorCode.Interrupted, `The ${what} was interrupted${by} before it completed: nothing was written; rerun it to load the data.`);
    this.name = 'LoadInterruptedError';
  }
}

/** Throws `LoadInterruptedError` when `signal` has been aborted (its reason, e.g. `SIGINT`, is named). */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new LoadInterruptedError(what, signal.reason);
}

/** The message for a data-set lease another holder has. */
export function leaseHeldMessage(location: string, lease: Lease): string {
  return (
    `The store at ${location} is locked by ${lease.holder} since ${new Date(lease.acquiredAt).toISOString()} ` +
    `(lease ${lease.name}, expires ${new Date(lease.expiresAt).toISOString()} unless renewed): a migration, undo, restore, ` +
    'import or seed is running; nothing was written. Wait for it to finish, then rerun.'
  );
}

/** A lease refusal of the bulk-load port as a one-line `LockHeld` error; anything else unchanged. */
export function loadError(error: unknown, location: string): unknown {
  if (error instanceof BulkLoadLeaseHeldError) return new OpsError(ErrorCode.LockHeld, leaseHeldMessage(location, error.lease), { cause: error });
  return error;
}
