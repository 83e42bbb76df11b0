/**
 * SQLite tables of the v1 migration, kept in the same database file as the ontology so a crash, a restart or a
 * second process sees the same runs, checkpoints and undo journal. Created idempotently by the migration store.
 */

/** DDL of the migration tables; idempotent. */
export const MIGRATION_SCHEMA = `
-- One row per migration run, exact undo or full restore: its state, who started it, and its checkpoint.
CREATE TABLE IF NOT EXISTS migration_runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  actor TEXT NOT NULL,
  holder TEXT NOT NULL,
  target_run_id TEXT,
  started_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  finished_at REAL,
  batch_size INTEGER NOT NULL,
  backup_file TEXT,
  default_group_id TEXT,
  default_group_created INTEGER NOT NULL DEFAULT 0,
  -- Journal rows of a run follow this sequence number (runs never overlap, so a run's rows are contiguous).
  journal_start INTEGER NOT NULL DEFAULT 0,
  phase TEXT,
  cursor INTEGER NOT NULL DEFAULT 0,
  batches INTEGER NOT NULL DEFAULT 0,
  progress TEXT NOT NULL DEFAULT '{}',
  plan TEXT,
  result TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS migration_runs_by_kind ON migration_runs (kind, started_at);
-- The undo journal: one row per record a migration run changed. A *_before column holds the previous value in
-- the uniform encoding, NULL when the field was absent; a *_written column holds the value written, NULL when
-- the run left that field alone. undo_* columns are the exact undo's own journal.
CREATE TABLE IF NOT EXISTS migration_journal (
  seq INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL,
  table_name TEXT NOT NULL,
  record_id TEXT NOT NULL,
  group_id_before TEXT,
  group_id_written TEXT,
  schema_version_before TEXT,
  schema_version_written TEXT,
  undo_run_id TEXT,
  undo_outcome TEXT,
  undo_conflicts TEXT
);
-- Only the entries an undo left alone, so listing conflicts never scans the journal.
CREATE INDEX IF NOT EXISTS migration_journal_conflicts ON migration_journal (undo_run_id, seq) WHERE undo_outcome <> 'reverted';
`;
