/**
 * The seed's data set is independent of its sink: written into a snapshot (ZIP or folder) and imported, it is
 * the same store, row for row, as seeded straight into SQLite; and the generator alone gives the same documents.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSeedDataset, seedInto, seedStore, type SeedBatch } from '../../src/seed/seed.ts';
import { SnapshotFileSink } from '../../src/snapshot/file-sink.ts';
import { importSnapshot } from '../../src/snapshot/import.ts';
import { verifySnapshot } from '../../src/snapshot/reader.ts';
import { DuplicateDocumentError, InvalidTableNameError } from '../../src/store/bulk-load.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { storeDigest } from '../snapshot/helpers.ts';

const NOW = Date.parse('2026-11-01T00:00:00Z');

describe('seed data set and sinks', () => {
  it.each([
    ['a ZIP', 'seed.zip', false],
    ['a folder, legacy data', 'seed-folder', true],
  ])('seed → %s → import equals seed → SQLite directly', async (_case, file, legacy) => {
    const options = { entities: 60, seed: 7, now: NOW, legacy };
    const direct = tempStore().store;
    const directSummary = await seedStore(direct, options);

    const target = join(tempDir(), file);
    const sink = new SnapshotFileSink(target);
    const sinkSummary = await seedInto(sink, options);
    expect(sinkSummary).toEqual(directSummary);
    const verified = await verifySnapshot(target);
    expect(verified.format).toBe(file.endsWith('.zip') ? 'zip' : 'dir');
    expect(sink.written.map((table) => table.documents)).toEqual(Object.values(directSummary.tables));

    const imported = tempStore().store;
    const summary = await importSnapshot(imported, target);
    expect(summary.documents).toBe(directSummary.records + directSummary.tables.groups);
    expect(storeDigest(imported)).toBe(storeDigest(direct));
    // Nothing of the staging is left next to the snapshot.
    expect(readdirSync(join(target, '..'))).toEqual([file]);
  });

  it('generates the same batches for the same options, and different ones for another seed', async () => {
    const collect = async (seed: number) => {
      const batches: SeedBatch[] = [];
      await generateSeedDataset({ entities: 40, seed, now: NOW }, (batch) => {
        batches.push(batch);
      });
      return batches.flatMap((batch) => batch.documents.texts);
    };
    const first = await collect(3);
    expect(await collect(3)).toEqual(first);
    expect(await collect(4)).not.toEqual(first);
  });

  it('the snapshot sink refuses a repeated id and a table name that would leave the snapshot', async () => {
    const dir = tempDir();
    const sink = new SnapshotFileSink(join(dir, 'out'));
    await sink.begin({ replace: false, naming: 'current', tableNumbers: [] });
    const doc = { ids: ['a'], creationTimes: [1.5], texts: ['{"_id":"a","_creationTime":1.5}'], fields: [{}] };
    await sink.write('settings', doc);
    await expect(sink.write('other', doc)).rejects.toBeInstanceOf(DuplicateDocumentError);
    await expect(sink.write('../escape', { ...doc, ids: ['b'] })).rejects.toBeInstanceOf(InvalidTableNameError);
    await sink.abort();
    expect(readdirSync(dir)).toEqual([]);
    await expect(new SnapshotFileSink(join(dir, 'out')).begin({ replace: false, naming: 'current', tableNumbers: [['a/b', 10001]] })).rejects.toThrow(
      /"a\/b" is not a valid Convex table name/,
    );
  });

  it('removes the staging folder a killed load to the same target left behind', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    mkdirSync(join(dir, `.demo.zip.loading-${dead}`));
    await seedInto(new SnapshotFileSink(join(dir, 'demo.zip')), { entities: 20, now: NOW });
    expect(readdirSync(dir)).toEqual(['demo.zip']);
  });

  it('an aborted sink leaves no snapshot and no staging files', async () => {
    const dir = tempDir();
    const target = join(dir, 'never.zip');
    const sink = new SnapshotFileSink(target);
    const controller = new AbortController();
    controller.abort('SIGINT');
    await expect(seedInto(sink, { entities: 40, now: NOW, signal: controller.signal })).rejects.toThrow(/interrupted by SIGINT/);
    const started = new SnapshotFileSink(target);
    await started.begin({ replace: false, naming: 'current', tableNumbers: [['groups', 10001]] });
    await started.write('groups', { ids: [], creationTimes: [], texts: [], fields: [] });
    await started.abort();
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
