/**
 * The contract of `EventArchiveStore` (monitors/ports.ts), for every adapter: one bounded batch per call,
 * oldest events first, and each batch counted in the run's `events_archived` event by the same write.
 * Events are seeded and read back through `DocumentStore`.
 */
import { describe, expect, it } from 'vitest';
import type { ArchivalRecord, EventArchiveStore } from '../../monitors/ports.ts';
import type { ConvexDocument } from '../../src/ontology/values.ts';
import type { DocumentStore } from '../../src/store/port.ts';

/** The port, the document store it shares (to seed events and read them back), and a close. */
export interface EventArchiveHandles {
  port: EventArchiveStore;
  documents: DocumentStore;
  close: () => Promise<void>;
}

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-27T03:00:00Z');
const CUTOFF = NOW - 365 * DAY;

async function allEvents(documents: DocumentStore): Promise<ConvexDocument[]> {
  const events: ConvexDocument[] = [];
  let cursor: string | null = null;
  do {
    const page = await documents.page('events', cursor, 100);
    events.push(...page.documents);
    cursor = page.continueCursor;
  } while (cursor !== null);
  return events;
}

/** Declares the suite for one adapter. */
export function eventArchiveContract(name: string, open: () => Promise<EventArchiveHandles>): void {
  const withPort = async <R>(body: (handles: EventArchiveHandles) => Promise<R>): Promise<R> => {
    const handles = await open();
    try {
      return await body(handles);
    } finally {
      await handles.close();
    }
  };

  /** A group for the bot's events, `old` events older than the cutoff (ids returned oldest first), `recent` younger ones. */
  async function seed(documents: DocumentStore, old: number, recent: number): Promise<{ groupId: string; oldIds: string[] }> {
    const group = await documents.insert('groups', {
      slug: 'ontology-ops',
      name: 'ontology-ops monitoring',
      type: 'organization',
      metadata: {},
      settings: {},
      status: 'active',
      createdAt: NOW,
      updatedAt: NOW,
    });
    const newestFirst: string[] = [];
    // Inserted newest first, so "oldest first" cannot come from insertion order.
    for (let index = 1; index <= old; index++) {
      const event = await documents.insert('events', { groupId: group._id, type: 'entity_created', timestamp: CUTOFF - index * DAY, metadata: {}, archived: false });
      newestFirst.push(event._id);
    }
    for (let index = 0; index < recent; index++) {
      await documents.insert('events', { groupId: group._id, type: 'entity_created', timestamp: CUTOFF + (index + 1) * DAY, metadata: {}, archived: false });
    }
    await documents.insert('events', { groupId: group._id, type: 'entity_created', timestamp: CUTOFF - 999 * DAY, metadata: {}, archived: true });
    return { groupId: group._id, oldIds: newestFirst.reverse() };
  }

  describe(`EventArchiveStore contract: ${name}`, () => {
    it('archives oldest first, a batch at a time, each batch counted in the one events_archived event of the run', () =>
      withPort(async ({ port, documents }) => {
        const { groupId, oldIds } = await seed(documents, 5, 3);
        const record: ArchivalRecord = { groupId, at: NOW, eventId: null, metadata: { cutoff: CUTOFF, source: 'archival' } };
        const archivedIds = async () =>
          (await allEvents(documents)).filter((event) => event.archived === true && event.type === 'entity_created').map((event) => event._id);
        const before = await archivedIds();

        const first = await port.archiveEventsBefore(CUTOFF, 2, record);
        expect(first.archived).toBe(2);
        expect(first.eventId).not.toBeNull();
        // Oldest first: the two oldest of the five.
        expect((await archivedIds()).filter((id) => !before.includes(id)).sort()).toEqual(oldIds.slice(0, 2).sort());
        const event = await documents.get('events', first.eventId!);
        expect(event).toMatchObject({ groupId, type: 'events_archived', timestamp: NOW, archived: false, metadata: { count: 2, batches: 1, cutoff: CUTOFF, source: 'archival' } });

        record.eventId = first.eventId;
        expect(await port.archiveEventsBefore(CUTOFF, 2, record)).toEqual({ archived: 2, eventId: first.eventId });
        expect(await port.archiveEventsBefore(CUTOFF, 2, record)).toEqual({ archived: 1, eventId: first.eventId });
        expect((await documents.get('events', first.eventId!))!.metadata).toEqual({ count: 5, batches: 3, cutoff: CUTOFF, source: 'archival' });
        // Nothing left: nothing archived, nothing written.
        expect(await port.archiveEventsBefore(CUTOFF, 2, record)).toEqual({ archived: 0, eventId: first.eventId });
        expect((await documents.get('events', first.eventId!))!.metadata).toMatchObject({ count: 5, batches: 3 });

        const events = await allEvents(documents);
        expect(events.filter((candidate) => candidate.type === 'events_archived')).toHaveLength(1);
        // Younger events are left alone.
        expect(events.filter((candidate) => candidate.type === 'entity_created' && (candidate.timestamp as number) >= CUTOFF).every((candidate) => candidate.archived === false)).toBe(true);
        expect(await archivedIds()).toHaveLength(before.length + 5);
      }));

    it('writes no event when nothing is old enough', () =>
      withPort(async ({ port, documents }) => {
        const { groupId } = await seed(documents, 0, 2);
        const eventsBefore = await allEvents(documents);
        expect(await port.archiveEventsBefore(CUTOFF, 10, { groupId, at: NOW, eventId: null, metadata: {} })).toEqual({ archived: 0, eventId: null });
        expect(await allEvents(documents)).toEqual(eventsBefore);
      }));
  });
}
