// @vitest-environment edge-runtime
/**
 * A batch that meets a Convex limit is tried again, smaller: a deployment whose write limit (500 documents) is
 * far below what the largest batches write refuses them with "Wrote too many documents", and the adapter's
 * migration batches and archival batches still finish every record by halving, leaving nothing half-written.
 */
import { describe, expect, it } from 'vitest';
import type { LeaseFence } from '../../../src/migration/port.ts';
import { ConvexMigrationStore } from '../../../src/store/convex/migration-store.ts';
import { ConvexEventArchive } from '../../../src/store/convex/event-archive.ts';
import { isLimitError } from '../../../src/store/convex/client.ts';
import { convexParts } from '../../convex/parts.ts';

const NOW = 1_800_000_000_000;
const FENCE: LeaseFence = { name: 'v1-migration', holder: 'shrink', ttlMs: 600_000, now: NOW };
const LOW_WRITES = { documentsWritten: 500 };

describe('Convex batches shrink on a limit error', () => {
  it.each([
    ['Too many writes in a single function execution (limit: 16000)', 'a deployment, writes'],
    ['Too many reads in a single function execution (limit: 4096)', 'a deployment, reads'],
    ['Too many bytes read in a single function execution (limit: 16777216 bytes)', 'a deployment, bytes'],
    ['Wrote too many documents in a single function execution (limit: 8000).', 'convex-test, writes'],
    ['Wrote too much data in a single function execution (limit: 8388608 bytes).', 'convex-test, bytes written'],
  ])('recognises "%s" (%s)', (message) => {
    expect(isLimitError(new Error(`[Request ID: 1] Server Error\nUncaught Error: ${message}`))).toBe(true);
  });

  it('a migration batch of 1,000 finishes 600 entities through smaller batches', async () => {
    const parts = convexParts({ limits: LOW_WRITES });
    const port = new ConvexMigrationStore(parts.caller);
    await parts.harness.t.run(async (ctx) => {
      for (let index = 0; index < 300; index++) await ctx.db.insert('entities', { type: 'agent', name: `e${index}` });
    });
    await parts.harness.t.run(async (ctx) => {
      for (let index = 300; index < 600; index++) await ctx.db.insert('entities', { type: 'agent', name: `e${index}` });
    });
    await parts.leases.acquireLease(FENCE.name, FENCE.holder, FENCE.ttlMs, NOW);
    await port.createRun({ id: 'run', kind: 'migrate', state: 'migrating', actor: 'test', holder: FENCE.holder, startedAt: NOW, batchSize: 1_000 });
    const { defaultGroupId } = await port.beginRun({ runId: 'run', fence: FENCE, slug: 'legacy-default', group: { name: 'Legacy default', type: 'organization', status: 'active' }, event: { type: 'migration_started', timestamp: NOW, metadata: {} } });
    let cursor: string | null = null;
    let changed = 0;
    for (;;) {
      const batch: Awaited<ReturnType<ConvexMigrationStore['applyBatch']>> = await port.applyBatch({ runId: 'run', table: 'entities', cursor, limit: 1_000, defaultGroupId, fence: FENCE });
      changed += batch.changed;
      cursor = batch.cursor;
      if (batch.finished) break;
    }
    expect(changed).toBe(600);
    expect(parts.harness.requests.some((request) => request.path === 'migration:applyBatch' && !request.ok)).toBe(true);
    const journal = await parts.harness.t.run(async (ctx) => (await ctx.db.query('undoJournal').take(1_000)).length);
    expect(journal).toBe(600);
  });

  it('an archival batch of 5,000 archives 600 events through smaller batches', async () => {
    const parts = convexParts({ limits: LOW_WRITES });
    const archive = new ConvexEventArchive(parts.caller);
    await parts.harness.t.run(async (ctx) => {
      for (let index = 0; index < 300; index++) await ctx.db.insert('events', { type: 'entity_updated', timestamp: index });
    });
    await parts.harness.t.run(async (ctx) => {
      for (let index = 300; index < 600; index++) await ctx.db.insert('events', { type: 'entity_updated', timestamp: index });
    });
    const record = { groupId: 'ops', at: NOW, eventId: null as string | null, metadata: {} };
    let archived = 0;
    for (;;) {
      const batch = await archive.archiveEventsBefore(NOW, 5_000, record);
      if (batch.archived === 0) break;
      record.eventId = batch.eventId;
      archived += batch.archived;
    }
    expect(archived).toBe(600);
    expect(parts.harness.requests.some((request) => request.path === 'archival:archiveBatch' && !request.ok)).toBe(true);
  });
});
