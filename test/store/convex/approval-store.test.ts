// @vitest-environment edge-runtime
/**
 * The Convex approval store beyond the shared contract: bad input is refused with one error naming the field and
 * nothing is written, two different requests racing to start cannot both run, ids of other tables are simply not
 * found, and a listing longer than one server page is read page by page.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.ts';
import { convexParts } from '../../convex/parts.ts';
import { draft, T } from '../../contracts/approval-store.contract.ts';


describe('Convex approval store', () => {
  it('refuses a bad requiredApprovals, an oversized plan and a foreign cursor, writing nothing', async () => {
    const { approvals } = convexParts();
    await expect(approvals.create(draft({ requiredApprovals: 0 }))).rejects.toThrow(/requiredApprovals/);
    await expect(approvals.create(draft({ requiredApprovals: 50 }))).rejects.toThrow(InvalidArgumentError);
    const huge = await approvals.create(draft({ plan: { ids: 'x'.repeat(20_000) } })).catch((error: unknown) => error);
    expect(huge).toBeInstanceOf(InvalidArgumentError);
    expect((huge as Error).message).toMatch(/plan is \d+ characters/);
    await expect(approvals.list({ cursor: 'not-a-cursor', limit: 5 })).rejects.toThrow(/cursor "not-a-cursor" was not issued/);
    expect((await approvals.list({ states: ['requested', 'approved', 'running', 'rejected', 'expired', 'succeeded', 'failed'], cursor: null, limit: 5 })).requests).toEqual([]);
  });

  it('lets only one of two approved requests start when they race', async () => {
    const { approvals } = convexParts();
    const one = await approvals.create(draft());
    const two = await approvals.create(draft());
    for (const request of [one, two]) await approvals.approve(request.id, { userId: 'U_A', at: T + 1, planHash: 'hash-1' });
    const results = await Promise.all([one, two].map((request) => approvals.start(request.id, { at: T + 2, planHash: 'hash-1', runId: `run_${request.id}` })));
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect(results.find((result) => !result.changed)).toMatchObject({ reason: 'another_running', request: { state: 'approved' } });
    expect((await approvals.list({ states: ['running'], cursor: null, limit: 10 })).requests).toHaveLength(1);
  });

  it('does not find an id of another table, and leaves it alone', async () => {
    const { approvals, harness } = convexParts();
    const foreign = await harness.t.run((ctx) => ctx.db.insert('storeMeta', { key: 'k', value: 'v' }));
    expect(await approvals.get(foreign)).toBeNull();
    expect(await approvals.approve(foreign, { userId: 'U_A', at: T, planHash: 'hash-1' })).toEqual({ changed: false, reason: 'not_found', request: null });
    await approvals.setMessage(foreign, { channel: 'C1', ts: '1.2' });
    expect(await harness.t.run((ctx) => ctx.db.get(foreign))).toMatchObject({ key: 'k', value: 'v' });
  });

  it('reads a listing longer than one server page, oldest first, with plans and results parsed', async () => {
    const { approvals } = convexParts();
    const ids: string[] = [];
    for (let n = 0; n < 53; n++) ids.push((await approvals.create(draft({ requestedAt: T + n, plan: { n } }))).id);
    const first = await approvals.list({ cursor: null, limit: 100 });
    expect(first.requests).toHaveLength(50);
    expect(first.continueCursor).not.toBeNull();
    const rest = await approvals.list({ cursor: first.continueCursor, limit: 100 });
    expect(rest.continueCursor).toBeNull();
    expect([...first.requests, ...rest.requests].map((request) => request.id)).toEqual(ids);
    expect(rest.requests.at(-1)!.plan).toEqual({ n: 52 });
  });
});
