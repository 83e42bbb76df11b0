// @vitest-environment edge-runtime
/**
 * The Convex `BackupPort`'s restore: the exact `npx convex import` command, run only after confirmation (or
 * `--yes`), fenced by the lease, printed (and nothing recorded as restored) with `--print-command`. No test runs
 * npx: the command runner is injected and records what it was given. The backup ZIP is a real one (written by
 * the SQLite adapter: convex-test's ids are not real Convex ids, which a backup's verification rejects).
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LeaseFence } from '../../../src/migration/port.ts';
import { ConvexBackupPort, convexImportCommand, type ConvexRestoreOptions, type ImportCommand } from '../../../src/store/convex/backup.ts';
import { SqliteBackupPort } from '../../../src/store/sqlite/migration-backup.ts';
import { convexParts } from '../../convex/parts.ts';
import { tempDir, tempStore } from '../../helpers/temp-store.ts';

const NOW = 1_800_000_000_000;
const LEASE = 'v1-migration';
const HOLDER = 'backup-test';

async function setup(restore: Partial<ConvexRestoreOptions> = {}) {
  const parts = convexParts();
  const ran: ImportCommand[] = [];
  const printed: string[] = [];
  const questions: string[] = [];
  const options: ConvexRestoreOptions = {
    mode: 'run',
    yes: false,
    confirm: async (question) => (questions.push(question), false),
    print: (line) => printed.push(line),
    run: async (command) => (ran.push(command), 0),
    ...restore,
  };
  const port = new ConvexBackupPort(parts.caller, parts.documents, { deployKey: parts.harness.deployKey, restore: options });
  const group = (await parts.documents.insert('groups', { slug: 'acme', name: 'acme', type: 'organization', status: 'active' }))._id;
  const entities: string[] = [];
  for (let index = 0; index < 12; index++) entities.push((await parts.documents.insert('entities', { type: 'creator', name: `n${index}`, properties: { index: BigInt(index) }, groupId: group }))._id);
  await parts.documents.insert('connections', { fromEntityId: entities[0]!, toEntityId: entities[1]!, relationshipType: 'owns', groupId: group });
  await parts.leases.acquireLease(LEASE, HOLDER, 60_000, NOW);
  let now = NOW;
  const fence = (): LeaseFence => ({ name: LEASE, holder: HOLDER, ttlMs: 60_000, now: (now += 1_000) });
  const dir = tempDir();
  // A real backup of the same shape (14 documents), to restore.
  const { store } = tempStore();
  const sqliteGroup = (await store.insert('groups', { slug: 'acme' }))._id;
  for (let index = 0; index < 12; index++) await store.insert('entities', { type: 'creator', name: `n${index}`, groupId: sqliteGroup });
  await store.insert('connections', { relationshipType: 'owns', groupId: sqliteGroup });
  await new SqliteBackupPort(store).write(join(dir, 'backup.zip'), { now: NOW, runId: null, v1MigrationCompletedAt: null });
  return { parts, port, ran, printed, questions, group, entities, fence, zip: join(dir, 'backup.zip'), dir, now: () => now };
}

describe('Convex BackupPort: restore through npx convex import', () => {
  it('builds the import command: --replace of the resolved ZIP, the deploy key only in the environment', () => {
    const command = convexImportCommand('backups/my backup.zip', 'prod:happy-otter-123|secret');
    expect(command.command).toBe('npx');
    expect(command.args).toEqual(['convex', 'import', '--replace', '-y', resolve('backups/my backup.zip')]);
    expect(command.env).toEqual({ CONVEX_DEPLOY_KEY: 'prod:happy-otter-123|secret' });
    expect(command.display).toBe(`CONVEX_DEPLOY_KEY=$CONVEX_DEPLOY_KEY npx convex import --replace -y '${resolve('backups/my backup.zip')}'`);
    expect(command.display).not.toContain('secret');
    expect(() => convexImportCommand('backup.tar', 'k')).toThrow(/not a \.zip/);
    expect(() => convexImportCommand('backup.zip', ' ')).toThrow(/CONVEX_DEPLOY_KEY/);
  });

  it('asks before restoring and runs nothing when the operator says no', async () => {
    const { port, fence, zip, ran, questions } = await setup();
    await expect(port.restore(zip, { fence })).rejects.toThrow(/Restore cancelled: nothing was changed/);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain('14 documents');
    expect(ran).toEqual([]);
  });

  it('with --yes runs the import once, renewing the lease before and after; a failing import is an error naming the command', async () => {
    const { port, parts, fence, zip, ran, questions, now } = await setup({ yes: true });
    expect(await port.restore(zip, { fence })).toEqual({ documents: 14 });
    expect(questions).toEqual([]);
    expect(ran).toEqual([convexImportCommand(zip, parts.harness.deployKey)]);
    expect((await parts.leases.getLease(LEASE))!.expiresAt).toBe(now() + 60_000);
    const failing = new ConvexBackupPort(parts.caller, parts.documents, { deployKey: parts.harness.deployKey, restore: { mode: 'run', yes: true, confirm: async () => true, print: () => undefined, run: async () => 3 } });
    await expect(failing.restore(zip, { fence })).rejects.toThrow(/exited with code 3.*npx convex import --replace -y/);
  });

  it('with --print-command prints the exact command and records nothing as restored', async () => {
    const { port, parts, fence, zip, ran, printed } = await setup({ mode: 'print' });
    await expect(port.restore(zip, { fence })).rejects.toThrow(/Nothing was restored/);
    expect(printed).toEqual([convexImportCommand(zip, parts.harness.deployKey).display]);
    expect(ran).toEqual([]);
  });

  it('refuses to restore for a holder whose lease was taken over', async () => {
    const { port, parts, fence, zip, ran } = await setup({ yes: true });
    await parts.leases.releaseLease(LEASE, HOLDER);
    await parts.leases.acquireLease(LEASE, 'someone-else', 60_000, NOW);
    await expect(port.restore(zip, { fence })).rejects.toThrow(/no longer held/);
    expect(ran).toEqual([]);
  });
});
