/**
 * SQLite table of the approval requests (`ApprovalStore`). One row per request; the approvals are a JSON list on
 * the row, changed only inside the row's compare-and-set transaction. `seq` orders requests by creation for paging.
 */
import type Database from 'better-sqlite3';

/** DDL; idempotent. */
export const APPROVAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS approval_requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  target TEXT,
  state TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at REAL NOT NULL,
  expires_at REAL NOT NULL,
  required_approvals INTEGER NOT NULL,
  approvals TEXT NOT NULL DEFAULT '[]',
  rejected_by TEXT,
  reject_reason TEXT,
  decided_at REAL,
  plan_hash TEXT NOT NULL,
  plan TEXT NOT NULL,
  channel TEXT,
  message_ts TEXT,
  run_id TEXT,
  started_at REAL,
  finished_at REAL,
  error TEXT,
  result TEXT,
  parent_id TEXT,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS approval_requests_by_state ON approval_requests (state, seq);
CREATE INDEX IF NOT EXISTS approval_requests_by_kind_target ON approval_requests (kind, target, state);
`;

const prepared = new WeakSet<Database.Database>();

/** Creates the approval table once per connection. */
export function ensureApprovalSchema(database: Database.Database): void {
  if (prepared.has(database)) return;
  database.exec(APPROVAL_SCHEMA);
  // Files written before rejections carried a reason.
  const columns = database.prepare('PRAGMA table_info(approval_requests)').all() as { name: string }[];
  if (!columns.some((column) => column.name === 'reject_reason')) database.exec('ALTER TABLE approval_requests ADD COLUMN reject_reason TEXT');
  prepared.add(database);
}
