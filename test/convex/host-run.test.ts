// @vitest-environment edge-runtime
/**
 * The bot installed in the fixture host app runs: convex-test deploys the host's `convex/` folder (its own schema
 * and functions, the bot's re-exported from `ontology-ops/convex`), and the Convex adapter, told where the host put
 * the functions (`functionsModule`, `CONVEX_FUNCTIONS_MODULE`), checks the host's ONE tables and keeps its state in
 * the bot's tables, with the same result as on this repository's own `convex/` folder.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeFunctionReference, type GenericSchema, type SchemaDefinition } from 'convex/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/quality/categories.ts';
import { scanAll } from '../../src/quality/paging.ts';
import { openConvexParts } from '../../src/store/convex/index.ts';
import { createConvexHarness, type ConvexHarness, type HarnessApp } from './harness.ts';
import { installHostApp, type InstalledHostApp } from './host-app.ts';

let host: InstalledHostApp;
let app: HarnessApp;
beforeAll(async () => {
  host = await installHostApp();
  const files = readdirSync(host.convexDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  const modules = Object.fromEntries(
    files.map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return [file, () => import(/* @vite-ignore */ pathToFileURL(file).href)];
    }),
  );
  const schema = ((await import(/* @vite-ignore */ pathToFileURL(path.join(host.convexDir, 'schema.ts')).href)) as { default: SchemaDefinition<GenericSchema, boolean> }).default;
  app = { schema, modules };
});
afterAll(() => host?.remove());

/** A small ONE data set with one orphaned and one cross-group connection, written straight into the tables. */
async function seed(harness: ConvexHarness): Promise<void> {
  await harness.t.run(async (ctx) => {
    const db = ctx.db as unknown as { insert(table: string, fields: Record<string, unknown>): Promise<string>; delete(id: string): Promise<void> };
    const one = await db.insert('groups', { slug: 'one', name: 'One' });
    const two = await db.insert('groups', { slug: 'two', name: 'Two' });
    const alice = await db.insert('entities', { groupId: one, type: 'agent', name: 'Alice', properties: {}, schemaVersion: 1 });
    const bob = await db.insert('entities', { groupId: two, type: 'agent', name: 'Bob', properties: {}, schemaVersion: 1 });
    const gone = await db.insert('entities', { groupId: one, type: 'agent', name: 'Gone', properties: {}, schemaVersion: 1 });
    await db.delete(gone);
    await db.insert('connections', { groupId: one, fromEntityId: alice, toEntityId: bob, relationshipType: 'follows' });
    await db.insert('connections', { groupId: one, fromEntityId: alice, toEntityId: gone, relationshipType: 'follows' });
    await db.insert('events', { groupId: one, type: 'entity_created', actorId: alice, targetId: alice, timestamp: 1 });
  });
}

const scope = { categories: CATEGORIES, groupId: null, now: 1_000, issueLimit: 10, v1MigrationCompleted: true, perGroup: true };

describe('the bot installed in a host app', () => {
  it('checks the host ONE tables and keeps its settings in its own tables through the host module', async () => {
    const harness = createConvexHarness({ app });
    await seed(harness);
    await harness.t.run(async (ctx) => {
      await (ctx.db as unknown as { insert(table: string, fields: Record<string, unknown>): Promise<string> }).insert('invoices', { customer: 'Acme', amountCents: 1200, paid: false });
    });
    const parts = openConvexParts({ url: harness.url, deployKey: harness.deployKey, fetch: harness.fetch, functionsModule: 'ontologyOps' });

    const result = await scanAll(parts.checks, scope);
    expect(result.tally.counts).toMatchObject({ entities: 2, connections: 2, events: 1, orphanedConnections: 1, crossGroupConnections: 1 });
    await parts.meta.setMeta('naming_generation', 'current');
    expect(await parts.meta.getMeta('naming_generation')).toBe('current');

    expect(harness.requests.length).toBeGreaterThan(0);
    expect(harness.requests.filter((request) => !request.path.startsWith('ontologyOps:'))).toEqual([]);
    expect(harness.requests.every((request) => request.ok)).toBe(true);
    // The host's own functions and table live beside the bot's: one reads the app's table, one a bot setting.
    expect(await harness.t.query(makeFunctionReference<'query'>('invoices:unpaidCount'), {})).toBe(1);
    expect(await harness.t.query(makeFunctionReference<'query'>('invoices:botSetting'), { key: 'naming_generation' })).toBe('current');

    // The same data on this repository's own convex/ folder gives the same check.
    const own = createConvexHarness();
    await seed(own);
    const ownParts = openConvexParts({ url: own.url, deployKey: own.deployKey, fetch: own.fetch });
    expect(await scanAll(ownParts.checks, scope)).toEqual(result);
  });

  it('says where the functions must be when the host put them elsewhere', async () => {
    const harness = createConvexHarness({ app });
    const parts = openConvexParts({ url: harness.url, deployKey: harness.deployKey, fetch: harness.fetch, functionsModule: 'bot' });
    await expect(parts.meta.getMeta('x')).rejects.toThrow(/has no function bot:meta_get: install this version of ontology-ops in the app .* re-exported from convex\/bot\.ts \(CONVEX_FUNCTIONS_MODULE\)/);
  });
});
