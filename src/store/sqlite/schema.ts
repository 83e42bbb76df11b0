/**
 * The SQLite layout of the ontology. Each ontology table keeps the whole document as uniform-encoded JSON
 * (`doc`, so export reproduces it exactly) plus the columns the checks and migrations filter on, indexed.
 * Tables outside the ontology are kept whole in `other_documents`.
 */
import type { OntologyTable } from '../../ontology/naming.ts';
import { connectionEndpoints, groupIdOf } from '../../ontology/naming.ts';
import { toNumber } from '../../ontology/values.ts';

/** DDL of the core tables; idempotent. Feature modules add their own tables with their own DDL. */
export const CORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS store_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- _tables/documents.jsonl of a Convex snapshot: physical table name -> table number (used to mint ids).
CREATE TABLE IF NOT EXISTS convex_tables (
  name TEXT PRIMARY KEY,
  table_number INTEGER NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS groups (
  id TEXT NOT NULL UNIQUE,
  creation_time REAL NOT NULL,
  slug TEXT,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS groups_by_slug ON groups (slug);
CREATE TABLE IF NOT EXISTS entities (
  id TEXT NOT NULL UNIQUE,
  creation_time REAL NOT NULL,
  group_id TEXT,
  type TEXT,
  schema_version REAL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_by_group ON entities (group_id);
CREATE TABLE IF NOT EXISTS connections (
  id TEXT NOT NULL UNIQUE,
  creation_time REAL NOT NULL,
  group_id TEXT,
  from_id TEXT,
  to_id TEXT,
  valid_from REAL,
  valid_to REAL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS connections_by_group ON connections (group_id);
CREATE INDEX IF NOT EXISTS connections_by_from ON connections (from_id);
CREATE INDEX IF NOT EXISTS connections_by_to ON connections (to_id);
CREATE TABLE IF NOT EXISTS events (
  id TEXT NOT NULL UNIQUE,
  creation_time REAL NOT NULL,
  group_id TEXT,
  type TEXT,
  actor_id TEXT,
  target_id TEXT,
  timestamp REAL,
  archived INTEGER NOT NULL DEFAULT 0,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_group ON events (group_id);
CREATE INDEX IF NOT EXISTS events_by_actor ON events (actor_id, timestamp);
CREATE INDEX IF NOT EXISTS events_by_target ON events (target_id, timestamp);
CREATE INDEX IF NOT EXISTS events_by_archived_time ON events (archived, timestamp);
CREATE TABLE IF NOT EXISTS knowledge (
  id TEXT NOT NULL UNIQUE,
  creation_time REAL NOT NULL,
  group_id TEXT,
  source_id TEXT,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS knowledge_by_group ON knowledge (group_id);
CREATE INDEX IF NOT EXISTS knowledge_by_source ON knowledge (source_id);
CREATE TABLE IF NOT EXISTS other_documents (
  table_name TEXT NOT NULL,
  id TEXT NOT NULL,
  creation_time REAL NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (table_name, id)
);
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  acquired_at REAL NOT NULL,
  expires_at REAL NOT NULL
);
`;

/** The tables of the core schema: every ontology-ops store has them from its creation on. */
export const CORE_TABLES: readonly string[] = [...CORE_SCHEMA.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((match) => match[1]!);

/** Column names (after id, creation_time) of each ontology table, in insert order, ending with `doc`. */
export const TABLE_COLUMNS: Record<OntologyTable, readonly string[]> = {
  groups: ['slug'],
  entities: ['group_id', 'type', 'schema_version'],
  connections: ['group_id', 'from_id', 'to_id', 'valid_from', 'valid_to'],
  events: ['group_id', 'type', 'actor_id', 'target_id', 'timestamp', 'archived'],
  knowledge: ['group_id', 'source_id'],
};

type Column = string | number | null;

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  const number = toNumber(value);
  return number === undefined || Number.isNaN(number) ? null : number;
}

/**
 * The indexed column values of a document (decoded values or plain `JSON.parse` output alike), in
 * `TABLE_COLUMNS` order. The one place that decides what the columns hold.
 */
export function indexedColumns(table: OntologyTable, doc: Record<string, unknown>): Column[] {
  switch (table) {
    case 'groups':
      return [stringOrNull(doc.slug)];
    case 'entities':
      return [groupIdOf(doc), stringOrNull(doc.type), numberOrNull(doc.schemaVersion)];
    case 'connections': {
      const { fromId, toId } = connectionEndpoints(doc);
      return [groupIdOf(doc), fromId, toId, numberOrNull(doc.validFrom), numberOrNull(doc.validTo)];
    }
    case 'events':
      return [
        groupIdOf(doc),
        stringOrNull(doc.type),
        stringOrNull(doc.actorId),
        stringOrNull(doc.targetId),
        numberOrNull(doc.timestamp),
        doc.archived === true ? 1 : 0,
      ];
    case 'knowledge':
      return [groupIdOf(doc), stringOrNull(doc.sourceThingId)];
  }
}

/** `INSERT` statement text for an ontology table (all columns, positional). */
export function insertSql(table: OntologyTable): string {
  const columns = ['id', 'creation_time', ...TABLE_COLUMNS[table], 'doc'];
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
}

/** `UPDATE … WHERE id = ?` statement text that rewrites the indexed columns and the document. */
export function updateSql(table: OntologyTable): string {
  const columns = [...TABLE_COLUMNS[table], 'doc'];
  return `UPDATE ${table} SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`;
}
