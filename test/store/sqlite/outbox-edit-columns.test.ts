/** A store file written before outbox rows could edit a message by channel and ts gets those columns on open. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_TABLES } from '../../../src/store/sqlite/schema.ts';
import { sqliteMonitorStores } from '../../../src/store/sqlite/monitor-stores.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../../helpers/temp-store.ts';

const T = Date.parse('2026-11-27T10:00:00Z');

describe('outbox edit columns on an earlier store file', () => {
  it('are added on open; earlier rows read without a target and still go out', async () => {
    const path = join(tempDir(), 'ontology.db');
    const first = SqliteStore.open(path);
    await sqliteMonitorStores(first).outbox.enqueue([{ kind: 'post', channel: 'C1', notificationId: null, message: { text: 'weekly' } }], T);
    // The file as the earlier release left it: no edit columns, no index on them.
    first.database.exec('DROP INDEX monitor_outbox_by_replace_key');
    for (const column of ['target_channel', 'target_ts', 'replace_key']) first.database.exec(`ALTER TABLE monitor_outbox DROP COLUMN ${column}`);
    first.close();

    const second = SqliteStore.open(path);
    try {
      const { outbox } = sqliteMonitorStores(second);
      const edit = { kind: 'edit' as const, channel: 'C9', notificationId: null, target: { channel: 'C9', ts: '1.1' }, replaceKey: 'approval r1' };
      await outbox.enqueue([{ ...edit, message: { text: 'Running' } }], T + 1);
      await outbox.enqueue([{ ...edit, message: { text: 'Succeeded' } }], T + 2);
      expect((await outbox.listOutbox({ limit: 10 })).map((row) => [row.kind, row.message.text, row.target ?? null, row.replaceKey ?? null])).toEqual([
        ['post', 'weekly', null, null],
        ['edit', 'Succeeded', { channel: 'C9', ts: '1.1' }, 'approval r1'],
      ]);
      expect(CORE_TABLES).not.toContain('monitor_outbox');
    } finally {
      second.close();
    }
  });
});
