import { describe, expect, it } from 'vitest';
import { runDaily } from '../../monitors/jobs/daily.ts';
import { seedStore } from '../../src/seed/seed.ts';
import type { DocumentStore } from '../../src/store/port.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { sqliteQualityService } from '../helpers/quality-service.ts';
import { tempStore } from '../helpers/temp-store.ts';

describe('the daily job: the group of each issue', () => {
  it('comes from the issues the check lists, so the job reads no record one by one', async () => {
    const { store } = tempStore();
    const clock = new FakeClock('2026-11-27T02:00:00Z');
    await seedStore(store, { entities: 600, seed: 5, now: clock.now() });
    const { context } = monitorContext(store, clock, sqliteQualityService(store));
    let gets = 0;
    const documents = Object.create(store) as DocumentStore;
    documents.get = (table, id) => {
      gets++;
      return store.get(table, id);
    };
    const counts = await runDaily({ ...context, documents });
    expect(counts.firing).toBeGreaterThan(0);
    expect(gets).toBe(0);
  });
});
