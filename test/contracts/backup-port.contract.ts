/**
 * The contract every `BackupPort` adapter passes: a backup written is verified, a corrupted one refused, the
 * comparison names what changed since, and a restore brings the documents back, fenced by the lease. Data is
 * seeded and read through `DocumentStore` and the lease through `LeaseStore` only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OntologyTable } from '../../src/ontology/naming.ts';
import type { ConvexDocument } from '../../src/ontology/values.ts';
import { BackupInvalidError } from '../../src/migration/backup.ts';
import { LeaseLostError } from '../../src/migration/lease.ts';
import type { BackupPort, LeaseFence } from '../../src/migration/port.ts';
import type { DocumentStore, LeaseStore } from '../../src/store/port.ts';

/** What a contract run opens: the port under test, the stores to seed and read, and a folder for backups. */
export interface BackupPortFixture {
  port: BackupPort;
  documents: DocumentStore;
  leases: LeaseStore;
  dir: string;
  close: () => Promise<void>;
}

const LEASE = 'v1-migration';
const HOLDER = 'contract-holder';
const NOW = 1_800_000_000_000;

async function seed(documents: DocumentStore): Promise<{ group: string; entities: string[] }> {
  const group = (await documents.insert('groups', { slug: 'acme', name: 'acme', type: 'organization', status: 'active', metadata: {}, settings: {}, createdAt: 1, updatedAt: 1 }))._id;
  const entities: string[] = [];
  for (let index = 0; index < 12; index++) {
    entities.push((await documents.insert('entities', { type: 'creator', name: `n${index}`, properties: { index: BigInt(index) }, groupId: group, createdAt: 1, updatedAt: 1 }))._id);
  }
  await documents.insert('connections', { fromEntityId: entities[0]!, toEntityId: entities[1]!, relationshipType: 'owns', groupId: group, createdAt: 1, updatedAt: 1 });
  return { group, entities };
}

async function allDocuments(documents: DocumentStore): Promise<Map<string, ConvexDocument>> {
  const out = new Map<string, ConvexDocument>();
  for (const table of ['groups', 'entities', 'connections', 'events', 'knowledge'] as OntologyTable[]) {
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<DocumentStore['page']>> = await documents.page(table, cursor, 5);
      for (const document of page.documents) out.set(`${table}/${document._id}`, document);
      cursor = page.continueCursor;
    } while (cursor !== null);
  }
  return out;
}

/** Declares the `BackupPort` contract for one adapter. */
export function backupPortContract(name: string, open: () => Promise<BackupPortFixture>): void {
  async function setup() {
    const fixture = await open();
    const ids = await seed(fixture.documents);
    await fixture.leases.acquireLease(LEASE, HOLDER, 60_000, NOW);
    const fence = (): LeaseFence => ({ name: LEASE, holder: HOLDER, ttlMs: 60_000, now: NOW });
    const zip = join(fixture.dir, 'backup.zip');
    return { ...fixture, ids, fence, zip };
  }

  describe(`BackupPort contract: ${name}`, () => {
    it('estimates a backup from counts: every document, and a size in bytes', async () => {
      const { port, close } = await setup();
      try {
        const estimate = await port.estimate();
        expect(estimate.documents).toBeGreaterThanOrEqual(14);
        expect(estimate.ontologyRecords).toBe(14);
        expect(estimate.bytes).toBeGreaterThan(14 * 50);
      } finally {
        await close();
      }
    });

    it('writes a backup that verifies, with its manifest counting every document', async () => {
      const { port, fence, zip, close } = await setup();
      try {
        const reports: number[] = [];
        const written = await port.write(zip, { now: NOW, runId: 'r1', v1MigrationCompletedAt: null, fence, onProgress: (documents) => reports.push(documents) });
        expect(written.path).toBe(zip);
        expect(written.manifest).toMatchObject({ runId: 'r1', createdAt: NOW, source: port.location, v1MigrationCompletedAt: null });
        const verified = await port.verify(zip);
        expect(verified.documents).toBe(written.manifest.tables.reduce((sum, table) => sum + table.documents, 0));
        expect(verified.documents).toBeGreaterThanOrEqual(14);
        expect(await port.verify(written.manifestPath)).toMatchObject({ path: zip });
      } finally {
        await close();
      }
    });

    it('refuses a corrupted backup and a missing one', async () => {
      const { port, fence, zip, dir, close } = await setup();
      try {
        await port.write(zip, { now: NOW, runId: null, v1MigrationCompletedAt: null, fence });
        const bytes = readFileSync(zip);
        bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
        writeFileSync(zip, bytes);
        await expect(port.verify(zip)).rejects.toThrow(BackupInvalidError);
        await expect(port.verify(join(dir, 'nothing.zip'))).rejects.toThrow(BackupInvalidError);
      } finally {
        await close();
      }
    });

    it('compares the store with a backup: records created, changed and deleted since, by table and id', async () => {
      const { port, documents, fence, zip, ids, close } = await setup();
      try {
        await port.write(zip, { now: NOW, runId: null, v1MigrationCompletedAt: null, fence });
        expect(await port.compare(zip, 10)).toMatchObject({ createdSinceBackup: { count: 0 }, changedSinceBackup: { count: 0 }, deletedSinceBackup: { count: 0 } });
        const created = await documents.insert('entities', { type: 'creator', name: 'late', groupId: ids.group, createdAt: 2, updatedAt: 2 });
        await documents.patch('entities', ids.entities[3]!, { name: 'renamed' });
        const comparison = await port.compare(zip, 10);
        expect(comparison.createdSinceBackup).toEqual({ count: 1, ids: [{ table: 'entities', id: created._id }] });
        expect(comparison.changedSinceBackup).toEqual({ count: 1, ids: [{ table: 'entities', id: ids.entities[3] }] });
        expect(comparison.unchanged).toBeGreaterThanOrEqual(13);
      } finally {
        await close();
      }
    });

    it('restores the backup exactly, renewing the lease as it goes', async () => {
      const { port, documents, leases, fence, zip, ids, close } = await setup();
      try {
        const original = await allDocuments(documents);
        await port.write(zip, { now: NOW, runId: null, v1MigrationCompletedAt: null, fence });
        await documents.insert('entities', { type: 'creator', name: 'late', createdAt: 2, updatedAt: 2 });
        await documents.patch('entities', ids.entities[5]!, { name: 'renamed' });
        let now = NOW;
        const restored = await port.restore(zip, { fence: () => ({ ...fence(), now: (now += 1_000) }) });
        expect(restored.documents).toBeGreaterThanOrEqual(14);
        expect(await allDocuments(documents)).toEqual(original);
        const lease = await leases.getLease(LEASE);
        expect(lease!.holder).toBe(HOLDER);
        expect(lease!.expiresAt).toBe(now + 60_000);
      } finally {
        await close();
      }
    });

    it('a restore by a holder whose lease was taken over changes nothing', async () => {
      const { port, documents, leases, fence, zip, close } = await setup();
      try {
        await port.write(zip, { now: NOW, runId: null, v1MigrationCompletedAt: null, fence });
        await documents.insert('entities', { type: 'creator', name: 'late', createdAt: 2, updatedAt: 2 });
        const before = await allDocuments(documents);
        await leases.releaseLease(LEASE, HOLDER);
        await leases.acquireLease(LEASE, 'someone-else', 60_000, NOW);
        await expect(port.restore(zip, { fence })).rejects.toThrow(LeaseLostError);
        expect(await allDocuments(documents)).toEqual(before);
      } finally {
        await close();
      }
    });
  });
}
