/**
 * The `OutboxStore` port over a Convex deployment (`convex/outbox.ts`): each write is one mutation on one row,
 * `claimOutbox` a compare-and-set mutation, and listings and counts page through bounded queries.
 */
import type { OutboxDraft, OutboxRow, OutboxStore } from '../../alerts/ports.ts';
import type { MessageRef } from '../../alerts/types.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { outboxDraftWire } from './alert-store.ts';
import type { ConvexCaller } from './client.ts';
import { checkedLimit, readPages } from './pages.ts';

/** Drafts per `outbox:enqueue` call at most (the server's `MAX_ENQUEUE`). */
const MAX_ENQUEUE = 1_000;

/** The outbox of a Convex deployment (constructed by the composition root). */
export class ConvexOutboxStore implements OutboxStore {
  constructor(private readonly caller: ConvexCaller) {}

  /** One mutation: the rows are queued together or not at all (at most 1,000 at once). */
  enqueue(drafts: OutboxDraft[], at: number): Promise<OutboxRow[]> {
    if (drafts.length > MAX_ENQUEUE) throw new InvalidArgumentError(`Enqueue at most ${MAX_ENQUEUE} outbox rows at once, got ${drafts.length}.`);
    return this.caller.mutation<OutboxRow[]>('outbox:enqueue', { drafts: drafts.map(outboxDraftWire), at });
  }

  dueOutbox(now: number, limit: number): Promise<OutboxRow[]> {
    return readPages<OutboxRow>(this.caller, 'outbox:duePage', { now }, 'rows', checkedLimit(limit));
  }

  nextOutboxAttemptAt(): Promise<number | null> {
    return this.caller.query<number | null>('outbox:nextAttemptAt', {});
  }

  async markOutboxSent(id: string, at: number, result: MessageRef | null): Promise<void> {
    await this.caller.mutation('outbox:markSent', { id, at, result: result === null ? null : { channel: result.channel, ts: result.ts } });
  }

  async markOutboxRetry(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.caller.mutation('outbox:markRetry', { id, nextAttemptAt, error });
  }

  async markOutboxFailed(id: string, at: number, error: string): Promise<void> {
    await this.caller.mutation('outbox:markFailed', { id, at, error });
  }

  async markOutboxReposted(id: string, at: number, message: MessageRef): Promise<void> {
    await this.caller.mutation('outbox:markReposted', { id, at, message: { channel: message.channel, ts: message.ts } });
  }

  claimOutbox(id: string, expectedNextAttemptAt: number, until: number): Promise<boolean> {
    return this.caller.mutation<boolean>('outbox:claim', { id, expectedNextAttemptAt, until });
  }

  async deferOutbox(id: string, until: number): Promise<void> {
    await this.caller.mutation('outbox:defer', { id, until });
  }

  notificationMessage(
    notificationId: string,
  ): Promise<{ state: 'delivered'; message: MessageRef } | { state: 'pending'; pendingUntil: number } | { state: 'lost' }> {
    return this.caller.query('outbox:notificationMessage', { notificationId });
  }

  /** Counts page by page (8,000 rows a call), the three statuses concurrently. */
  async outboxCounts(): Promise<{ pending: number; sent: number; failed: number }> {
    const count = async (status: OutboxRow['status']): Promise<number> => {
      let total = 0;
      let cursor: string | null = null;
      do {
        const page: { count: number; continueCursor: string | null } = await this.caller.query('outbox:countPage', { status, cursor });
        total += page.count;
        cursor = page.continueCursor;
      } while (cursor !== null);
      return total;
    };
    const [pending, sent, failed] = await Promise.all([count('pending'), count('sent'), count('failed')]);
    return { pending, sent, failed };
  }

  listOutbox(options: { status?: OutboxRow['status']; limit: number }): Promise<OutboxRow[]> {
    return readPages<OutboxRow>(this.caller, 'outbox:listPage', { status: options.status ?? null }, 'rows', checkedLimit(options.limit));
  }
}
