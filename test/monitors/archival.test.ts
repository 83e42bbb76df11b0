import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runArchival } from '../../monitors/jobs/archival.ts';
import { jobLeaseName } from '../../monitors/runner.ts';
import { KILL_AT_ENV } from '../../src/migration/test-hooks.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { seedStore } from '../../src/seed/seed.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeQuality } from '../helpers/fake-quality.ts';
import { monitorContext } from '../helpers/monitor-context.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

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

  it('survives kill -9 between batches: every archived event is counted by an events_archived event', async () => {
    const db = join(tempDir(), 'ontology.db');
    const now = Date.parse('2026-11-27T03:00:00Z');
    const seeding = SqliteStore.open(db);
    const seeded = await seedStore(seeding, { entities: 200, legacy: true, seed: 7, now });
    seeding.close();
    const toArchive = seeded.facts.eventsOlderThanYear - seeded.facts.archivedEventsOlderThanYear;
    expect(toArchive).toBeGreaterThan(3 * 7);
    const run = (killAt?: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env, MONITOR_ARCHIVAL_BATCH: '7' };
      delete env.SLACK_BOT_TOKEN;
      if (killAt) env[KILL_AT_ENV] = killAt;
      else delete env[KILL_AT_ENV];
      return spawnSync(process.execPath, [resolve('bin/ontology-ops.js'), '--db', db, '--now', String(now), 'monitor', 'run', 'archival'], {
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
    };
    /** Events this job archived, and the counts its events_archived events claim. */
    const tally = () => {
      const store = SqliteStore.open(db);
      try {
        const archivedOld = store.database.prepare('SELECT COUNT(*) AS n FROM events WHERE timestamp < ? AND archived = 1').get(now - YEAR) as { n: number };
        const logged = (store.database.prepare("SELECT doc FROM events WHERE type = 'events_archived'").all() as { doc: string }[]).map(
          (row) => (JSON.parse(row.doc) as { metadata: { count: number; batches: number } }).metadata,
        );
        return { archived: archivedOld.n - seeded.facts.archivedEventsOlderThanYear, logged };
      } finally {
        store.close();
      }
    };

    const killed = run('archival-batch:2');
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    // Before batches recorded themselves, 14 events were archived here and no event said so.
    expect(tally()).toEqual({ archived: 14, logged: [{ count: 14, batches: 2, cutoff: now - YEAR, source: 'archival' }] });

    // The dead process's job lease would expire after its TTL; let it go now instead of waiting.
    const store = SqliteStore.open(db);
    const lease = await store.getLease(jobLeaseName('archival'));
    await store.releaseLease(jobLeaseName('archival'), lease!.holder);
    store.close();
    const rerun = run();
    expect(rerun.status, rerun.stderr).toBe(0);
    const after = tally();
    expect(after.archived).toBe(toArchive);
    expect(after.logged.reduce((sum, metadata) => sum + metadata.count, 0)).toBe(toArchive);
  });
});
