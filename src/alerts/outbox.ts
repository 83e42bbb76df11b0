/**
 * The deliver stage: sends what the outbox holds, oldest first. 429 and 5xx (and network errors) are retried
 * with exponential backoff, honouring `Retry-After`; other errors are recorded and the row is given up. Rows
 * stay in the store until delivered, so a restart loses nothing. Edits and thread replies wait for their
 * notification's post, whose `ts` they need.
 */
import { DeliveryError, MessageGoneError, type Notifier, type OutboxRow, type OutboxStore } from './ports.ts';

/** Waits `ms`; injected so tests never sleep for real. */
export type Sleep = (ms: number) => Promise<void>;

/** Real sleeping, for production. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Dependencies of a delivery round. */
export interface DeliverDeps {
  outbox: OutboxStore;
  notifier: Notifier;
  now: () => number;
  sleep: Sleep;
  /** Waits up to this long inside one round for a retry that is due soon; longer waits are left to the next round. */
  maxInlineWaitMs?: number;
  /** True once the process is stopping: the round sends nothing more and waits for nothing (rows stay queued). */
  isStopping?: () => boolean;
  log?: (line: string) => void;
}

/** What one round did. */
export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  /** Rows still pending when the round ended. */
  pending: number;
}

const BASE_BACKOFF_MS = 1_000;
/** How long a claimed row is reserved for its sender (far longer than one Slack call). */
const CLAIM_MS = 2 * 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const PAGE = 50;

/** Backoff before attempt `attempts + 1`: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

/** Delivers every due row; returns counts. Never throws for a delivery failure (it is recorded on the row). */
export async function deliverOutbox(deps: DeliverDeps): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, pending: 0 };
  const maxInlineWaitMs = deps.maxInlineWaitMs ?? 60_000;
  const log = deps.log ?? (() => {});
  // Bounds the time one round may spend waiting, so a channel that stays rate-limited cannot hold a job forever.
  let waitBudget = maxInlineWaitMs;
  /** After a 429, 5xx or network error nothing is sent before the failed row's retry: Slack is not hammered row by row. */
  let pausedUntil: number | null = null;
  const stopping = () => deps.isStopping?.() ?? false;
  /** Waits until `until` when the budget allows; false when the round should end instead. */
  const waitUntil = async (until: number): Promise<boolean> => {
    const wait = Math.max(0, until - deps.now());
    if (wait > waitBudget || stopping()) return false;
    waitBudget -= wait;
    await deps.sleep(wait);
    return !stopping();
  };
  while (!stopping()) {
    if (pausedUntil !== null) {
      if (!(await waitUntil(pausedUntil))) break;
      pausedUntil = null;
    }
    const rows = await deps.outbox.dueOutbox(deps.now(), PAGE);
    if (rows.length === 0) {
      const next = await deps.outbox.nextOutboxAttemptAt();
      if (next === null || !(await waitUntil(next))) break;
      continue;
    }
    for (const row of rows) {
      const { outcome, retryAt } = await deliverRow(row, deps, log);
      report[outcome]++;
      if (retryAt !== undefined) {
        pausedUntil = retryAt;
        break;
      }
      if (stopping()) break;
    }
    if (pausedUntil === null && rows.length < PAGE) {
      const next = await deps.outbox.nextOutboxAttemptAt();
      if (next === null || next - deps.now() > waitBudget) break;
    }
  }
  report.pending = (await deps.outbox.outboxCounts()).pending;
  return report;
}

type RowOutcome = 'sent' | 'retried' | 'failed';

/** How a row went; `retryAt` when it is to be retried (a retryable failure). */
interface RowResult {
  outcome: RowOutcome | 'pending';
  retryAt?: number;
}

async function deliverRow(row: OutboxRow, deps: DeliverDeps, log: (line: string) => void): Promise<RowResult> {
  const { outbox, notifier } = deps;
  let thread: { channel: string; ts: string } | undefined;
  let target: { channel: string; ts: string } | undefined;
  if (row.kind !== 'post') {
    if (row.notificationId === null) {
      await outbox.markOutboxFailed(row.id, deps.now(), `${row.kind} row has no notification to target`);
      return { outcome: 'failed' };
    }
    const original = await outbox.notificationMessage(row.notificationId);
    if (original.state === 'lost') {
      await outbox.markOutboxFailed(row.id, deps.now(), `the message of notification ${row.notificationId} was never delivered`);
      return { outcome: 'failed' };
    }
    if (original.state === 'pending') {
      await outbox.deferOutbox(row.id, Math.max(original.pendingUntil, deps.now()));
      return { outcome: 'pending' };
    }
    if (row.kind === 'reply') thread = original.message;
    else target = original.message;
  }
  // Another process (the CLI, or a replica during a leader hand-over) may be delivering the same outbox.
  if (!(await outbox.claimOutbox(row.id, row.nextAttemptAt, deps.now() + CLAIM_MS))) return { outcome: 'pending' };
  try {
    if (target) {
      try {
        await notifier.update({ channel: target.channel, ts: target.ts, text: row.message.text, blocks: row.message.blocks });
        await outbox.markOutboxSent(row.id, deps.now(), target);
      } catch (error) {
        if (!(error instanceof MessageGoneError)) throw error;
        // Someone deleted the message (or it is too old to edit): every later edit would fail the same way, so
        // the notification moves to a new message carrying what the edit shows now.
        log(`outbox: the message of notification ${row.notificationId} is gone (${error.slackError}); posting it again in ${target.channel}`);
        const fresh = await notifier.post({ channel: target.channel, text: row.message.text, blocks: row.message.blocks });
        await outbox.markOutboxReposted(row.id, deps.now(), fresh);
      }
    } else {
      // A reply goes where its original went, even if the channel setting changed since.
      const result = await notifier.post({
        channel: thread?.channel ?? row.channel,
        text: row.message.text,
        blocks: row.message.blocks,
        ...(thread ? { threadTs: thread.ts } : {}),
      });
      await outbox.markOutboxSent(row.id, deps.now(), result);
    }
    return { outcome: 'sent' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const retryable = error instanceof DeliveryError ? error.retryable : true;
    if (!retryable) {
      log(`outbox: row ${row.id} (${row.kind} to ${row.channel}) failed for good: ${message}`);
      await outbox.markOutboxFailed(row.id, deps.now(), message);
      return { outcome: 'failed' };
    }
    const retryAfter = error instanceof DeliveryError ? error.retryAfterMs : null;
    const wait = retryAfter ?? backoffMs(row.attempts + 1);
    log(`outbox: row ${row.id} (${row.kind} to ${row.channel}) will be retried in ${wait} ms: ${message}`);
    const retryAt = deps.now() + wait;
    await outbox.markOutboxRetry(row.id, retryAt, message);
    return { outcome: 'retried', retryAt };
  }
}
