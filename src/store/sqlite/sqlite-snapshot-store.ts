/**
 * The SQLite adapter of `SnapshotStore`: `dataQualitySnapshots` documents in `other_documents`, read through the
 * partial expression indexes of `monitor-schema.ts`.
 */
import { newConvexId, type RandomBytes } from '../../ontology/ids.ts';
import { parseDocument, stringifyUniform, type ConvexValue } from '../../ontology/values.ts';
import type { QualitySnapshot, SnapshotStore } from '../../../monitors/ports.ts';
import { ensureMonitorSchema, SNAPSHOT_TABLE } from './monitor-schema.ts';
import type { SqliteStore } from './sqlite-store.ts';

/** The snapshot queries, each on its index (exported so tests can check the plans). */
export const SNAPSHOT_QUERIES = {
  /** Without INDEXED BY, SQLite prefers the (table_name, id) key and reads every snapshot ever taken. */
  between: `SELECT doc FROM other_documents INDEXED BY data_quality_snapshots_by_time WHERE table_name = '${SNAPSHOT_TABLE}'
      AND json_extract(doc, '$.timestamp') >= ? AND json_extract(doc, '$.timestamp') <= ?
    ORDER BY json_extract(doc, '$.timestamp'), creation_time`,
  latestPlatformBefore: `SELECT doc FROM other_documents INDEXED BY data_quality_snapshots_by_group_time
    WHERE table_name = '${SNAPSHOT_TABLE}' AND json_extract(doc, '$.groupId') IS NULL
      AND json_extract(doc, '$.timestamp') < ? ORDER BY json_extract(doc, '$.timestamp') DESC, creation_time DESC LIMIT 1`,
  latestOfGroupBefore: `SELECT doc FROM other_documents INDEXED BY data_quality_snapshots_by_group_time
    WHERE table_name = '${SNAPSHOT_TABLE}' AND json_extract(doc, '$.groupId') = ?
      AND json_extract(doc, '$.timestamp') < ? ORDER BY json_extract(doc, '$.timestamp') DESC, creation_time DESC LIMIT 1`,
} as const;

/** Snapshots in a `SqliteStore`'s database. */
export class SqliteSnapshotStore implements SnapshotStore {
  private readonly database: SqliteStore['database'];

  constructor(
    private readonly store: SqliteStore,
    /** Random bytes for the documents' ids (tests pin them). */
    private readonly random?: RandomBytes,
  ) {
    this.database = store.database;
    ensureMonitorSchema(this.database);
  }

  async saveSnapshots(snapshots: Omit<QualitySnapshot, '_id' | '_creationTime'>[], at: number): Promise<QualitySnapshot[]> {
    return this.database.transaction((): QualitySnapshot[] => {
      const tableNumber = this.store.tableNumber(SNAPSHOT_TABLE);
      const insert = this.database.prepare('INSERT INTO other_documents (table_name, id, creation_time, doc) VALUES (?, ?, ?, ?)');
      const last = this.database
        .prepare('SELECT MAX(creation_time) AS t FROM other_documents WHERE table_name = ?')
        .get(SNAPSHOT_TABLE) as { t: number | null };
      let creationTime = Math.max(at, (last.t ?? 0) + 0.001);
      return snapshots.map((snapshot) => {
        const document = { _id: newConvexId(tableNumber, this.random), _creationTime: creationTime, ...snapshot } as QualitySnapshot;
        // Convex's _creationTime is unique per table; keep them increasing.
        creationTime += 0.001;
        insert.run(SNAPSHOT_TABLE, document._id, document._creationTime, stringifyUniform(document as unknown as ConvexValue));
        return document;
      });
    })();
  }

  async snapshotsBetween(from: number, to: number): Promise<QualitySnapshot[]> {
    const rows = this.database.prepare(SNAPSHOT_QUERIES.between).all(from, to) as { doc: string }[];
    return rows.map((row) => parseDocument(row.doc, 'uniform') as unknown as QualitySnapshot);
  }

  async latestSnapshotBefore(groupId: string | null, before: number): Promise<QualitySnapshot | null> {
    const row = (
      groupId === null
        ? this.database.prepare(SNAPSHOT_QUERIES.latestPlatformBefore).get(before)
        : this.database.prepare(SNAPSHOT_QUERIES.latestOfGroupBefore).get(groupId, before)
    ) as { doc: string } | undefined;
    return row ? (parseDocument(row.doc, 'uniform') as unknown as QualitySnapshot) : null;
  }
}
