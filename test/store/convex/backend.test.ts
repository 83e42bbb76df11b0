// @vitest-environment edge-runtime
/**
 * The composition root over a Convex deployment: with `convex` given, `openBackend` builds every port on the
 * Convex adapter (reached only through `ConvexHttpClient`), and the services it returns work on it end to end.
 */
import { describe, expect, it } from 'vitest';
import { openBackend, type Backend } from '../../../src/backend.ts';
import { convexSettings } from '../../../src/config.ts';
import { createConvexHarness } from '../../convex/harness.ts';

const NOW = 1_800_000_000_000;

function convexBackend(): { backend: Backend; requests: () => string[] } {
  const harness = createConvexHarness();
  const backend = openBackend({
    dbPath: '/nonexistent/never-opened.db',
    convex: { url: harness.url, deployKey: harness.deployKey, fetch: harness.fetch, sleep: async () => undefined },
  });
  return { backend, requests: () => harness.requests.map((request) => request.path) };
}

describe('openBackend with a Convex deployment', () => {
  it('serves the documents, the check and the quality service from the deployment, and never opens the SQLite file', async () => {
    const { backend, requests } = convexBackend();
    expect(backend.adapter).toBe('convex');
    const group = await backend.documents.insert('groups', { slug: 'acme', name: 'Acme', type: 'organization', status: 'active' });
    const entity = await backend.documents.insert('entities', { groupId: group._id, type: 'agent', name: 'a', properties: {}, schemaVersion: 1, createdAt: NOW, updatedAt: NOW });
    await backend.documents.insert('connections', { groupId: group._id, fromEntityId: entity._id, toEntityId: 'gone', relationshipType: 'owns', createdAt: NOW, updatedAt: NOW });
    const report = await backend.quality.check({ now: NOW });
    expect(report.details).toMatchObject({ orphanedConnections: 1, crossGroupReferences: 0, missingGroupIds: 0 });
    expect(report.issues.map((issue) => [issue.category, issue.groupId])).toEqual([['orphaned', group._id]]);
    expect((await backend.quality.metrics({ now: NOW, groupId: 'acme' })).orphanedEntityCount).toBe(1);
    expect(requests()).toContain('checks:scanPage');
  });

  it('runs the migration service and the monitor ports on the deployment', async () => {
    const { backend } = convexBackend();
    await backend.documents.insert('entities', { type: 'agent', name: 'legacy', properties: {}, createdAt: NOW, updatedAt: NOW });
    const dryRun = await backend.migration({ now: () => NOW }).dryRun({ backup: false });
    expect(dryRun.changes).toMatchObject({ entities: { records: 1, missingGroupId: 1, schemaVersion: 1 }, total: 1 });
    const [snapshot] = await backend.monitorPorts.stores.snapshots.saveSnapshots(
      [{ timestamp: NOW, referentialIntegrityScore: 100, orphanedConnections: 0, crossGroupViolations: 0, malformedProperties: 0, metadata: { orphanedEntityCount: 0, missingGroupIds: 1, malformedPropertiesPercent: 0, schemaComplianceScore: 0, eventArchivalProgress: 100, invalidMetadataCount: 0, status: 'warning' } }],
      NOW,
    );
    expect(await backend.monitorPorts.stores.snapshots.latestSnapshotBefore(null, NOW + 1)).toMatchObject({ _id: snapshot!._id });
  });

  it('refuses to bulk-load into a deployment, saying how to import instead', () => {
    const { backend } = convexBackend();
    expect(() => backend.bulkLoad.bulkLoad()).toThrow(/npx convex import <snapshot\.zip>/);
  });
});

describe('CONVEX_URL and CONVEX_DEPLOY_KEY', () => {
  it.each([
    [{}, null, 'unset: the SQLite store'],
    [
      { CONVEX_URL: 'https://happy-otter-123.convex.cloud', CONVEX_DEPLOY_KEY: 'prod:happy-otter-123|abc' },
      { url: 'https://happy-otter-123.convex.cloud', deployKey: 'prod:happy-otter-123|abc', functionsModule: 'ontologyOps' },
      'both set: the functions in convex/ontologyOps.ts by default',
    ],
    [
      { CONVEX_URL: 'https://happy-otter-123.convex.cloud', CONVEX_DEPLOY_KEY: 'prod:happy-otter-123|abc', CONVEX_FUNCTIONS_MODULE: ' vendor/ops ' },
      { url: 'https://happy-otter-123.convex.cloud', deployKey: 'prod:happy-otter-123|abc', functionsModule: 'vendor/ops' },
      'the host module CONVEX_FUNCTIONS_MODULE names',
    ],
  ] as [NodeJS.ProcessEnv, unknown, string][])('%j → %j (%s)', (env, expected) => {
    expect(convexSettings(env)).toEqual(expected);
  });

  it.each([
    [{ CONVEX_URL: 'happy-otter' }, /CONVEX_URL must be the deployment's http\(s\) URL/],
    [{ CONVEX_URL: 'https://happy-otter-123.convex.cloud' }, /CONVEX_DEPLOY_KEY must be set when CONVEX_URL is/],
    [
      { CONVEX_URL: 'https://happy-otter-123.convex.cloud', CONVEX_DEPLOY_KEY: 'prod:x|y', CONVEX_FUNCTIONS_MODULE: 'convex/ontologyOps.ts' },
      /^Environment variable CONVEX_FUNCTIONS_MODULE must be the path of the file in the app's convex\/ folder that re-exports the bot's functions, without extension \(e\.g\. ontologyOps for convex\/ontologyOps\.ts\), got "convex\/ontologyOps\.ts"\.$/,
    ],
  ])('%j is refused with one line naming the variable', (env, message) => {
    expect(() => convexSettings(env)).toThrow(message);
  });
});
