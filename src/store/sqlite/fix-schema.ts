/**
 * SQLite table of the named fixes' journal, in the same database file as the ontology and the migration run
 * registry. Created idempotently by the fix store.
 */

/** DDL of the fix journal; idempotent. */
export const FIX_SCHEMA = `
-- One row per record a fix run changed. before_doc is the record's document as it was (uniform encoding) and
-- position its rowid, so an exact undo puts it back where it was; written_doc is the document the fix wrote
-- (NULL for a connection moved to the archive, whose archive document is archive_id).
CREATE TABLE IF NOT EXISTS fix_journal (
  seq INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL,
  table_name TEXT NOT NULL,
  record_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  before_doc TEXT NOT NULL,
  written_doc TEXT,
  archive_id TEXT,
  undo_run_id TEXT,
  undo_outcome TEXT
);
CREATE INDEX IF NOT EXISTS fix_journal_by_run ON fix_journal (run_id, seq);
`;
