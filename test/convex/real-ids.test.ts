// @vitest-environment edge-runtime
/**
 * `withRealIds`: the test deployment speaks real Convex ids on the wire, so a migration (whose first step is a
 * verified backup) runs against it as against a real deployment; on convex-test's own ids the backup is refused.
 */
import { describe, expect, it } from 'vitest';
import { convexBackend } from '../../src/backend.ts';
import { tableNumberOfId } from '../../src/ontology/ids.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { createConvexHarness } from './harness.ts';
import { withRealIds } from './real-ids.ts';

const NOW = 1_800_000_000_000;

async function legacyDeployment(real: boolean) {
  const harness = createConvexHarness();
  const backend = convexBackend({ url: harness.url, deployKey: harness.deployKey, fetch: real ? withRealIds(harness.fetch) : harness.fetch, sleep: async () => undefined });
  const group = await backend.documents.insert('groups', { slug: 'acme', name: 'Acme', type: 'organization', status: 'active' });
  const entity = await backend.documents.insert('entities', { type: 'agent', name: 'grouped', groupId: group._id, createdAt: NOW, updatedAt: NOW });
  const bare = await backend.documents.insert('entities', { type: 'agent', name: 'bare', createdAt: NOW, updatedAt: NOW });
  return { backend, group, entity, bare };
}

describe('withRealIds', () => {
  it('hands out valid Convex ids, one table number per table, and takes them back in arguments and fields', async () => {
    const { backend, group, entity, bare } = await legacyDeployment(true);
    expect(tableNumberOfId(group._id)).toBeGreaterThan(10_000);
    expect(tableNumberOfId(entity._id)).toBe(tableNumberOfId(bare._id));
    expect(tableNumberOfId(entity._id)).not.toBe(tableNumberOfId(group._id));
    expect(await backend.documents.get('entities', entity._id)).toMatchObject({ _id: entity._id, groupId: group._id });
  });

  it('lets a migration back the deployment up and run; on convex-test’s own ids the backup is refused', async () => {
    const real = await legacyDeployment(true);
    const report = await real.backend.migration({ now: () => NOW, backupDir: tempDir() }).run({ actor: 'test' });
    expect(report).toMatchObject({ status: 'completed', changed: { entities: 2 } });
    expect((await real.backend.documents.get('entities', real.bare._id))!.groupId).toBe(report.defaultGroupId);

    const bare = await legacyDeployment(false);
    await expect(bare.backend.migration({ now: () => NOW, backupDir: tempDir() }).run({ actor: 'test' })).rejects.toThrow(/is not a valid Convex document id/);
  });
});
