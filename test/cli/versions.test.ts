import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.ts';
import { stopCheckWorker } from '../../src/store/sqlite/check-scan.ts';
import { captureIo } from '../helpers/cli.ts';
import { buildFixture, NOW } from '../quality/fixtures.ts';

afterAll(() => stopCheckWorker());

describe('ontology-ops versions', () => {
  it('prints entities by schema version', async () => {
    const { path } = await buildFixture();
    const io = captureIo();
    expect(await runCli(['--db', path, '--json', '--now', String(NOW), 'versions'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({ timestamp: NOW, v0Entities: 2, v1Entities: 3, distributionPercentage: { v0: 40, v1: 60 } });
  });

  it('renders a table for a group and rejects an unknown one', async () => {
    const { path } = await buildFixture();
    const io = captureIo();
    expect(await runCli(['--db', path, 'versions', '--group', 'beta'], io)).toBe(0);
    expect(io.out()).toMatch(/^Entity schema versions of group beta as of /);
    expect(io.out()).toMatch(/v1 \(schemaVersion ≥ 1\)\s*│ 1\s*│ 50%/);
    const bad = captureIo();
    expect(await runCli(['--db', path, 'versions', '--group', 'nope'], bad)).toBe(1);
    expect(bad.err()).toMatch(/^ontology-ops: No group with id or slug "nope"/);
  });
});
