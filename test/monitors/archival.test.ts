import { describe, expect, it } from 'vitest';
import { runArchival } from '../../monitors/jobs/archival.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeQuality } from '../helpers/fake-quality.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { tempStore } from '../helpers/temp-store.ts';

const YEAR = 365 * 86_400_000;

describe('archival job', () => {
  it('archives every event older than 365 days in batches, logs events_archived once, and is idempotent', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T03:00:00Z');
    const seeded = await seedStore(store, { entities: 200, legacy: true, seed: 7, now: clock.now() });
    const toArchive = seeded.facts.eventsOlderThanYear - seeded.facts.archivedEventsOlderThanYear;
    expect(toArchive).toBeGreaterThan(10);
    const { context } = monitorContext(store, clock, new FakeQuality(), { archivalBatchSize: 7 });
    const cutoff = clock.now() - YEAR;
    const recentArchived = () =>
      (store.database.prepare('SELECT COUNT(*) AS n FROM events WHERE timestamp >= ? AND archived = 1').get(cutoff) as { n: number }).n;
    const recentArchivedBefore = recentArchived();

    const first = await runArchival(context);
    expect(first).toEqual({ archived: toArchive, batches: Math.ceil(toArchive / 7) });
    const remaining = store.database
      .prepare('SELECT COUNT(*) AS n FROM events WHERE timestamp < ? AND archived = 0')
      .get(cutoff) as { n: number };
    expect(remaining.n).toBe(0);
    // The indexed column and the document agree.
    const disagreeing = store.database
      .prepare("SELECT COUNT(*) AS n FROM events WHERE archived != (CASE WHEN json_extract(doc, '$.archived') = 1 THEN 1 ELSE 0 END)")
      .get() as { n: number };
    expect(disagreeing.n).toBe(0);
    // Events younger than a year are left alone.
    expect(recentArchived()).toBe(recentArchivedBefore);

    const logged = store.database.prepare("SELECT doc FROM events WHERE type = 'events_archived'").all() as { doc: string }[];
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!.doc).metadata.count).toBe(toArchive);

    clock.advance(86_400_000 / 24);
    expect(await runArchival(context)).toEqual({ archived: 0, batches: 0 });
    expect((store.database.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'events_archived'").get() as { n: number }).n).toBe(1);
  });
});
