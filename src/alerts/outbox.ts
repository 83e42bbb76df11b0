/**
 * The deliver stage: sends what the outbox holds, oldest first. What a failed call leads to is `decideDelivery`'s
 * call: 429, 5xx, network errors and timeouts are retried with exponential backoff, honouring `Retry-After`; a
 * configuration problem (token, channel, scope) holds the row pending — and every later row of its channel, or of
 * every channel for a token problem — until Slack accepts it, then they go out in order; other errors give the
 * row up (recorded). Rows stay in the store until delivered, so a restart loses nothing. Edits and thread replies
 * wait for their notification's post, whose `ts` they need. A round's wall time is bounded (`maxInlineWaitMs`
 * plus one call's timeout), and a stop ends it at once.
 */
import { decideDelivery, HELD_PREFIX, type DeliveryDecision, type DeliveryFailure } from './delivery-decision.ts';
import { DeliveryError, type Notifier, type OutboxRow, type OutboxStore } from './ports.ts';
import { loadFile } from './stored-file.ts';

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
  /**
   * How long the round may go on waiting for retries that are due soon (counted from its start, Slack calls
   * included); longer waits are left to the next round.
   */
  maxInlineWaitMs?: number;
  /** True once the process is stopping: the round sends nothing more and waits for nothing (rows stay queued). */
  isStopping?: () => boolean;
  log?: (line: string) => void;
}

/** A configuration problem that holds messages back: what Slack said and what to fix. */
export interface DeliveryHold {
  /** Slack's error code (`channel_not_found`, `invalid_auth`, …). */
  slackError: string;
  /** The channel it concerns, or null when it blocks every channel (the token, a missing scope). */
  channel: string | null;
  fix: string;
}

/** What one round did. */
export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  /** Rows found held for a configuration problem in this round (still pending). */
  held: number;
  /** Rows still pending when the round ended. */
  pending: number;
  /** The configuration problems met, one per Slack error and channel. */
  holds: DeliveryHold[];
}

const BASE_BACKOFF_MS = 1_000;
/** How long a claimed row is reserved for its sender (far longer than one Slack call, whose timeout is ≤ 1 min). */
const CLAIM_MS = 2 * 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const PAGE = 50;

/** Backoff before attempt `attempts + 1`: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

/** The hold a row's `lastError` records, or null when the row is not held (see `heldDeliveries`). */
export function holdOf(row: Pick<OutboxRow, 'status' | 'lastError'>): string | null {
  return row.status === 'pending' && row.lastError?.startsWith(HELD_PREFIX) ? row.lastError.slice(HELD_PREFIX.length) : null;
}

/**
 * Pending rows held for a configuration problem, with what Slack said and what to fix (the first `limit` pending
 * rows are looked at: held rows are the oldest of their channel, since everything after them waits).
 */
export async function heldDeliveries(outbox: Pick<OutboxStore, 'listOutbox'>, limit = 200): Promise<OutboxRow[]> {
  const pending = await outbox.listOutbox({ status: 'pending', limit });
  return pending.filter((row) => holdOf(row) !== null);
}

