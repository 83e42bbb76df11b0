import { describe, expect, it } from 'vitest';
import { MIGRATION_LEASE } from '../../src/migration/service.ts';
import type { LeaseResult } from '../../src/store/port.ts';
import { counterRandom, tempStore } from '../helpers/temp-store.ts';
import { buildFixture, documentTexts } from './fixtures.ts';
import { T0, testService } from './helpers.ts';

const TTL_MS = 1_000;

describe('a full restore that outlasts the lease lifetime', () => {
  it('keeps the lock throughout: a second acquirer is refused at every progress report, however late', async () => {
    const { store } = tempStore({ random: counterRandom(), now: () => T0 - 10_000 });
    await buildFixture(store, 'legacy', T0 - 100_000);
    const original = documentTexts(store);
    const { service, clock } = testService(store, { leaseTtlMs: TTL_MS });
    const run = await service.run({ actor: 'alice' });
    // Taken inside the restore (better-sqlite3 runs the attempt synchronously, within the import's transaction).
    const attempts: Promise<LeaseResult>[] = [];
    const report = await service.restoreBackup(run.backupFile!, {
      actor: 'bob',
      onProgress: () => {
        // Each report comes long after the previous one: the restore outlasts its lease's lifetime many times.
        attempts.push(store.acquireLease(MIGRATION_LEASE, 'intruder', TTL_MS, clock.now()));
        clock.advance(3 * TTL_MS);
      },
    });
    expect(report.status).toBe('completed');
    expect(attempts.length).toBeGreaterThan(2);
    for (const attempt of await Promise.all(attempts)) expect(attempt).toMatchObject({ acquired: false, heldBy: { holder: 'test-holder' } });
    expect(await store.getLease(MIGRATION_LEASE)).toBeNull();
    const restored = documentTexts(store);
    for (const [key, text] of restored) if (text.includes('"type":"rollback_completed"')) restored.delete(key);
    expect(restored).toEqual(original);
  });
});
