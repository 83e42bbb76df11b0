/**
 * What a full restore would change: compares a backup's documents with the store, one document at a time
 * (ids of the backup kept per table, documents never held), and counts records written since the backup
 * that a restore would lose.
 */
import type { OntologyTable } from '../ontology/naming.ts';
import { decodeSnapshotLine, ontologyTableOf } from '../snapshot/documents.ts';
import { SnapshotReader } from '../snapshot/reader.ts';
import { yieldToEventLoop } from '../store/sqlite/snapshot-load.ts';
import type { SqliteStore } from '../store/sqlite/sqlite-store.ts';

const LIST_PAGE_ROWS = 20_000;

/** A record named by table and id. */
export interface TableRecordId {
  table: string;
  id: string;
}

/** A count and the first ids. */
export interface IdSample {
  count: number;
  ids: TableRecordId[];
}

/** The difference between the store and a backup. */
export interface RestoreComparison {
  /** Records in the store but not in the backup: written after it, lost by a restore. */
  createdSinceBackup: IdSample;
  /** Records whose document differs from the backup's: their later changes are lost by a restore. */
  changedSinceBackup: IdSample;
  /** Records in the backup but no longer in the store: brought back by a restore. */
  deletedSinceBackup: IdSample;
  /** Records identical in both. */
  unchanged: number;
}

function sample(limit: number): IdSample & { add: (table: string, id: string) => void } {
  const result = {
    count: 0,
    ids: [] as TableRecordId[],
    add(table: string, id: string) {
      result.count++;
      if (result.ids.length < limit) result.ids.push({ table, id });
    },
  };
  return result;
}

/** Where a table's documents live in the SQLite layout: a logical ontology table, or `other_documents`. */
function locate(
  physical: string,
  logical: OntologyTable | null,
): { sql: string; key: (id: string) => unknown[]; list: string; listArgs: unknown[]; label: string } {
  if (logical) {
    return {
      sql: `SELECT doc FROM ${logical} WHERE id = ?`,
      key: (id) => [id],
      list: `SELECT rowid, id FROM ${logical} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
      listArgs: [],
      label: logical,
    };
  }
  return {
    sql: 'SELECT doc FROM other_documents WHERE table_name = ? AND id = ?',
    key: (id) => [physical, id],
    list: 'SELECT rowid, id FROM other_documents WHERE table_name = ? AND rowid > ? ORDER BY rowid LIMIT ?',
    listArgs: [physical],
    label: physical,
  };
}

/** Compares the store with the backup ZIP at `zipPath`; writes nothing. */
export async function compareWithBackup(store: SqliteStore, zipPath: string, idLimit: number): Promise<RestoreComparison> {
  const created = sample(idLimit);
  const changed = sample(idLimit);
  const deleted = sample(idLimit);
  let unchanged = 0;
  const seen = new Map<string, Set<string>>();
  const reader = await SnapshotReader.open(zipPath);
  try {
    const naming = reader.naming();
    for (const table of reader.tables) {
      const logical = ontologyTableOf(table.name, naming);
      const place = locate(table.name, logical);
      const lookup = store.database.prepare(place.sql).pluck();
      let ids = seen.get(place.label);
      if (!ids) seen.set(place.label, (ids = new Set()));
      const known = ids;
      await reader.readTable(table, (lines) => {
        for (const line of lines) {
          if (line.trim() === '') continue;
          // The text the store would hold after a restore, compared with what it holds now.
          const { id, text } = decodeSnapshotLine(line, table.encoding, logical);
          known.add(id);
          const stored = lookup.get(...place.key(id)) as string | undefined;
          if (stored === undefined) deleted.add(place.label, id);
          else if (stored !== text) changed.add(place.label, id);
          else unchanged++;
        }
      });
    }
  } finally {
    await reader.close();
  }
  const tables: OntologyTable[] = ['groups', 'entities', 'connections', 'events', 'knowledge'];
  const others = store.database.prepare('SELECT DISTINCT table_name FROM other_documents ORDER BY table_name').pluck().all() as string[];
  for (const [physical, logical] of [...tables.map((table) => [table, table] as const), ...others.map((name) => [name, null] as const)]) {
    const place = locate(physical, logical);
    const ids = seen.get(place.label) ?? new Set<string>();
    // Paged, one page per turn of the event loop: the store may hold a million ids.
    const list = store.database.prepare(place.list).raw(true);
    for (let cursor = 0; ; ) {
      const rows = list.all(...place.listArgs, cursor, LIST_PAGE_ROWS) as [number, string][];
      for (const [, id] of rows) if (!ids.has(id)) created.add(place.label, id);
      if (rows.length < LIST_PAGE_ROWS) break;
      cursor = rows.at(-1)![0];
      await yieldToEventLoop();
    }
  }
  const strip = ({ count, ids }: IdSample): IdSample => ({ count, ids });
  return { createdSinceBackup: strip(created), changedSinceBackup: strip(changed), deletedSinceBackup: strip(deleted), unchanged };
}