/** Delivers every due row; returns counts. Never throws for a delivery failure (it is recorded on the row). */
export async function deliverOutbox(deps: DeliverDeps): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, held: 0, pending: 0, holds: [] };
  const log = deps.log ?? (() => {});
  // Bounds the time one round may spend, so a channel that stays rate-limited cannot hold a job forever.
  const deadline = deps.now() + (deps.maxInlineWaitMs ?? 60_000);
  /** After a 429, 5xx or network error nothing is sent before the failed row's retry: Slack is not hammered row by row. */
  let pausedUntil: number | null = null;
  /** After a timeout the round sends nothing more: each further call would cost the whole timeout again. */
  let gaveUpOnSlack = false;
  const round: RoundState = { heldChannels: new Set(), heldEverywhere: false, passed: new Set() };
  const stopping = () => deps.isStopping?.() ?? false;
  /** Waits until `until` when the deadline allows; false when the round should end instead. */
  const waitUntil = async (until: number): Promise<boolean> => {
    if (until > deadline || stopping()) return false;
    await deps.sleep(Math.max(0, until - deps.now()));
    return !stopping();
  };
  while (!stopping() && !gaveUpOnSlack && !round.heldEverywhere) {
    if (pausedUntil !== null) {
      if (!(await waitUntil(pausedUntil))) break;
      pausedUntil = null;
    }
    // Held rows stay due (so they go out first, in order, once fixed); the ones passed over in this round are skipped.
    const fetched = await deps.outbox.dueOutbox(deps.now(), PAGE + round.passed.size);
    const rows = fetched.filter((row) => !round.passed.has(row.id));
    if (rows.length === 0) {
      // Only rows passed over are due: a held row masks when the next retry is due, so the next round sees to it.
      if (round.passed.size > 0) break;
      const next = await deps.outbox.nextOutboxAttemptAt();
      if (next === null || !(await waitUntil(next))) break;
      continue;
    }
    for (const row of rows) {
      const result = await deliverRow(row, deps, log, round);
      if (result.outcome === 'pending') {
        if (result.passOver) round.passed.add(row.id);
      } else if (result.outcome === 'held') {
        round.passed.add(row.id);
        report.held++;
        if (result.hold && !report.holds.some((hold) => hold.slackError === result.hold!.slackError && hold.channel === result.hold!.channel)) {
          report.holds.push(result.hold);
        }
      } else report[result.outcome]++;
      if (result.retryAt !== undefined) {
        if (!result.retryInRound) gaveUpOnSlack = true;
        else pausedUntil = result.retryAt;
        break;
      }
      if (stopping() || round.heldEverywhere) break;
    }
    if (pausedUntil === null && rows.length < PAGE) {
      const next = await deps.outbox.nextOutboxAttemptAt();
      if (next === null || next > deadline) break;
    }
  }
  report.pending = (await deps.outbox.outboxCounts()).pending;
  return report;
}

/** What one round has learnt: channels (or all of them) held for configuration, rows passed over. */
interface RoundState {
  heldChannels: Set<string>;
  heldEverywhere: boolean;
  /** Rows left pending in this round (held, or waiting for a post that is held); not tried again in it. */
  passed: Set<OutboxRow['id']>;
}

type RowOutcome = 'sent' | 'retried' | 'failed';

/** How a row went; `retryAt` when it is to be retried (a retryable failure). */
interface RowResult {
  outcome: RowOutcome | 'pending' | 'held';
  /** Pending and still due: not to be tried again in this round. */
  passOver?: boolean;
  retryAt?: number;
  retryInRound?: boolean;
  hold?: DeliveryHold;
}

/** The failure a thrown value describes (anything that is not a `DeliveryError` is retried, as before). */
function failureOf(error: unknown): DeliveryFailure {
  return error instanceof DeliveryError ? error.failure : { kind: 'transient', retryAfterMs: null };
}

