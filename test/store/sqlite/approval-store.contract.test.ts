import { describe, expect, it } from 'vitest';
import { APPROVAL_SCHEMA } from '../../../src/store/sqlite/approval-schema.ts';
import { SqliteApprovalStore } from '../../../src/store/sqlite/sqlite-approval-store.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { approvalStoreContract, T } from '../../contracts/approval-store.contract.ts';
import { tempStore } from '../../helpers/temp-store.ts';

approvalStoreContract('SQLite', async () => {
  const { store } = tempStore();
  // The store closes itself when the test finishes.
  return { port: new SqliteApprovalStore(store), close: async () => {} };
});

describe('SQLite approval table written before rejections had a reason', () => {
  it('gains the column on open; its requests read with no reason and can be rejected with one', async () => {
    const { store, path } = tempStore();
    store.database.exec(APPROVAL_SCHEMA.replace('  reject_reason TEXT,\n', '').replace(/CREATE INDEX[^;]*;/g, ''));
    store.database
      .prepare(
        `INSERT INTO approval_requests (id, kind, target, state, requested_by, requested_at, expires_at, required_approvals, plan_hash, plan)
         VALUES ('apr_old', 'migrate', NULL, 'requested', 'U_REQ', ?, ?, 1, 'hash-1', '{}')`,
      )
      .run(T, T + 3_600_000);
    store.close();
    const reopened = SqliteStore.open(path);
    try {
      const port = new SqliteApprovalStore(reopened);
      expect(await port.get('apr_old')).toMatchObject({ state: 'requested', rejectReason: null });
      expect(await port.reject('apr_old', { userId: 'U_A', at: T + 1, reason: 'not now' })).toMatchObject({ changed: true, request: { rejectReason: 'not now' } });
    } finally {
      reopened.close();
    }
  });
});
