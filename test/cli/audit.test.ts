import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { captureIo } from '../helpers/cli.ts';
import { buildFixture } from '../quality/fixtures.ts';

describe('ontology-ops audit', () => {
  it('prints the entity, its events and connections as JSON', async () => {
    const { path, ids } = await buildFixture();
    const io = captureIo();
    expect(await runCli(['--db', path, '--json', 'audit', ids.a2!, '--limit', '5'], io)).toBe(0);
    const report = JSON.parse(io.out());
    expect(Object.keys(report)).toEqual(['thingId', 'groupId', 'thing', 'events', 'connections']);
    expect(report.thingId).toBe(ids.a2);
    expect(report.groupId).toBe(ids.groupA);
    expect(report.thing.schemaVersion).toBe(2); // an int64 printed as a JSON number
    expect(report.events.map((event: { _id: string }) => event._id)).toEqual(expect.arrayContaining([ids.e1, ids.e2, ids.e7]));
    expect(report.connections.incoming.map((connection: { _id: string }) => connection._id)).toEqual([ids.c1, ids.c6]);
    expect(report.connections.outgoing).toEqual([]);
  });

  it('renders ids, types and times without property values', async () => {
    const { path, ids } = await buildFixture();
    const io = captureIo();
    expect(await runCli(['--db', path, 'audit', ids.a2!], io)).toBe(0);
    expect(io.out()).toContain(`Entity ${ids.a2} (type product, group ${ids.groupA}, schemaVersion 2, status -)`);
    expect(io.out()).toContain('Incoming connections (2):');
    expect(io.out()).not.toContain('SECRET');
  });

  it('says when a list stops at the limit', async () => {
    const { path, ids } = await buildFixture();
    const io = captureIo();
    expect(await runCli(['--db', path, 'audit', ids.a1!, '--limit', '2'], io)).toBe(0);
    expect(io.out()).toContain('Events (2, the limit: there may be more, raise --limit; newest first):');
    expect(io.out()).toContain('Outgoing connections (2, the limit: there may be more, raise --limit):');
    expect(io.out()).toContain('Incoming connections (1):');
  });

  it.each([
    [['audit', 'no-such-id'], /^ontology-ops: No entity with id "no-such-id"/, 'an unknown entity'],
    [['audit'], /^ontology-ops: missing required argument 'entityId'/, 'no entity id'],
    [['audit', 'x', '--limit', '-3'], /^ontology-ops: --limit must be a whole number ≥ 1, got "-3"/, 'a negative limit'],
  ])('fails with one line on %o (%s)', async (argv, message) => {
    const { path } = await buildFixture();
    const io = captureIo();
    expect(await runCli(['--db', path, ...argv], io)).toBe(1);
    expect(io.err()).toMatch(message);
    expect(io.err().trim().split('\n')).toHaveLength(1);
  });
});