async function deliverRow(row: OutboxRow, deps: DeliverDeps, log: (line: string) => void, round: RoundState): Promise<RowResult> {
  const { outbox, notifier } = deps;
  let thread: { channel: string; ts: string } | undefined;
  let target: { channel: string; ts: string } | undefined;
  if (row.kind === 'upload' && !row.message.file) {
    await outbox.markOutboxFailed(row.id, deps.now(), 'upload row has no file');
    return { outcome: 'failed' };
  }
  if (row.kind === 'edit') {
    if (!row.target) {
      await outbox.markOutboxFailed(row.id, deps.now(), 'edit row has no target message');
      return { outcome: 'failed' };
    }
    target = row.target;
  }
  if (row.kind === 'update' || row.kind === 'reply') {
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
      const until = Math.max(original.pendingUntil, deps.now());
      // A post that is not held is retried at `pendingUntil`; a held one stays due, and so does this row.
      if (until !== row.nextAttemptAt) await outbox.deferOutbox(row.id, until);
      return { outcome: 'pending', passOver: until <= deps.now() };
    }
    if (row.kind === 'reply') thread = original.message;
    else target = original.message;
  }
  const channel = target?.channel ?? thread?.channel ?? row.channel;
  // Everything after a held row of its channel waits behind it, so the channel's messages keep their order.
  if (round.heldChannels.has(channel)) return { outcome: 'held' };
  // Another process (the CLI, or a replica during a leader hand-over) may be delivering the same outbox.
  if (!(await outbox.claimOutbox(row.id, row.nextAttemptAt, deps.now() + CLAIM_MS))) return { outcome: 'pending', passOver: true };
  try {
    if (target) {
      try {
        await notifier.update({ channel: target.channel, ts: target.ts, text: row.message.text, blocks: row.message.blocks });
        await outbox.markOutboxSent(row.id, deps.now(), target);
      } catch (error) {
        if (decideDelivery(failureOf(error), { kind: row.kind, channel }).action !== 'repost') throw error;
        // Someone deleted the message (or it is too old to edit): every later edit would fail the same way, so
        // the notification moves to a new message carrying what the edit shows now.
        const slackError = (failureOf(error) as { error?: string }).error ?? 'message_not_found';
        log(`outbox: the message of notification ${row.notificationId} is gone (${slackError}); posting it again in ${target.channel}`);
        const fresh = await notifier.post({ channel: target.channel, text: row.message.text, blocks: row.message.blocks });
        await outbox.markOutboxReposted(row.id, deps.now(), fresh);
      }
    } else if (row.kind === 'upload') {
      await notifier.upload({ channel, text: row.message.text, file: loadFile(row.message.file!) });
      // Slack shares the file asynchronously and returns no message ts: nothing later edits or threads on it.
      await outbox.markOutboxSent(row.id, deps.now(), null);
    } else {
      // A reply goes where its original went, even if the channel setting changed since.
      const result = await notifier.post({
        channel,
        text: row.message.text,
        blocks: row.message.blocks,
        ...(thread ? { threadTs: thread.ts } : {}),
      });
      await outbox.markOutboxSent(row.id, deps.now(), result);
    }
    return { outcome: 'sent' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failure = failureOf(error);
    const decision = decideDelivery(failure, { kind: row.kind, channel });
    return settleFailure(row, channel, message, failure, decision, deps, log, round);
  }
}

/** Records a failed attempt as its decision says. */
async function settleFailure(
  row: OutboxRow,
  channel: string,
  message: string,
  failure: DeliveryFailure,
  decision: DeliveryDecision,
  deps: DeliverDeps,
  log: (line: string) => void,
  round: RoundState,
): Promise<RowResult> {
  const { outbox } = deps;
  const where = `row ${row.id} (${row.kind} to ${channel})`;
  if (decision.action === 'hold') {
    const slackError = failure.kind === 'slack' ? failure.error : decision.reason;
    const hold: DeliveryHold = { slackError, channel: decision.holdScope === 'channel' ? channel : null, fix: decision.fix ?? 'fix the Slack configuration' };
    const text = `${HELD_PREFIX}${message}; to fix: ${hold.fix}`;
    // Loud once per row and problem; every later probe of the same problem stays quiet.
    if (row.lastError !== text) {
      log(`outbox: Slack refuses ${where} (${slackError}): ${hold.fix}. It and what follows ${hold.channel ? `in ${channel}` : 'everywhere'} wait in the outbox and go out, in order, once fixed (\`ontology-ops monitor flush\`).`);
    }
    // Due at once again: the next round (or a flush after the fix) tries it first, so nothing overtakes it.
    await outbox.markOutboxRetry(row.id, deps.now(), text);
    if (hold.channel === null) round.heldEverywhere = true;
    else round.heldChannels.add(channel);
    return { outcome: 'held', hold };
  }
  if (decision.action !== 'retry') {
    log(`outbox: ${where} failed for good (${decision.reason}): ${message}${decision.fix ? `; to fix: ${decision.fix}` : ''}`);
    await outbox.markOutboxFailed(row.id, deps.now(), message);
    return { outcome: 'failed' };
  }
  const wait = decision.retryAfterMs ?? backoffMs(row.attempts + 1);
  log(`outbox: ${where} will be retried in ${wait} ms (${decision.reason}): ${message}`);
  const retryAt = deps.now() + wait;
  await outbox.markOutboxRetry(row.id, retryAt, message);
  return { outcome: 'retried', retryAt, retryInRound: decision.retryInRound };
}
