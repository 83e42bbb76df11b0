// @vitest-environment edge-runtime
/**
 * The Convex client wrapper and the test deployment behind it: the wire format a deployment speaks (int64 and
 * float64 apart, errors with status 560), deploy-key auth, retries that never repeat a write the deployment may
 * have run, bounded concurrency, and pages asked again smaller when a Convex limit stops them.
 */
import { ConvexHttpClient } from 'convex/browser';
import { makeFunctionReference } from 'convex/server';
import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidArgumentError, OpsError } from '../../../src/errors.ts';
import { CATEGORIES } from '../../../src/quality/categories.ts';
import { scanAll } from '../../../src/quality/paging.ts';
import { ConvexCaller, isLimitError, openConvexParts } from '../../../src/store/convex/index.ts';
import { createConvexHarness, HARNESS_DEPLOY_KEY, HARNESS_URL } from '../../convex/harness.ts';

function partsOver(harness = createConvexHarness(), options: { maxConcurrency?: number; deployKey?: string; fetch?: typeof fetch } = {}) {
  const sleeps: number[] = [];
  const parts = openConvexParts({
    url: harness.url,
    deployKey: options.deployKey ?? harness.deployKey,
    fetch: options.fetch ?? harness.fetch,
    maxConcurrency: options.maxConcurrency,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { harness, parts, sleeps };
}

describe('test deployment', () => {
  it('answers a query as a deployment does, int64 and float64 apart in the JSON', async () => {
    const harness = createConvexHarness();
    const { parts } = partsOver(harness);
    const entity = await parts.documents.insert('entities', { type: 'product', properties: { stock: 3n, price: 3 } });
    const response = await harness.fetch(`${HARNESS_URL}/api/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Convex ${HARNESS_DEPLOY_KEY}` },
      body: JSON.stringify({ path: 'documents:get', args: [{ table: 'entities', id: entity._id }], format: 'convex_encoded_json' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; value: { properties: { stock: unknown; price: unknown } }; logLines: unknown[] };
    expect(body.status).toBe('success');
    expect(body.logLines).toEqual([]);
    expect(body.value.properties.stock).toEqual({ $integer: 'AwAAAAAAAAA=' });
    expect(body.value.properties.price).toBe(3);
    const stored = await harness.t.run(async (ctx) => ctx.db.get(entity._id as never));
    expect(stored).toMatchObject({ properties: { stock: 3n, price: 3 } });
  });

  it('answers a failing function with status 560 and its error, and keeps internal functions from callers without the deploy key', async () => {
    const harness = createConvexHarness();
    const response = await harness.fetch(`${HARNESS_URL}/api/mutation`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Convex ${HARNESS_DEPLOY_KEY}` },
      body: JSON.stringify({ path: 'documents:patch', args: [{ table: 'entities', id: 'nope', set: {}, unset: [] }], format: 'convex_encoded_json' }),
    });
    expect(response.status).toBe(560);
    const body = (await response.json()) as { status: string; errorData: { code: string } };
    expect(body.status).toBe('error');
    expect(body.errorData.code).toBe('NotFound');

    const anonymous = new ConvexHttpClient(HARNESS_URL, { fetch: harness.fetch, logger: false });
    await expect(anonymous.query(makeFunctionReference<'query'>('meta:get'), { key: 'x' })).rejects.toThrow(/Could not find public function for 'meta:get'/);
    await expect(anonymous.query(makeFunctionReference<'query'>('meta:set'), { key: 'x', value: 'y' })).rejects.toThrow(/Could not find public function/);
  });
});

describe('ConvexCaller', () => {
  it('refuses a URL that is not one and an empty deploy key, naming what to pass', () => {
    expect(() => new ConvexCaller({ url: 'not a url', deployKey: 'k' })).toThrow(InvalidArgumentError);
    expect(() => new ConvexCaller({ url: 'ftp://x.convex.cloud', deployKey: 'k' })).toThrow(/must start with https:\/\//);
    expect(() => new ConvexCaller({ url: HARNESS_URL, deployKey: ' ' })).toThrow(/CONVEX_DEPLOY_KEY/);
  });

  it('turns a refused deploy key into one error naming the deployment and the setting', async () => {
    const { parts } = partsOver(undefined, { deployKey: 'dev:harness-test-123|wrong' });
    const error = await parts.meta.getMeta('x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpsError);
    expect((error as OpsError).code).toBe(ErrorCode.Forbidden);
    expect((error as OpsError).message).toMatch(new RegExp(`${HARNESS_URL}.*CONVEX_DEPLOY_KEY`));
  });

  it('retries a query through transient failures with growing backoff', async () => {
    const { harness, parts, sleeps } = partsOver();
    await parts.meta.setMeta('k', 'v');
    harness.failNext({ kind: 'http', status: 503 }, { kind: 'network' }, { kind: 'http', status: 502 });
    expect(await parts.meta.getMeta('k')).toBe('v');
    expect(sleeps).toHaveLength(3);
    expect(sleeps[2]!).toBeGreaterThan(sleeps[0]!);
  });

  it('retries a mutation only when the deployment surely did not run it', async () => {
    const { harness, parts } = partsOver();
    harness.failNext({ kind: 'http', status: 503 }, { kind: 'http', status: 429 });
    await parts.meta.setMeta('k', 'first');
    expect(await parts.meta.getMeta('k')).toBe('first');
    // A dropped connection may have carried the mutation: it is reported, never repeated.
    harness.failNext({ kind: 'network' });
    const before = harness.requests.filter((request) => request.endpoint === 'mutation').length;
    const error = await parts.meta.setMeta('k', 'second').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpsError);
    expect((error as OpsError).code).toBe(ErrorCode.StoreUnavailable);
    expect(harness.requests.filter((request) => request.endpoint === 'mutation')).toHaveLength(before);
  });

  it('gives up after its retries with one error naming the deployment', async () => {
    const { harness, parts, sleeps } = partsOver();
    harness.failNext(...Array.from({ length: 5 }, () => ({ kind: 'http' as const, status: 503 })));
    await expect(parts.meta.getMeta('k')).rejects.toThrow(new RegExp(`${HARNESS_URL} did not answer meta:get`));
    expect(sleeps).toHaveLength(4);
  });

  it('keeps at most maxConcurrency requests in flight', async () => {
    const harness = createConvexHarness();
    let inFlight = 0;
    let most = 0;
    const counting = (async (input: string | URL | Request, init?: RequestInit) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return await harness.fetch(input, init);
      } finally {
        inFlight--;
      }
    }) as typeof fetch;
    const { parts } = partsOver(harness, { maxConcurrency: 3, fetch: counting });
    const values = await Promise.all(Array.from({ length: 12 }, (_, index) => parts.meta.getMeta(`k${index}`)));
    expect(values).toEqual(Array.from({ length: 12 }, () => null));
    expect(most).toBe(3);
  });

  it('refuses a maxConcurrency that is not a whole number ≥ 1, naming the option', () => {
    for (const maxConcurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => new ConvexCaller({ url: HARNESS_URL, deployKey: 'k' }, { maxConcurrency })).toThrow(/maxConcurrency .* must be a whole number ≥ 1/);
    }
  });

  it('says to deploy the functions when the deployment lacks one', async () => {
    const harness = createConvexHarness();
    const caller = new ConvexCaller({ url: harness.url, deployKey: harness.deployKey, fetch: harness.fetch });
    const error = await caller.query('reports:missing', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpsError);
    expect((error as OpsError).message).toMatch(/has no function reports:missing: deploy this version's convex\/ folder/);
  });

  it('refuses a records-per-page setting outside 1–1,000', () => {
    const harness = createConvexHarness();
    for (const recordsPerPage of [0, 1_001, 2.5]) {
      expect(() => openConvexParts({ url: harness.url, deployKey: harness.deployKey, checks: { recordsPerPage } })).toThrow(/recordsPerPage must be a whole number from 1 to 1000/);
    }
  });

  it.each([
    ['[Request ID: 1] Server Error\nUncaught Error: Too many reads in a single function execution (limit: 4096)', true, 'index ranges, as a deployment words it'],
    ['Too many documents read in a single function execution', true, 'documents read'],
    ['Too many bytes read in a single function execution (limit: 16777216 bytes)', true, 'bytes read'],
    ['Scanned too many documents in a single function execution (limit: 32000).', true, 'documents scanned'],
    ['[Request ID: 2] Server Error\nUncaught Error: Too many writes in a single function execution (limit: 16000)', true, 'documents written, as a deployment words it'],
    ['Too many bytes written in a single function execution (limit: 16777216 bytes)', true, 'bytes written'],
    ['Wrote too many documents', true, 'documents written, as convex-test words it'],
    ['Read too much data', true, 'bytes read, as convex-test words it'],
    ['No document x in table entities', false, 'a function error, not a limit'],
  ])('recognises %j as a limit error: %s (%s)', (message, expected) => {
    expect(isLimitError(new Error(message))).toBe(expected);
  });

  it('calls the functions under the host module CONVEX_FUNCTIONS_MODULE names, and says where they must be when absent', async () => {
    // The harness deploys this repository's convex/ folder as it is (documents:get), so a host module path is
    // called and refused exactly as a deployment without the installed module refuses it.
    const harness = createConvexHarness();
    const caller = new ConvexCaller({ url: harness.url, deployKey: harness.deployKey, fetch: harness.fetch, functionsModule: 'vendor/ontologyOps' });
    const error = await caller.query('meta:get', { key: 'x' }).catch((caught: unknown) => caught);
    expect(harness.requests.map((request) => request.path)).toEqual(['vendor/ontologyOps:meta_get']);
    expect(error).toBeInstanceOf(OpsError);
    expect((error as OpsError).message).toBe(
      `The Convex deployment ${harness.url} has no function vendor/ontologyOps:meta_get: install this version of ontology-ops in the app and deploy it (npx convex deploy), with its functions re-exported from convex/vendor/ontologyOps.ts (CONVEX_FUNCTIONS_MODULE).`,
    );
  });

  it.each(['', 'convex/ontologyOps.ts', 'ontology-ops', 'schema', '_generated/api', '/ontologyOps'])('refuses the functions module %j, naming the setting', (functionsModule) => {
    expect(() => new ConvexCaller({ url: HARNESS_URL, deployKey: 'k', functionsModule })).toThrow(/functions module .* is not a module path: set CONVEX_FUNCTIONS_MODULE/);
  });
});

describe('Convex check port scanning tables side by side', () => {
  it('scans up to maxConcurrency tables at once, one table per call, with the one-cursor result', async () => {
    const harness = createConvexHarness();
    await harness.t.run(async (ctx) => {
      const groups = [await ctx.db.insert('groups', { slug: 'a' }), await ctx.db.insert('groups', { slug: 'b' })];
      const ids = [];
      for (let index = 0; index < 30; index++) ids.push(await ctx.db.insert('entities', { groupId: groups[index % 2]!, type: 'agent' }));
      for (let index = 0; index < 30; index++) {
        // Every third connection is missing its groupId, every fifth crosses groups.
        await ctx.db.insert('connections', {
          ...(index % 3 === 0 ? {} : { groupId: groups[0]! }),
          fromEntityId: ids[index]!,
          toEntityId: ids[index % 5 === 0 ? (index + 1) % 30 : index]!,
          relationshipType: 'follows',
        });
      }
      for (let index = 0; index < 20; index++) await ctx.db.insert('events', { groupId: groups[1]!, type: 'viewed', actorId: ids[index]!, targetId: ids[index + 1]!, timestamp: index });
      for (let index = 0; index < 20; index++) await ctx.db.insert('knowledge', { knowledgeType: 'label', text: `k${index}`, sourceThingId: ids[index]! });
    });
    let inFlight = 0;
    let most = 0;
    const scanned = new Set<string>();
    const counting = (async (input: string | URL | Request, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body)) as { path: string; args: [{ scope?: { tables?: string[] } }] };
      if (body.path === 'checks:scanPage') scanned.add(JSON.stringify(body.args[0].scope?.tables ?? null));
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return await harness.fetch(input, init);
      } finally {
        inFlight--;
      }
    }) as typeof fetch;
    const open = (maxConcurrency: number) =>
      openConvexParts({ url: harness.url, deployKey: harness.deployKey, fetch: counting, maxConcurrency, checks: { recordsPerPage: 7 } }).checks;
    const scope = { categories: CATEGORIES, groupId: null, now: 100, issueLimit: 4, v1MigrationCompleted: true, perGroup: true };

    const concurrent = open(3);
    expect(concurrent.tableConcurrency).toBe(3);
    const result = await scanAll(concurrent, scope);
    expect(most).toBe(3);
    expect([...scanned].sort()).toEqual(['["connections"]', '["entities"]', '["events"]', '["knowledge"]']);

    most = 0;
    scanned.clear();
    const oneCursor = open(1);
    expect(oneCursor.tableConcurrency).toBe(1);
    expect(await scanAll(oneCursor, scope)).toEqual(result);
    expect(most).toBe(1);
    expect([...scanned]).toEqual(['null']);
    expect(result.tally.counts).toMatchObject({ entities: 30, connections: 30, events: 20, knowledge: 20, connectionsMissingGroupId: 10, knowledgeMissingGroupId: 20 });
    expect(result.tally.issues.missingGroupId).toHaveLength(4);
  });
});

describe('Convex check port under tighter limits', () => {
  it('asks a page that hits a limit again with fewer records, keeps that size, and still checks everything', async () => {
    // 300 index ranges: a page of 600 (or 300, or 150) connections needs two entity lookups each, so it fails.
    const harness = createConvexHarness({ limits: { databaseQueries: 300 } });
    await harness.t.run(async (ctx) => {
      const group = await ctx.db.insert('groups', { slug: 'g' });
      for (let index = 0; index < 400; index++) {
        const from = await ctx.db.insert('entities', { groupId: group, type: 'agent' });
        const to = await ctx.db.insert('entities', { groupId: group, type: 'agent' });
        await ctx.db.insert('connections', { groupId: group, fromEntityId: from, toEntityId: to, relationshipType: 'follows' });
      }
    });
    const { parts } = partsOver(harness);
    const scope = { categories: CATEGORIES, groupId: null, now: 0, issueLimit: 5, v1MigrationCompleted: false };
    const result = await scanAll(parts.checks, scope);
    expect(result.tally.counts).toMatchObject({ entities: 800, connections: 400, orphanedConnections: 0, crossGroupConnections: 0 });
    const scans = harness.requests.filter((request) => request.path === 'checks:scanPage');
    const failed = scans.filter((request) => !request.ok);
    expect(failed).toHaveLength(3);
    // After finding the size that fits, no later page fails again.
    expect(scans.slice(scans.indexOf(failed.at(-1)!) + 1).every((request) => request.ok)).toBe(true);
  });

  it('fails when even a page of one record is over the limit', async () => {
    const harness = createConvexHarness({ limits: { databaseQueries: 3 } });
    await harness.t.run(async (ctx) => {
      const from = await ctx.db.insert('entities', { type: 'agent' });
      await ctx.db.insert('connections', { fromEntityId: from, toEntityId: from, relationshipType: 'follows' });
    });
    const { parts } = partsOver(harness);
    const scope = { categories: CATEGORIES, groupId: null, now: 0, issueLimit: 5, v1MigrationCompleted: false };
    const error = await scanAll(parts.checks, scope).catch((caught: unknown) => caught);
    expect(isLimitError(error)).toBe(true);
  });
});
